using Matih.Core.Quality;

namespace Matih.Plugins.Expectations.Tests;

/// <summary>The plugin's rules through Matih's quality engine: scans, the seed suite, text and stored runs.</summary>
public sealed class ValidationEngineTests : IClassFixture<QualityFixture>
{
    private readonly QualityFixture _fixture;

    public ValidationEngineTests(QualityFixture fixture)
    {
        _fixture = fixture;
        People.Create(fixture);
        // A small churn_features: 1,000 customers, days 0..999, order values 5..54.95, five segments.
        fixture.Sql("""
            CREATE SCHEMA IF NOT EXISTS analytics.derived;
            CREATE OR REPLACE TABLE analytics.derived.churn_features AS
            SELECT i AS customer_id, i AS days_since_last_order, 5 + (i % 1000) * 0.05 AS avg_order_value,
                   (['Gold', 'Silver', 'Bronze', 'New', 'Inactive'])[1 + i % 5] AS segment, (i % 10 < 3)::INTEGER AS is_churned
            FROM range(1000) t(i);
            """);
    }

    [Fact]
    public async Task The_seed_suite_is_read_verbatim_and_fails_only_its_row_count_on_a_small_table()
    {
        var parse = ExpectationSuite.Parse(QualityFixture.SeedSuite, _fixture.Rules);
        Assert.Empty(parse.Problems);

        var validation = await _fixture.Validator.ValidateAsync(parse.Suite!, Sdk.Data.TableRef.Parse(parse.Suite!.Dataset!), default);

        Assert.False(validation.Success);
        Assert.Equal(new ValidationStatistics(7, 6, 1, 600.0 / 7), validation.Statistics);
        Assert.False(validation.Results[0].Success);
        Assert.Equal(1000L, validation.Results[0].Result["observed_value"]);
        Assert.All(validation.Results.Skip(1), r => Assert.True(r.Success));
        Assert.Equal(1, validation.FailedErrors);
        Assert.Equal(0, validation.FailedWarnings);
    }

    [Fact]
    public async Task The_seed_suite_takes_one_scan()
    {
        var suite = ExpectationSuite.Parse(QualityFixture.SeedSuite, _fixture.Rules).Suite!;

        var validation = await _fixture.Validator.ValidateAsync(suite, Sdk.Data.TableRef.Parse(suite.Dataset!), default);

        // Row count, nulls, both ranges, the set and count(DISTINCT customer_id), which uniqueness and the proportion
        // share, in one SELECT. No repeats, so no grouped query; nothing unexpected, so no sample.
        Assert.Equal(1, validation.Queries);
    }

    [Fact]
    public async Task Repeated_values_cost_one_grouped_query_for_their_exact_rows()
    {
        var validation = await _fixture.ValidateAsync(People.Table,
            ("expect_column_values_to_be_unique", new { column = "id" }),
            ("expect_column_proportion_of_unique_values_to_be_between", new { column = "id", min_value = 0.5 }),
            ("expect_table_row_count_to_be_between", new { min_value = 1 }));

        Assert.Equal(2, validation.Queries);
        Assert.Equal(5L, validation.Results[0].Result["unexpected_count"]);
    }

    [Fact]
    public async Task Unexpected_values_are_sampled_in_one_more_statement_only_when_found()
    {
        var validation = await _fixture.ValidateAsync(People.Table,
            ("expect_column_values_to_be_between", new { column = "score", min_value = 0, max_value = 50 }),
            ("expect_column_values_to_be_in_set", new { column = "segment", value_set = new[] { "Gold" } }),
            ("expect_column_values_to_not_be_null", new { column = "name" }),
            ("expect_column_values_to_match_regex", new { column = "name", regex = "." }));

        Assert.Equal(2, validation.Queries);
        Assert.Equal(3, ((List<object?>)validation.Results[0].Result["partial_unexpected_list"]!).Count);
        Assert.Equal(4, ((List<object?>)validation.Results[1].Result["partial_unexpected_list"]!).Count);
    }

    [Fact]
    public async Task The_text_report_reads_like_the_seed()
    {
        var suite = ExpectationSuite.Parse(QualityFixture.SeedSuite, _fixture.Rules).Suite!;
        var validation = await _fixture.Validator.ValidateAsync(suite, Sdk.Data.TableRef.Parse(suite.Dataset!), default);

        var lines = ValidationText.Render(validation).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

        Assert.Equal("Suite: churn_features_validation", lines[0]);
        Assert.Matches(@"^Run Date: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$", lines[1]);
        Assert.Equal("Status: FAILED (6/7 expectations met)", lines[2]);
        Assert.Equal(
        [
            "  [FAIL] Row count: 1,000 (expected 1.8M - 2.2M)",
            "  [PASS] customer_id uniqueness: 100%",
            "  [PASS] customer_id nulls: 0.0%",
            "  [PASS] days_since_last_order range: all values in [0, 999]",
            "  [PASS] avg_order_value range: all values in [5.00, 54.95]",
            "  [PASS] customer_id uniqueness proportion: 1.0",
            "  [PASS] segment values: all in expected set",
        ], lines[3..]);
    }

