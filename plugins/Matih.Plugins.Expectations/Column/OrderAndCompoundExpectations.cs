using System.Globalization;
using System.Text.Json;
using Matih.Plugins.Expectations.Internal;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;

namespace Matih.Plugins.Expectations.Column;

/// <summary>
/// <c>expect_column_values_to_be_increasing</c> / <c>_decreasing</c>: in table order, each non-null value is not
/// below (above) the previous non-null value; with <c>strictly</c>, not equal either. Needs its own ordered query.
/// </summary>
internal sealed class ValuesToBeMonotonic(bool increasing) : Expectation
{
    public override string ExpectationType => increasing ? "expect_column_values_to_be_increasing" : "expect_column_values_to_be_decreasing";

    public override string Description => increasing
        ? "In table order, each non-null value is at least the previous one (strictly: greater)."
        : "In table order, each non-null value is at most the previous one (strictly: smaller).";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
    [
        Kwarg.Column,
        new("strictly", ParameterType.Boolean, "Equal neighbours are unexpected too.") { Default = System.Text.Json.Nodes.JsonValue.Create(false) },
        Kwarg.Mostly,
    ];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = Sql.Quote(kwargs.Column());
        var strictly = kwargs.Bool("strictly", false);
        var mostly = kwargs.Mostly();
        var op = (increasing, strictly) switch
        {
            (true, false) => "<",
            (true, true) => "<=",
            (false, false) => ">",
            (false, true) => ">=",
        };
        var unexpected = $"p IS NOT NULL AND v {op} p";
        return new QueryPlan(
            $"""
            SELECT (SELECT count(*) FROM {"{table}"}), count(*), count(*) FILTER (WHERE {unexpected}), arg_min(v, r, 20) FILTER (WHERE {unexpected})
            FROM (SELECT v, r, lag(v) OVER (ORDER BY r) AS p FROM (SELECT {column} AS v, rowid AS r FROM {"{table}"} WHERE {column} IS NOT NULL))
            """,
            rows =>
            {
                var row = rows[0];
                var elements = Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
                var nonNull = Convert.ToInt64(row[1], CultureInfo.InvariantCulture);
                var bad = Convert.ToInt64(row[2], CultureInfo.InvariantCulture);
                var success = nonNull == 0 || (double)(nonNull - bad) / nonNull >= mostly;
                return Outcome(success, null,
                    ("element_count", elements),
                    ("missing_count", elements - nonNull),
                    ("missing_percent", elements == 0 ? null : 100.0 * (elements - nonNull) / elements),
                    ("unexpected_count", bad),
                    ("unexpected_percent", nonNull == 0 ? null : 100.0 * bad / nonNull),
                    ("partial_unexpected_list", row[3] ?? Array.Empty<object>()));
            });
    }
}

/// <summary>
/// <c>expect_compound_columns_to_be_unique</c>: each combination of column_list occurs once; as in GE every row of a
/// repeated combination is unexpected. Rows are skipped per <c>ignore_row_if</c> (default: all values missing).
/// </summary>
internal sealed class CompoundColumnsToBeUnique : Expectation
{
    private static readonly string[] s_ignoreModes = ["all_values_are_missing", "any_value_is_missing", "never"];

    public override string ExpectationType => "expect_compound_columns_to_be_unique";

    public override string Description => "Each combination of the values of column_list occurs in one row only.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
    [
        new("column_list", ParameterType.Array, "The columns whose combination must be unique.") { Required = true },
        new("ignore_row_if", ParameterType.String, "Which rows to skip.") { AllowedValues = s_ignoreModes, Default = System.Text.Json.Nodes.JsonValue.Create("all_values_are_missing") },
        Kwarg.Mostly,
    ];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var columns = kwargs.RequiredColumns("column_list");
        var mostly = kwargs.Mostly();
        var ignore = kwargs.Has("ignore_row_if") ? kwargs.RequiredString("ignore_row_if") : "all_values_are_missing";
        if (!s_ignoreModes.Contains(ignore))
        {
            throw new KwargException("ignore_row_if", $"ignore_row_if must be one of {string.Join(", ", s_ignoreModes)}, got \"{ignore}\".");
        }

        var quoted = columns.Select(Sql.Quote).ToArray();
        var where = ignore switch
        {
            "all_values_are_missing" => $"WHERE NOT ({string.Join(" AND ", quoted.Select(c => c + " IS NULL"))})",
            "any_value_is_missing" => $"WHERE {string.Join(" AND ", quoted.Select(c => c + " IS NOT NULL"))}",
            _ => "",
        };
        var combination = $"to_json({{{string.Join(", ", columns.Select(c => $"{Sql.String(c.Name)}: {Sql.Quote(c)}"))}}})::VARCHAR";
        return new QueryPlan(
            $"""
            SELECT (SELECT count(*) FROM {"{table}"}), coalesce(sum(n), 0), coalesce(sum(n) FILTER (WHERE n > 1), 0),
                   min({combination}, 20) FILTER (WHERE n > 1), arg_min(n, {combination}, 20) FILTER (WHERE n > 1)
            FROM (SELECT {string.Join(", ", quoted)}, count(*) AS n FROM {"{table}"} {where} GROUP BY ALL)
            """,
            rows =>
            {
                var row = rows[0];
                var elements = Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
                var considered = Convert.ToInt64(row[1], CultureInfo.InvariantCulture);
                var duplicated = Convert.ToInt64(row[2], CultureInfo.InvariantCulture);
                var sample = new List<object?>();
                if (row[3] is System.Collections.IEnumerable values && row[4] is System.Collections.IEnumerable counts)
                {
                    foreach (var (value, count) in values.Cast<object?>().Zip(counts.Cast<object?>()))
                    {
                        using var document = JsonDocument.Parse((string)value!);
                        for (var i = 0; i < Convert.ToInt64(count, CultureInfo.InvariantCulture) && sample.Count < 20; i++)
                        {
                            sample.Add(document.RootElement.Clone());
                        }
                    }
                }

                var success = considered == 0 || (double)(considered - duplicated) / considered >= mostly;
                return Outcome(success, null,
                    ("element_count", elements),
                    ("missing_count", elements - considered),
                    ("missing_percent", elements == 0 ? null : 100.0 * (elements - considered) / elements),
                    ("unexpected_count", duplicated),
                    ("unexpected_percent", considered == 0 ? null : 100.0 * duplicated / considered),
                    ("partial_unexpected_list", sample));
            });
    }
}
