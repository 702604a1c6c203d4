using Matih.Sdk.Quality;

namespace Matih.Plugins.Expectations.Tests;

public sealed class KwargsTests : IClassFixture<QualityFixture>
{
    private readonly QualityFixture _fixture;

    public KwargsTests(QualityFixture fixture)
    {
        _fixture = fixture;
        People.Create(fixture);
    }

    [Theory]
    [InlineData("expect_column_values_to_be_between", """{"column": "nope", "min_value": 0}""", "column", "no column 'nope'")]
    [InlineData("expect_column_values_to_be_between", """{"column": "score", "min_value": 10, "max_value": 5}""", "min_value", "above max_value")]
    [InlineData("expect_column_values_to_be_between", """{"column": "score"}""", "min_value", "cannot both be null")]
    [InlineData("expect_column_values_to_be_between", """{"column": "score", "min_value": "abc"}""", "min_value", "not a number")]
    [InlineData("expect_column_values_to_be_between", """{"column": "signup", "min_value": "yesterday"}""", "min_value", "not a date")]
    [InlineData("expect_column_values_to_not_be_null", """{"column": "name", "mostly": 1.5}""", "mostly", "between 0 and 1")]
    [InlineData("expect_column_values_to_not_be_null", """{"colum": "name"}""", "colum", "does not take 'colum'")]
    [InlineData("expect_column_values_to_be_in_set", """{"column": "segment", "value_set": "Gold"}""", "value_set", "JSON array")]
    [InlineData("expect_column_values_to_be_in_set", """{"column": "id", "value_set": [1, "two"]}""", "value_set", "not a number")]
    [InlineData("expect_column_values_to_match_regex", """{"column": "name", "regex": "(unclosed"}""", "regex", "not a valid regular expression")]
    [InlineData("expect_column_mean_to_be_between", """{"column": "name", "min_value": 1}""", "column", "needs a numeric column")]
    [InlineData("expect_table_row_count_to_equal", """{"value": -1}""", "value", "whole number")]
    [InlineData("expect_compound_columns_to_be_unique", """{"column_list": ["id"], "ignore_row_if": "sometimes"}""", "ignore_row_if", "must be one of")]
    public async Task Wrong_kwargs_are_reported_naming_the_kwarg(string type, string kwargs, string kwarg, string says)
    {
        var rule = _fixture.Rules.Single(r => r.ExpectationType == type);
        var schema = (await _fixture.Warehouse.GetSchemaAsync(Sdk.Data.TableRef.Parse(People.Table), default))!;

        var plan = rule.Plan(System.Text.Json.JsonDocument.Parse(kwargs).RootElement, Sdk.Data.TableRef.Parse(People.Table), schema);

        var invalid = Assert.IsType<InvalidKwargsPlan>(plan);
        Assert.Equal(kwarg, invalid.Kwarg);
        Assert.Contains(says, invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expectation_with_wrong_kwargs_fails_with_the_reason_and_the_others_are_still_evaluated()
    {
        var validation = await _fixture.ValidateAsync(People.Table,
            ("expect_column_values_to_be_between", new { column = "score", min_value = 10, max_value = 5 }),
            ("expect_column_values_to_not_be_null", new { column = "id" }));

        Assert.False(validation.Results[0].Success);
        Assert.Equal("kwargs.min_value: min_value (10) is above max_value (5).", validation.Results[0].Exception);
        Assert.Equal(1L, validation.Results[1].Result["unexpected_count"]);
    }

    [Fact]
    public async Task Identifiers_with_quotes_and_spaces_are_quoted()
    {
        _fixture.Sql(""""
            CREATE OR REPLACE TABLE analytics.test."odd ""names""" ("my col" INTEGER, "say ""hi""" VARCHAR);
            INSERT INTO analytics.test."odd ""names""" VALUES (1, 'a'), (NULL, 'b');
            """");

        var validation = await _fixture.ValidateAsync("analytics.test.\"odd \"\"names\"\"\"",
            ("expect_column_values_to_not_be_null", new { column = "my col" }),
            ("expect_column_values_to_be_unique", new { column = "say \"hi\"" }),
            ("expect_column_values_to_be_in_set", new { column = "say \"hi\"", value_set = new[] { "a", "it's" } }));

        Assert.All(validation.Results, r => Assert.Null(r.Exception));
        Assert.Equal(1L, validation.Results[0].Result["unexpected_count"]);
        Assert.True(validation.Results[1].Success);
        Assert.Equal(1L, validation.Results[2].Result["unexpected_count"]);
    }
}
