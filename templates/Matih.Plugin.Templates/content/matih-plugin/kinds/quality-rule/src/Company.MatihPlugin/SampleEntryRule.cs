using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;

namespace Company.MatihPlugin;

/// <summary>
/// <c>expect_column_values_to_not_be_blank</c>: every non-null value of a text column has a non-space character. The
/// rule only plans SQL; the host evaluates it with the suite's other expectations in one scan.
/// </summary>
public sealed class SampleEntryRule : IQualityRule
{
    /// <inheritdoc />
    public string ExpectationType => "expect_column_values_to_not_be_blank";

    /// <inheritdoc />
    public string Description => "Expect text values to contain something other than spaces.";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Kwargs { get; } =
    [
        new ParameterSpec("column", ParameterType.String, "The text column to check.") { Required = true },
        new ParameterSpec("mostly", ParameterType.Number, "Fraction of non-null values that must not be blank.")
        {
            Default = JsonValue.Create(1.0),
            Minimum = 0,
            Maximum = 1,
        },
    ];

    /// <inheritdoc />
    public ExpectationPlan Plan(JsonElement kwargs, TableRef table, TableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (kwargs.ValueKind != JsonValueKind.Object || !kwargs.TryGetProperty("column", out var columnValue) || columnValue.ValueKind != JsonValueKind.String)
        {
            return ExpectationPlan.Invalid("column", "column is required: the name of a text column.");
        }

        var column = schema.Find(columnValue.GetString()!);
        if (column is null)
        {
            return ExpectationPlan.Invalid("column", $"column '{columnValue.GetString()}' is not in {table}; it has {string.Join(", ", schema.Columns.Select(c => c.Name))}.");
        }

        if (column.Type != ColumnType.String)
        {
            return ExpectationPlan.Invalid("column", $"column '{column.Name}' is {column.Type}; this expectation checks text columns.");
        }

        var mostly = 1.0;
        if (kwargs.TryGetProperty("mostly", out var mostlyValue) && (!mostlyValue.TryGetDouble(out mostly) || mostly is < 0 or > 1))
        {
            return ExpectationPlan.Invalid("mostly", $"mostly must be a number from 0 to 1, got {mostlyValue.GetRawText()}.");
        }

        // True for an unexpected value: nothing left once spaces, tabs and line breaks are trimmed.
        return new ColumnMapPlan(column.Name, $"trim({TableRef.Quote(column.Name)}, ' ' || chr(9) || chr(10) || chr(13)) = ''", mostly);
    }
}
