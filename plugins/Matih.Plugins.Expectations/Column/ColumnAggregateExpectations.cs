using System.Globalization;
using Matih.Plugins.Expectations.Internal;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;

namespace Matih.Plugins.Expectations.Column;

/// <summary>
/// A column statistic (min, max, mean, median, stdev, sum) within min_value..max_value. The statistic and the bounds
/// check are both aggregates of the table's shared scan, so bounds of any comparable type (dates too) work.
/// </summary>
internal sealed class ColumnStatToBeBetween(string statistic, string description, Func<string, string> aggregate, bool numericOnly) : Expectation
{
    public override string ExpectationType => $"expect_column_{statistic}_to_be_between";

    public override string Description => description;

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = Kwarg.ColumnRange;

    public static IEnumerable<ColumnStatToBeBetween> All() =>
    [
        new("min", "The column's smallest non-null value is between min_value and max_value.", c => $"min({c})", false),
        new("max", "The column's largest non-null value is between min_value and max_value.", c => $"max({c})", false),
        new("mean", "The mean of the column's non-null values is between min_value and max_value.", c => $"avg({c})", true),
        new("median", "The median of the column's non-null values is between min_value and max_value.", c => $"median({c})", true),
        new("stdev", "The sample standard deviation of the column's values is between min_value and max_value.", c => $"stddev_samp({c})", true),
        new("sum", "The sum of the column's values is between min_value and max_value.", c => $"sum({c})", true),
    ];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        if (numericOnly && !column.Type.IsNumeric())
        {
            throw new KwargException("column", $"{ExpectationType} needs a numeric column; {column.Name} is {TypeNames.Of(column)}.");
        }

        var bounds = numericOnly ? Bounds.Numeric(kwargs) : Bounds.ForColumn(kwargs, column);
        var value = aggregate(Sql.Quote(column));
        return new AggregatePlan([value, $"({bounds.Within(value)})"], v => Outcome(IsTrue(v[1]), v[0]));
    }
}

/// <summary>The counts of each value of a column in one grouped query: the rows of repeated values, with a sample.</summary>
internal static class ValueCounts
{
    public const int Sample = 20;

    public static QueryPlan Plan(ColumnSchema column, Func<Figures, ExpectationOutcome> evaluate) => new(
        $$"""
        SELECT coalesce(sum(n), 0), coalesce(sum(n) FILTER (WHERE k IS NULL), 0), count(k),
               coalesce(sum(n) FILTER (WHERE k IS NOT NULL AND n > 1), 0),
               min(k, {{Sample}}) FILTER (WHERE k IS NOT NULL AND n > 1), arg_min(n, k, {{Sample}}) FILTER (WHERE k IS NOT NULL AND n > 1)
        FROM (SELECT {{Sql.Quote(column)}} AS k, count(*) AS n FROM {table} GROUP BY 1)
        """,
        rows =>
        {
            var row = rows[0];
            var sample = new List<object?>();
            if (row[4] is System.Collections.IEnumerable values && row[5] is System.Collections.IEnumerable counts)
            {
                // GE lists every row whose value is duplicated: each duplicated value as often as it occurs.
                foreach (var (value, count) in values.Cast<object?>().Zip(counts.Cast<object?>()))
                {
                    for (var i = 0; i < Convert.ToInt64(count, CultureInfo.InvariantCulture) && sample.Count < Sample; i++)
                    {
                        sample.Add(value);
                    }
                }
            }

            return evaluate(new Figures(Long(row[0]), Long(row[1]), Long(row[2]), Long(row[3]), sample));
        });

    private static long Long(object? value) => value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    /// <param name="Elements">Rows.</param>
    /// <param name="Missing">Rows where the column is null.</param>
    /// <param name="Distinct">Distinct non-null values.</param>
    /// <param name="DuplicatedRows">Rows whose (non-null) value occurs more than once.</param>
    /// <param name="Sample">Up to 20 duplicated values, each repeated as it occurs.</param>
    public sealed record Figures(long Elements, long Missing, long Distinct, long DuplicatedRows, IReadOnlyList<object?> Sample)
    {
        public long NonNull => Elements - Missing;
    }
}

/// <summary>
/// The distinct count of a column from the shared scan: <c>count(*)</c>, <c>count(x)</c>, <c>count(DISTINCT x)</c>.
/// Uniqueness, the proportion and the unique value count emit the same expressions, which the scan computes once.
/// </summary>
internal static class DistinctCounts
{
    public static string[] Expressions(ColumnSchema column) => ["count(*)", $"count({Sql.Quote(column)})", $"count(DISTINCT {Sql.Quote(column)})"];

    public static (long Elements, long NonNull, long Distinct) Read(IReadOnlyList<object?> v) => (
        Convert.ToInt64(v[0], CultureInfo.InvariantCulture),
        Convert.ToInt64(v[1], CultureInfo.InvariantCulture),
        Convert.ToInt64(v[2], CultureInfo.InvariantCulture));
}

/// <summary>
/// <c>expect_column_values_to_be_unique</c>: as in GE, every row whose value occurs more than once is unexpected
/// (two rows sharing a value are two unexpected rows); nulls are neither. The shared scan's distinct count settles it
/// when there are no repeats; only when there are does a grouped query count the rows of repeated values.
/// </summary>
internal sealed class ValuesToBeUnique : Expectation
{
    public override string ExpectationType => "expect_column_values_to_be_unique";

