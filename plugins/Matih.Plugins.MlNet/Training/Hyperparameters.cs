using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Plugins;

namespace Matih.Plugins.MlNet.Training;

/// <summary>
/// A trainer's hyperparameter values: the user's, checked against the trainer's specs, with defaults filling the
/// rest. Every problem names the parameter as it appears in a run request (<c>params.num_leaves</c>).
/// </summary>
internal sealed class Hyperparameters
{
    private readonly Dictionary<string, double> _numbers;

    private Hyperparameters(Dictionary<string, double> numbers) => _numbers = numbers;

    /// <summary>An integer spec with a default and an inclusive range.</summary>
    public static ParameterSpec Integer(string name, int defaultValue, int minimum, int maximum, string description) =>
        new(name, ParameterType.Integer, description)
        {
            Default = JsonValue.Create(defaultValue),
            Minimum = minimum,
            Maximum = maximum,
        };

    /// <summary>A number spec with a default and an inclusive range.</summary>
    public static ParameterSpec Number(string name, double defaultValue, double minimum, double maximum, string description) =>
        new(name, ParameterType.Number, description)
        {
            Default = JsonValue.Create(defaultValue),
            Minimum = minimum,
            Maximum = maximum,
        };

    /// <summary>Checks <paramref name="given"/> against <paramref name="specs"/>.</summary>
    /// <exception cref="ArgumentException">A value is unknown, mistyped or out of range; the message names it.</exception>
    public static Hyperparameters Resolve(string trainerId, IReadOnlyList<ParameterSpec> specs, IReadOnlyDictionary<string, JsonElement>? given)
    {
        var problems = new List<string>();
        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            numbers[spec.Name] = double.Parse(spec.Default!.ToJsonString(), CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in given ?? new Dictionary<string, JsonElement>())
        {
            var spec = specs.FirstOrDefault(s => s.Name == name);
            if (spec is null)
            {
                problems.Add($"params.{name}: {trainerId} has no such hyperparameter; it takes {string.Join(", ", specs.Select(s => s.Name))}.");
                continue;
            }

            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
            {
                problems.Add($"params.{name}: must be {Expected(spec)} (got {Describe(value)}).");
                continue;
            }

            if ((spec.Type == ParameterType.Integer && number % 1 != 0)
                || (spec.Minimum is { } min && number < min)
                || (spec.Maximum is { } max && number > max))
            {
                problems.Add($"params.{name}: must be {Expected(spec)} (got {value.GetRawText()}).");
                continue;
            }

            numbers[name] = number;
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }

        return new Hyperparameters(numbers);
    }

    public double Number(string name) => _numbers[name];

    public int Integer(string name) => checked((int)_numbers[name]);

    /// <summary>The values actually used, defaults included, for recording with a run.</summary>
    public IReadOnlyDictionary<string, double> Values => _numbers;

    private static string Expected(ParameterSpec spec)
    {
        var kind = spec.Type == ParameterType.Integer ? "a whole number" : "a number";
        var min = spec.Minimum?.ToString(CultureInfo.InvariantCulture);
        var max = spec.Maximum?.ToString(CultureInfo.InvariantCulture);
        return (min, max) switch
        {
            ({ } lo, { } hi) => $"{kind} from {lo} to {hi}",
            ({ } lo, null) => $"{kind} of at least {lo}",
            (null, { } hi) => $"{kind} of at most {hi}",
            _ => kind,
        };
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => value.GetRawText(),
    };
}