    [Fact]
    public async Task A_missing_table_fails_every_expectation_saying_so()
    {
        var validation = await _fixture.ValidateAsync("analytics.test.nothing_here", ("expect_table_row_count_to_be_between", new { min_value = 1 }));

        Assert.False(validation.Success);
        Assert.Equal("The table analytics.test.nothing_here does not exist.", validation.Results[0].Exception);
    }

    [Fact]
    public async Task Warnings_are_counted_apart_from_errors()
    {
        var json = """
            {
              "suite_name": "people_checks",
              "dataset": "analytics.test.people",
              "expectations": [
                { "type": "expect_column_values_to_not_be_null", "kwargs": { "column": "name" }, "meta": { "severity": "warning" } },
                { "type": "expect_column_values_to_be_unique", "kwargs": { "column": "id" }, "severity": "error" },
                { "type": "expect_table_row_count_to_equal", "kwargs": { "value": 8 } }
              ]
            }
            """;
        Assert.Empty((await _fixture.Suites.SaveAsync(json, "priya", default)).Problems);

        var run = await _fixture.Validations.ValidateAsync("people_checks", null, "priya", default);

        Assert.False(run.Success);
        Assert.Equal((3, 1, 1, 1), (run.Evaluated, run.Successful, run.FailedErrors, run.FailedWarnings));
        Assert.Contains("  [WARN] name nulls: 25.0% (2 rows)", run.Text, StringComparison.Ordinal);
        Assert.Contains("  [FAIL] id uniqueness: 28.571% (5 rows share a value)", run.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_are_stored_in_GE_shape_and_listed_newest_first()
    {
        Assert.Empty((await _fixture.Suites.SaveAsync(QualityFixture.SeedSuite, "priya", default)).Problems);

        var first = await _fixture.Validations.ValidateAsync("churn_features_validation", null, "priya", default);
        var second = await _fixture.Validations.ValidateAsync("churn_features_validation", "analytics.derived.churn_features", "pipeline:churn-feature-refresh", default);
        var history = await _fixture.Validations.HistoryAsync("churn_features_validation", 10, default);
        var stored = await _fixture.Validations.GetAsync(first.Id, default);

        Assert.Equal([second.Id, first.Id], history.Take(2).Select(r => r.Id));
        Assert.NotNull(stored);
        Assert.Equal(first.Text, stored.Text);
        var result = stored.Result;
        Assert.False(result.GetProperty("success").GetBoolean());
        Assert.Equal(7, result.GetProperty("statistics").GetProperty("evaluated_expectations").GetInt32());
        var unique = result.GetProperty("results")[1];
        Assert.Equal("expect_column_values_to_be_unique", unique.GetProperty("expectation_config").GetProperty("type").GetString());
        Assert.Equal(0, unique.GetProperty("result").GetProperty("unexpected_count").GetInt32());
        Assert.Equal(1000, unique.GetProperty("result").GetProperty("element_count").GetInt32());
        Assert.Equal(0, unique.GetProperty("result").GetProperty("partial_unexpected_list").GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_suite_is_a_clear_KeyNotFoundException()
    {
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => _fixture.Validations.ValidateAsync("no_such_suite", null, "priya", default));

        Assert.Contains("'no_such_suite'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Saving_a_suite_checks_kwargs_against_an_existing_table_by_JSON_path()
    {
        var json = """
            {
              "suite_name": "typos",
              "dataset": "analytics.derived.churn_features",
              "expectations": [
                { "type": "expect_column_values_to_not_be_null", "kwargs": { "column": "customer_id" } },
                { "type": "expect_column_values_to_be_unique", "kwargs": { "column": "custmer_id" } },
                { "type": "expect_column_values_to_be_in_sett", "kwargs": { "column": "segment" } }
              ]
            }
            """;

        var unknownType = await _fixture.Suites.SaveAsync(json, "priya", default);
        var typo = await _fixture.Suites.SaveAsync(json.Replace("in_sett", "in_set", StringComparison.Ordinal).Replace("\"segment\" }", "\"segment\", \"value_set\": [\"Gold\"] }", StringComparison.Ordinal), "priya", default);

        Assert.Null(unknownType.Suite);
        var problem = Assert.Single(unknownType.Problems);
        Assert.Equal("$.expectations[2].type", problem.Path);
        Assert.Contains("unknown expectation type 'expect_column_values_to_be_in_sett'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("expect_column_values_to_be_in_set,", problem.Message, StringComparison.Ordinal);
        Assert.Equal("$.expectations[1].kwargs.column", Assert.Single(typo.Problems).Path);
    }
}