    public override string Description => "Each non-null value occurs once; every row of a repeated value counts as unexpected.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = [Kwarg.Column, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var mostly = kwargs.Mostly();
        var column = kwargs.Column();
        ExpectationOutcome Evaluate(ValueCounts.Figures f)
        {
            var success = f.NonNull == 0 || (double)(f.NonNull - f.DuplicatedRows) / f.NonNull >= mostly;
            return Outcome(success, null,
                ("element_count", f.Elements),
                ("missing_count", f.Missing),
                ("missing_percent", f.Elements == 0 ? null : 100.0 * f.Missing / f.Elements),
                ("unexpected_count", f.DuplicatedRows),
                ("unexpected_percent", f.NonNull == 0 ? null : 100.0 * f.DuplicatedRows / f.NonNull),
                ("unexpected_percent_total", f.Elements == 0 ? null : 100.0 * f.DuplicatedRows / f.Elements),
                ("partial_unexpected_list", f.Sample));
        }

        return new AggregatePlan(DistinctCounts.Expressions(column), v =>
        {
            var (elements, nonNull, distinct) = DistinctCounts.Read(v);
            // Repeats exist: at least one value occurs twice, so at least (nonNull - distinct) + 1 rows are unexpected.
            // A host that runs the follow-up reports the exact count instead.
            var duplicated = distinct == nonNull ? 0 : nonNull - distinct + 1;
            return Evaluate(new ValueCounts.Figures(elements, elements - nonNull, distinct, duplicated, []));
        })
        {
            FollowUp = v =>
            {
                var (_, nonNull, distinct) = DistinctCounts.Read(v);
                return distinct == nonNull ? null : ValueCounts.Plan(column, Evaluate);
            },
        };
    }
}

/// <summary><c>expect_column_proportion_of_unique_values_to_be_between</c>: distinct non-null values / non-null values.</summary>
internal sealed class ProportionOfUniqueValuesToBeBetween : Expectation
{
    public override string ExpectationType => "expect_column_proportion_of_unique_values_to_be_between";

    public override string Description => "The number of distinct non-null values divided by the number of non-null values is between min_value and max_value.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = Kwarg.ColumnRange;

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        var bounds = Bounds.Numeric(kwargs);
        return new AggregatePlan(DistinctCounts.Expressions(column), v =>
        {
            var (elements, nonNull, distinct) = DistinctCounts.Read(v);
            double? proportion = nonNull == 0 ? null : (double)distinct / nonNull;
            return Outcome(proportion is { } p && bounds.Contains(p), proportion, ("element_count", elements), ("missing_count", elements - nonNull));
        });
    }
}

/// <summary><c>expect_column_unique_value_count_to_be_between</c>: the number of distinct non-null values.</summary>
internal sealed class UniqueValueCountToBeBetween : Expectation
{
    public override string ExpectationType => "expect_column_unique_value_count_to_be_between";

    public override string Description => "The number of distinct non-null values is between min_value and max_value.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = Kwarg.ColumnRange;

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        var bounds = Bounds.Numeric(kwargs);
        return new AggregatePlan(DistinctCounts.Expressions(column), v =>
        {
            var (elements, nonNull, distinct) = DistinctCounts.Read(v);
            return Outcome(bounds.Contains(distinct), distinct, ("element_count", elements), ("missing_count", elements - nonNull));
        });
    }
}

/// <summary>
/// The distinct values of a column compared with value_set: <c>expect_column_distinct_values_to_be_in_set</c>,
/// <c>_to_equal_set</c> and <c>_to_contain_set</c>. The observed value is the sorted distinct values (up to 1000).
/// </summary>
internal sealed class DistinctValuesSet(string relation, string description) : Expectation
{
    private const int Shown = 1000;

    public override string ExpectationType => $"expect_column_distinct_values_to_{relation}";

    public override string Description => description;

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = [Kwarg.Column, Kwarg.ValueSet];

    public static IEnumerable<DistinctValuesSet> All() =>
    [
        new("be_in_set", "Every distinct non-null value is one of value_set."),
        new("equal_set", "The distinct non-null values are exactly value_set."),
        new("contain_set", "The distinct non-null values include every member of value_set."),
    ];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        var set = InSet.Literals(kwargs, column);
        var members = set.Count;
        var inSet = set.Count == 0 ? "FALSE" : $"k IN ({string.Join(", ", set)})";
        return new QueryPlan(
            $"""
            SELECT count(*), count(*) FILTER (WHERE NOT ({inSet})), count(*) FILTER (WHERE {inSet}),
                   min(k, {Shown}), min(k, 20) FILTER (WHERE NOT ({inSet}))
            FROM (SELECT DISTINCT {Sql.Quote(column)} AS k FROM {"{table}"} WHERE {Sql.Quote(column)} IS NOT NULL)
            """,
            rows =>
            {
                var row = rows[0];
                var distinct = Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
                var outside = Convert.ToInt64(row[1], CultureInfo.InvariantCulture);
                var found = Convert.ToInt64(row[2], CultureInfo.InvariantCulture);
                var success = relation switch
                {
                    "be_in_set" => outside == 0,
                    "equal_set" => outside == 0 && found == members,
                    _ => found == members,
                };
                return Outcome(success, row[3] ?? Array.Empty<object>(),
                    ("distinct_count", distinct),
                    ("values_not_in_set", row[4] ?? Array.Empty<object>()),
                    ("observed_value_truncated", distinct > Shown));
            });
    }
}
