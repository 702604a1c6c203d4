using System.Text.Json;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;

namespace Matih.Core.Tests.Quality;

/// <summary>Two small quality rules standing in for the expectations plugin, so the engine is tested on its own.</summary>
internal static class TestRules
{
    public static IReadOnlyList<IQualityRule> All { get; } = [new RowsAtLeast(), new NotNull()];

    /// <summary><c>expect_table_row_count_to_be_at_least</c> {min_value}: an aggregate.</summary>
    private sealed class RowsAtLeast : IQualityRule
    {
        public string ExpectationType => "expect_table_row_count_to_be_at_least";

        public string Description => "At least min_value rows.";

        public IReadOnlyList<ParameterSpec> Kwargs { get; } = [new("min_value", ParameterType.Integer, "The fewest rows.") { Required = true, Minimum = 0 }];

        public ExpectationPlan Plan(JsonElement kwargs, TableRef table, TableSchema schema)
        {
            var min = kwargs.GetProperty("min_value").GetInt64();
            return new AggregatePlan(["count(*)"], v => new ExpectationOutcome(Convert.ToInt64(v[0]) >= min, v[0]));
        }
    }

    /// <summary><c>expect_column_values_to_not_be_null</c> {column, mostly}: a column map.</summary>
    private sealed class NotNull : IQualityRule
    {
        public string ExpectationType => "expect_column_values_to_not_be_null";

        public string Description => "No nulls.";

        public IReadOnlyList<ParameterSpec> Kwargs { get; } =
        [
            new("column", ParameterType.String, "The column.") { Required = true },
            new("mostly", ParameterType.Number, "Share.") { Minimum = 0, Maximum = 1 },
        ];

        public ExpectationPlan Plan(JsonElement kwargs, TableRef table, TableSchema schema)
        {
            var column = kwargs.GetProperty("column").GetString()!;
            return schema.Find(column) is { } found
                ? new ColumnMapPlan(found.Name, "FALSE", kwargs.TryGetProperty("mostly", out var m) ? m.GetDouble() : 1) { NullsAreUnexpected = true }
                : ExpectationPlan.Invalid("column", $"The table has no column '{column}'.");
        }
    }
}
