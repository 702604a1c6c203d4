using System.Text.RegularExpressions;
using Matih.Plugins.Expectations.Internal;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;

namespace Matih.Plugins.Expectations.Column;

/// <summary><c>expect_column_values_to_not_be_null</c>: nulls are the unexpected values.</summary>
internal sealed class ValuesToNotBeNull : Expectation
{
    public override string ExpectationType => "expect_column_values_to_not_be_null";

    public override string Description => "The column has no nulls (or at most 1 - mostly of its rows are null).";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = [Kwarg.Column, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table) =>
        new ColumnMapPlan(kwargs.Column().Name, "FALSE", kwargs.Mostly()) { NullsAreUnexpected = true };
}

/// <summary>
/// <c>expect_column_values_to_be_null</c>: every value is null. Nulls are the expected values here, so the share is
/// over all rows (as in GE), which a column-map plan (non-null values only) cannot say: an aggregate does.
/// </summary>
internal sealed class ValuesToBeNull : Expectation
{
    public override string ExpectationType => "expect_column_values_to_be_null";

    public override string Description => "Every value of the column is null (or at least mostly of its rows are).";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = [Kwarg.Column, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = Sql.Quote(kwargs.Column());
        var mostly = kwargs.Mostly();
        return new AggregatePlan(["count(*)", $"count({column})", $"min({column}, 20)"], v =>
        {
            var rows = Convert.ToInt64(v[0], System.Globalization.CultureInfo.InvariantCulture);
            var unexpected = Convert.ToInt64(v[1], System.Globalization.CultureInfo.InvariantCulture);
            var success = rows == 0 || (double)(rows - unexpected) / rows >= mostly;
            return Outcome(success, null,
                ("element_count", rows),
                ("unexpected_count", unexpected),
                ("unexpected_percent", rows == 0 ? null : 100.0 * unexpected / rows),
                ("partial_unexpected_list", v[2]));
        });
    }
}

/// <summary><c>expect_column_values_to_be_between</c>: each non-null value is within min_value..max_value.</summary>
internal sealed class ValuesToBeBetween : Expectation
{
    public override string ExpectationType => "expect_column_values_to_be_between";

    public override string Description => "Each non-null value is between min_value and max_value (numbers, dates or strings).";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = [.. Kwarg.ColumnRange, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        var bounds = Bounds.ForColumn(kwargs, column);
        return new ColumnMapPlan(column.Name, $"NOT ({bounds.Within(Sql.Quote(column))})", kwargs.Mostly());
    }
}

/// <summary><c>expect_column_values_to_be_in_set</c>: each non-null value is one of value_set.</summary>
internal sealed class ValuesToBeInSet : Expectation
{
    public override string ExpectationType => "expect_column_values_to_be_in_set";

    public override string Description => "Each non-null value is one of value_set.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = [Kwarg.Column, Kwarg.ValueSet, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        var set = InSet.Literals(kwargs, column);
        return new ColumnMapPlan(column.Name, set.Count == 0 ? "TRUE" : $"{Sql.Quote(column)} NOT IN ({string.Join(", ", set)})", kwargs.Mostly());
    }
}

/// <summary><c>expect_column_values_to_not_be_in_set</c>: no non-null value is one of value_set.</summary>
internal sealed class ValuesToNotBeInSet : Expectation
{
    public override string ExpectationType => "expect_column_values_to_not_be_in_set";

    public override string Description => "No non-null value is one of value_set.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = [Kwarg.Column, Kwarg.ValueSet, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        var set = InSet.Literals(kwargs, column);
        return new ColumnMapPlan(column.Name, set.Count == 0 ? "FALSE" : $"{Sql.Quote(column)} IN ({string.Join(", ", set)})", kwargs.Mostly());
    }
}

/// <summary><c>expect_column_values_to_match_regex</c>: each non-null value (as text) contains a match of regex.</summary>
internal sealed class ValuesToMatchRegex : Expectation
{
    public override string ExpectationType => "expect_column_values_to_match_regex";

    public override string Description => "Each non-null value, as text, contains a match of regex (RE2 syntax, searched anywhere unless anchored).";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
        [Kwarg.Column, new("regex", ParameterType.String, "The regular expression.") { Required = true }, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        return new ColumnMapPlan(column.Name, $"NOT regexp_matches(CAST({Sql.Quote(column)} AS VARCHAR), {RegexKwarg.Read(kwargs)})", kwargs.Mostly());
    }
}

/// <summary><c>expect_column_values_to_not_match_regex</c>: no non-null value (as text) contains a match of regex.</summary>
internal sealed class ValuesToNotMatchRegex : Expectation
{
    public override string ExpectationType => "expect_column_values_to_not_match_regex";

    public override string Description => "No non-null value, as text, contains a match of regex.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
        [Kwarg.Column, new("regex", ParameterType.String, "The regular expression.") { Required = true }, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        return new ColumnMapPlan(column.Name, $"regexp_matches(CAST({Sql.Quote(column)} AS VARCHAR), {RegexKwarg.Read(kwargs)})", kwargs.Mostly());
    }
}

/// <summary><c>expect_column_value_lengths_to_be_between</c>: each non-null value's length (as text) is within bounds.</summary>
internal sealed class ValueLengthsToBeBetween : Expectation
{
    public override string ExpectationType => "expect_column_value_lengths_to_be_between";

    public override string Description => "Each non-null value, as text, has between min_value and max_value characters.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = [.. Kwarg.ColumnRange, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        var bounds = Bounds.Numeric(kwargs);
        return new ColumnMapPlan(column.Name, $"NOT ({bounds.Within($"length(CAST({Sql.Quote(column)} AS VARCHAR))")})", kwargs.Mostly());
    }
}

/// <summary><c>expect_column_value_lengths_to_equal</c>: each non-null value's length (as text) is value.</summary>
internal sealed class ValueLengthsToEqual : Expectation
{
    public override string ExpectationType => "expect_column_value_lengths_to_equal";

    public override string Description => "Each non-null value, as text, has exactly value characters.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
        [Kwarg.Column, new("value", ParameterType.Integer, "The expected length.") { Required = true, Minimum = 0 }, Kwarg.Mostly];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var column = kwargs.Column();
        var length = kwargs.RequiredInteger("value");
        return new ColumnMapPlan(column.Name, $"length(CAST({Sql.Quote(column)} AS VARCHAR)) <> {length}", kwargs.Mostly());
    }
}

/// <summary>value_set as distinct SQL literals typed for the column (nulls left out, as nulls are never unexpected).</summary>
internal static class InSet
{
    public static IReadOnlyList<string> Literals(KwargReader kwargs, ColumnSchema column)
    {
        var values = kwargs.RequiredArray("value_set");
        var literals = new List<string>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i].ValueKind is System.Text.Json.JsonValueKind.Array or System.Text.Json.JsonValueKind.Object)
            {
                throw new KwargException("value_set", $"value_set[{i}] must be a single value, got {KwargReader.Describe(values[i])}.");
            }

            if (values[i].ValueKind != System.Text.Json.JsonValueKind.Null)
            {
                literals.Add(Internal.Sql.Literal(values[i], column, "value_set"));
            }
        }

        return literals.Distinct(StringComparer.Ordinal).ToArray();
    }
}

/// <summary>The regex kwarg, checked to be a valid pattern, as a SQL string literal.</summary>
internal static class RegexKwarg
{
    public static string Read(KwargReader kwargs)
    {
        var pattern = kwargs.RequiredString("regex");
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException ex)
        {
            throw new KwargException("regex", $"regex is not a valid regular expression: {ex.Message}");
        }

        return Sql.String(pattern);
    }
}
