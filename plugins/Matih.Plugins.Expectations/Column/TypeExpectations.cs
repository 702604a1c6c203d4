using Matih.Plugins.Expectations.Internal;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;

namespace Matih.Plugins.Expectations.Column;

/// <summary><c>expect_column_values_to_be_in_type_list</c>: the column's type is one of type_list (checked on the schema, no scan).</summary>
internal sealed class ValuesToBeInTypeList : Expectation
{
    public override string ExpectationType => "expect_column_values_to_be_in_type_list";

    public override string Description => "The column's type is one of type_list: SQL names (BIGINT, VARCHAR, DECIMAL) or pandas/Python names (int64, float, str, datetime64).";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
        [Kwarg.Column, new("type_list", ParameterType.Array, "The accepted type names; null accepts any.") { Required = true }, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        _ = kwargs.Mostly();
        var accepted = kwargs.TryGet("type_list", out var raw) && raw.ValueKind == System.Text.Json.JsonValueKind.Null
            ? null
            : kwargs.RequiredStrings("type_list");
        var observed = TypeNames.Of(column);
        var success = accepted is null || accepted.Any(name => TypeNames.Matches(name, column));
        return new AggregatePlan([], _ => Outcome(success, observed));
    }
}

/// <summary><c>expect_column_values_to_be_of_type</c>: the column's type is type_ (checked on the schema, no scan).</summary>
internal sealed class ValuesToBeOfType : Expectation
{
    public override string ExpectationType => "expect_column_values_to_be_of_type";

    public override string Description => "The column's type is type_ (a SQL or pandas/Python type name).";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
        [Kwarg.Column, new("type_", ParameterType.String, "The expected type name.") { Required = true }, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        _ = kwargs.Mostly();
        var name = kwargs.RequiredString("type_");
        var observed = TypeNames.Of(column);
        var success = TypeNames.Matches(name, column);
        return new AggregatePlan([], _ => Outcome(success, observed));
    }
}

/// <summary>Matches type names as GE suites write them against a column's type.</summary>
internal static class TypeNames
{
    // pandas/Python names, matched by logical type; SQL names are matched against the column's own SQL type.
    private static readonly Dictionary<string, ColumnType[]> s_python = new(StringComparer.OrdinalIgnoreCase)
    {
        ["int"] = [ColumnType.Int32, ColumnType.Int64],
        ["int8"] = [ColumnType.Int32],
        ["int16"] = [ColumnType.Int32],
        ["int32"] = [ColumnType.Int32],
        ["int64"] = [ColumnType.Int64, ColumnType.Int32],
        ["float"] = [ColumnType.Double],
        ["float32"] = [ColumnType.Double],
        ["float64"] = [ColumnType.Double],
        ["str"] = [ColumnType.String],
        ["string"] = [ColumnType.String],
        ["object"] = [ColumnType.String, ColumnType.Json],
        ["bool"] = [ColumnType.Boolean],
        ["datetime"] = [ColumnType.Timestamp, ColumnType.TimestampTz],
        ["datetime64"] = [ColumnType.Timestamp, ColumnType.TimestampTz],
        ["datetime64[ns]"] = [ColumnType.Timestamp],
        ["bytes"] = [ColumnType.Binary],
    };

    public static string Of(ColumnSchema column) => column.SourceType ?? column.Type.ToString().ToUpperInvariant();

    public static bool Matches(string name, ColumnSchema column)
    {
        var sql = Of(column);
        var baseName = sql.Split('(')[0].Trim();
        if (string.Equals(name, sql, StringComparison.OrdinalIgnoreCase) || string.Equals(name, baseName, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return s_python.TryGetValue(name, out var types) && types.Contains(column.Type);
    }
}
