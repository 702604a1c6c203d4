using System.Text.Json.Nodes;
using Matih.Plugins.Expectations.Internal;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;

namespace Matih.Plugins.Expectations.Table;

/// <summary><c>expect_table_row_count_to_be_between</c>: the row count is within min_value..max_value.</summary>
internal sealed class RowCountToBeBetween : Expectation
{
    public override string ExpectationType => "expect_table_row_count_to_be_between";

    public override string Description => "The table has between min_value and max_value rows.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } = Kwarg.Range;

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var bounds = Bounds.Numeric(kwargs);
        return new AggregatePlan(["count(*)"], v =>
        {
            var rows = Convert.ToInt64(v[0], System.Globalization.CultureInfo.InvariantCulture);
            return Outcome(bounds.Contains(rows), rows);
        });
    }
}

/// <summary><c>expect_table_row_count_to_equal</c>: the row count is exactly value.</summary>
internal sealed class RowCountToEqual : Expectation
{
    public override string ExpectationType => "expect_table_row_count_to_equal";

    public override string Description => "The table has exactly value rows.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
        [new("value", ParameterType.Integer, "The expected row count.") { Required = true, Minimum = 0 }];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var expected = kwargs.RequiredInteger("value");
        return new AggregatePlan(["count(*)"], v =>
        {
            var rows = Convert.ToInt64(v[0], System.Globalization.CultureInfo.InvariantCulture);
            return Outcome(rows == expected, rows);
        });
    }
}

/// <summary><c>expect_table_columns_to_match_ordered_list</c>: the table's columns are exactly column_list, in order.</summary>
internal sealed class ColumnsToMatchOrderedList : Expectation
{
    public override string ExpectationType => "expect_table_columns_to_match_ordered_list";

    public override string Description => "The table's columns are exactly column_list, in that order.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
        [new("column_list", ParameterType.Array, "The expected column names in order.") { Required = true }];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var expected = kwargs.RequiredStrings("column_list");
        var actual = kwargs.Schema.Columns.Select(c => c.Name).ToArray();
        var mismatched = new List<object>();
        for (var i = 0; i < Math.Max(expected.Count, actual.Length); i++)
        {
            var want = i < expected.Count ? expected[i] : null;
            var found = i < actual.Length ? actual[i] : null;
            if (!string.Equals(want, found, StringComparison.Ordinal))
            {
                mismatched.Add(new Dictionary<string, object?> { ["expected_column_position"] = i, ["expected"] = want, ["found"] = found });
            }
        }

        // Schema only: no scan.
        return new AggregatePlan([], _ => Outcome(mismatched.Count == 0, actual, ("mismatched", mismatched)));
    }
}

/// <summary><c>expect_table_columns_to_match_set</c>: the table's columns are column_set (in any order).</summary>
internal sealed class ColumnsToMatchSet : Expectation
{
    public override string ExpectationType => "expect_table_columns_to_match_set";

    public override string Description => "The table's columns are column_set in any order (with exact_match false: include it).";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
    [
        new("column_set", ParameterType.Array, "The expected column names.") { Required = true },
        new("exact_match", ParameterType.Boolean, "False to allow columns beyond column_set.") { Default = JsonValue.Create(true) },
    ];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var expected = kwargs.RequiredStrings("column_set");
        var exact = kwargs.Bool("exact_match", true);
        var actual = kwargs.Schema.Columns.Select(c => c.Name).ToArray();
        var missing = expected.Except(actual, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var unexpected = actual.Except(expected, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var success = missing.Length == 0 && (!exact || unexpected.Length == 0);
        var details = new Dictionary<string, object?> { ["missing"] = missing, ["unexpected"] = unexpected };
        return new AggregatePlan([], _ => Outcome(success, actual.Order(StringComparer.Ordinal).ToArray(), ("mismatched", details)));
    }
}

/// <summary><c>expect_column_to_exist</c>: the table has the column (at column_index, when given).</summary>
internal sealed class ColumnToExist : Expectation
{
    public override string ExpectationType => "expect_column_to_exist";

    public override string Description => "The table has the column, at column_index (0-based) when given.";

    public override IReadOnlyList<ParameterSpec> Kwargs { get; } =
    [
        Kwarg.Column,
        new("column_index", ParameterType.Integer, "The 0-based position the column must have.") { Minimum = 0 },
    ];

    protected override ExpectationPlan PlanCore(KwargReader kwargs, TableRef table)
    {
        var name = kwargs.RequiredString("column");
        var index = kwargs.OptionalInteger("column_index");
        var columns = kwargs.Schema.Columns.Select(c => c.Name).ToList();
        var at = columns.FindIndex(c => string.Equals(c, name, StringComparison.Ordinal));
        var success = at >= 0 && (index is null || index == at);
        return new AggregatePlan([], _ => Outcome(success, at >= 0 ? columns[at] : null, ("column_index", at >= 0 ? at : null)));
    }
}
