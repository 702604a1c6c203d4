using System.Text.Json;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;

namespace Matih.Sdk.Quality;

/// <summary>
/// One Great-Expectations expectation type (<c>expect_column_values_to_be_unique</c>). A rule does not scan data
/// itself: it returns a <see cref="ExpectationPlan"/> of SQL fragments, and the host evaluates every expectation of a
/// suite over a table in as few scans as possible.
/// </summary>
public interface IQualityRule
{
    /// <summary>The expectation type as written in suites.</summary>
    string ExpectationType { get; }

    /// <summary>One sentence for the suite editor.</summary>
    string Description { get; }

    /// <summary>The kwargs the expectation accepts (<c>column</c>, <c>min_value</c>, <c>mostly</c>, ...).</summary>
    IReadOnlyList<ParameterSpec> Kwargs { get; }

    /// <summary>
    /// Checks the kwargs against the table and plans the evaluation. Wrong kwargs (a missing column, min above max)
    /// are reported with <see cref="ExpectationPlan.Invalid"/>, naming the kwarg.
    /// </summary>
    ExpectationPlan Plan(JsonElement kwargs, TableRef table, TableSchema schema);
}

/// <summary>How an expectation is evaluated.</summary>
public abstract record ExpectationPlan
{
    /// <summary>A plan for kwargs that make no sense; the expectation fails with this message, naming the kwarg.</summary>
    public static ExpectationPlan Invalid(string kwarg, string message) => new InvalidKwargsPlan(kwarg, message);
}

/// <summary>The kwargs were wrong; nothing is evaluated.</summary>
public sealed record InvalidKwargsPlan(string Kwarg, string Message) : ExpectationPlan;

/// <summary>
/// A column-map expectation (GE semantics): each non-null value of <paramref name="Column"/> is expected or not;
/// nulls are neither. The host counts elements, nulls and unexpected values in the shared scan, applies
/// <paramref name="Mostly"/>, and samples unexpected values for <c>partial_unexpected_list</c>.
/// </summary>
/// <param name="Column">The column checked.</param>
/// <param name="UnexpectedSql">A SQL boolean that is true for an unexpected non-null value, e.g. <c>"x" NOT BETWEEN 0 AND 10</c>.</param>
/// <param name="Mostly">Fraction of non-null values that must be expected (1.0 = all).</param>
public sealed record ColumnMapPlan(string Column, string UnexpectedSql, double Mostly = 1.0) : ExpectationPlan
{
    /// <summary>True when nulls count as unexpected (as in <c>expect_column_values_to_not_be_null</c>).</summary>
    public bool NullsAreUnexpected { get; init; }
}

/// <summary>
/// An aggregate expectation: the host computes <paramref name="AggregatesSql"/> in the shared scan and passes the
/// values, in order, to <paramref name="Evaluate"/>.
/// </summary>
/// <param name="AggregatesSql">SQL aggregate expressions over the table, e.g. <c>count(*)</c>, <c>avg("x")</c>.</param>
/// <param name="Evaluate">Turns the aggregate values into the outcome.</param>
public sealed record AggregatePlan(IReadOnlyList<string> AggregatesSql, Func<IReadOnlyList<object?>, ExpectationOutcome> Evaluate) : ExpectationPlan
{
    /// <summary>
    /// Optional. Given the aggregate values, a query that gives the exact outcome instead of <see cref="Evaluate"/>, or
    /// null when the aggregates suffice. For figures that cost a scan only in some outcomes: uniqueness needs the rows of
    /// repeated values only when <c>count(DISTINCT x)</c> shows there are repeats.
    /// </summary>
    public Func<IReadOnlyList<object?>, QueryPlan?>? FollowUp { get; init; }
}

/// <summary>An expectation that needs its own query (ordering, windows). Used sparingly: it costs a scan.</summary>
/// <param name="Sql">The query; it sees the table as <c>{table}</c>.</param>
/// <param name="Evaluate">Turns the query's rows into the outcome.</param>
public sealed record QueryPlan(string Sql, Func<IReadOnlyList<IReadOnlyList<object?>>, ExpectationOutcome> Evaluate) : ExpectationPlan;

/// <summary>The outcome of an aggregate or query expectation.</summary>
/// <param name="Success">Whether the expectation is met.</param>
/// <param name="ObservedValue">What was observed (a count, a mean, a list), reported as GE's <c>observed_value</c>.</param>
public sealed record ExpectationOutcome(bool Success, object? ObservedValue)
{
    /// <summary>Extra details for the result page.</summary>
    public IReadOnlyDictionary<string, object?> Details { get; init; } = new Dictionary<string, object?>();
}
