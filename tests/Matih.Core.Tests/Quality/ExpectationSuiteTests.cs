using Matih.Core.Quality;

namespace Matih.Core.Tests.Quality;

public sealed class ExpectationSuiteTests
{
    [Fact]
    public void The_seed_shape_is_read_with_defaults()
    {
        var parse = ExpectationSuite.Parse("""
            {
              "suite_name": "orders_validation",
              "dataset": "postgresql.novamart.orders",
              "expectations": [
                { "type": "expect_table_row_count_to_be_at_least", "kwargs": { "min_value": 1 } },
                { "type": "expect_column_values_to_not_be_null", "kwargs": { "column": "order_id" }, "meta": { "severity": "warning", "notes": "key" } },
                { "type": "expect_column_values_to_not_be_null", "kwargs": { "column": "customer_id", "mostly": 0.9 }, "severity": "info" }
              ]
            }
            """, TestRules.All);

        Assert.Empty(parse.Problems);
        var suite = parse.Suite!;
        Assert.Equal(("orders_validation", "postgresql.novamart.orders"), (suite.Name, suite.Dataset));
        Assert.Equal([ExpectationSeverity.Error, ExpectationSeverity.Warning, ExpectationSeverity.Info], suite.Expectations.Select(e => e.Severity));
        Assert.Equal("order_id", suite.Expectations[1].Column);
    }

    [Fact]
    public void Great_Expectations_own_key_names_are_accepted()
    {
        var parse = ExpectationSuite.Parse("""
            { "expectation_suite_name": "ge_suite", "expectations": [ { "expectation_type": "expect_column_values_to_not_be_null", "kwargs": { "column": "id" } } ] }
            """, TestRules.All);

        Assert.Empty(parse.Problems);
        Assert.Equal("ge_suite", parse.Suite!.Name);
        Assert.Null(parse.Suite.Dataset);
    }

    [Fact]
    public void Every_problem_is_listed_by_json_path()
    {
        var parse = ExpectationSuite.Parse("""
            {
              "suite_name": "",
              "dataset": "orders",
              "expectations": [
                { "type": "expect_column_values_to_be_purple", "kwargs": {} },
                { "type": "expect_column_values_to_not_be_null", "kwargs": { "mostly": 1.2, "colour": "red" } },
                { "type": "expect_table_row_count_to_be_at_least", "kwargs": { "min_value": "many" }, "severity": "urgent" },
                "not an object"
              ]
            }
            """, TestRules.All);

        Assert.Null(parse.Suite);
        Assert.Equal(
        [
            "$.dataset",
            "$.expectations[0].type",
            "$.expectations[1].kwargs.colour",
            "$.expectations[1].kwargs.column",
            "$.expectations[1].kwargs.mostly",
            "$.expectations[2].kwargs.min_value",
            "$.expectations[2].severity",
            "$.expectations[3]",
            "$.suite_name",
        ], parse.Problems.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.Equal(
            "unknown expectation type 'expect_column_values_to_be_purple'. Known types: expect_column_values_to_not_be_null, expect_table_row_count_to_be_at_least.",
            parse.Problems.Single(p => p.Path == "$.expectations[0].type").Message);
    }

    [Fact]
    public void A_misspelt_type_suggests_the_type_it_resembles()
    {
        var parse = ExpectationSuite.Parse("""
            { "suite_name": "s", "expectations": [ { "type": "expect_column_values_to_not_be_nul", "kwargs": { "column": "id" } } ] }
            """, TestRules.All);

        Assert.StartsWith("unknown expectation type 'expect_column_values_to_not_be_nul'. Did you mean 'expect_column_values_to_not_be_null'? Known types:",
            Assert.Single(parse.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_is_one_problem_at_the_root()
    {
        var parse = ExpectationSuite.Parse("{ \"suite_name\": ", TestRules.All);

        Assert.Equal("$", Assert.Single(parse.Problems).Path);
    }

    [Fact]
    public void A_stored_suite_keeps_expectations_whose_plugin_is_gone_when_read_leniently()
    {
        const string json = """{ "suite_name": "s", "expectations": [ { "type": "expect_from_a_removed_plugin", "kwargs": {} } ] }""";

        Assert.Null(ExpectationSuite.Parse(json, TestRules.All).Suite);
        Assert.Equal("expect_from_a_removed_plugin", ExpectationSuite.Parse(json, TestRules.All, strict: false).Suite!.Expectations[0].Type);
    }

    [Fact]
    public void A_suite_written_back_reads_the_same()
    {
        var suite = ExpectationSuite.Parse("""
            { "suite_name": "s", "dataset": "a.b.c", "expectations": [ { "type": "expect_column_values_to_not_be_null", "kwargs": { "column": "id" }, "severity": "warning" } ] }
            """, TestRules.All).Suite!;

        var again = ExpectationSuite.Parse(suite.ToJson(), TestRules.All).Suite!;

        Assert.Equal(suite.Name, again.Name);
        Assert.Equal(suite.Dataset, again.Dataset);
        Assert.Equal(ExpectationSeverity.Warning, again.Expectations[0].Severity);
        Assert.Equal("id", again.Expectations[0].Column);
    }
}
