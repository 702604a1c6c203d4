using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;

namespace Matih.Plugins.Expectations.Internal;

/// <summary>
/// What every expectation type shares: kwargs that are not the type's are refused by name, and a kwarg problem found
/// while planning becomes an <see cref="InvalidKwargsPlan"/> naming it.
/// </summary>
internal abstract class Expectation : IQualityRule
{
    // GE's kwargs that every expectation takes and that do not change what is checked.
    private static readonly HashSet<string> s_generic = new(StringComparer.Ordinal) { "result_format", "include_config", "catch_exceptions", "meta" };

    public abstract string ExpectationType { get; }

    public abstract string Description { get; }

    public abstract IReadOnlyList<ParameterSpec> Kwargs { get; }

    public ExpectationPlan Plan(JsonElement kwargs, TableRef table, TableSchema schema)
    {
        if (kwargs.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined or JsonValueKind.Null))
        {
            return ExpectationPlan.Invalid("kwargs", $"kwargs must be a JSON object, got {KwargReader.Describe(kwargs)}.");
        }

        if (kwargs.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in kwargs.EnumerateObject())
            {
                if (!s_generic.Contains(property.Name) && !Kwargs.Any(k => k.Name == property.Name))
                {
                    return ExpectationPlan.Invalid(property.Name,
                        $"{ExpectationType} does not take '{property.Name}'; it takes {string.Join(", ", Kwargs.Select(k => k.Name))}.");
                }
            }
        }

        try
        {
            return PlanCore(new KwargReader(kwargs, schema), table);
        }
        catch (KwargException ex)
        {
            return ExpectationPlan.Invalid(ex.Kwarg, ex.Message);
        }
    }

    /// <summary>Plans the evaluation; throws <see cref="KwargException"/> for a wrong kwarg.</summary>
    protected abstract ExpectationPlan PlanCore(KwargReader kwargs, TableRef table);

    protected static ExpectationOutcome Outcome(bool success, object? observed, params (string Key, object? Value)[] details) =>
        new(success, observed) { Details = details.ToDictionary(d => d.Key, d => d.Value) };

    /// <summary>True when an aggregate that says "within bounds" came back true (null, for no values, is false).</summary>
    protected static bool IsTrue(object? value) => value is true;
}

/// <summary>The kwargs the expectation types share, described once for the suite editor.</summary>
internal static class Kwarg
{
    public static readonly ParameterSpec Column = new("column", ParameterType.String, "The column checked.") { Required = true };

    public static readonly ParameterSpec Mostly = new("mostly", ParameterType.Number,
        "Share of non-null values that must be expected (GE's mostly); 1 = all.") { Minimum = 0, Maximum = 1, Default = JsonValue.Create(1.0) };

    public static readonly ParameterSpec MinValue = new("min_value", ParameterType.Number, "Lower bound; null or absent for none.");

    public static readonly ParameterSpec MaxValue = new("max_value", ParameterType.Number, "Upper bound; null or absent for none.");

    public static readonly ParameterSpec StrictMin = new("strict_min", ParameterType.Boolean, "Exclude min_value itself.") { Default = JsonValue.Create(false) };

    public static readonly ParameterSpec StrictMax = new("strict_max", ParameterType.Boolean, "Exclude max_value itself.") { Default = JsonValue.Create(false) };

    public static readonly ParameterSpec ValueSet = new("value_set", ParameterType.Array, "The allowed values.") { Required = true };

    public static readonly ParameterSpec[] Range = [MinValue, MaxValue, StrictMin, StrictMax];

    public static readonly ParameterSpec[] ColumnRange = [Column, MinValue, MaxValue, StrictMin, StrictMax];
}
