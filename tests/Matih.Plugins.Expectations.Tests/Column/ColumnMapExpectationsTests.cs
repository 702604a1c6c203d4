namespace Matih.Plugins.Expectations.Tests.Column;

public sealed class ColumnMapExpectationsTests : IClassFixture<QualityFixture>
{
    private readonly QualityFixture _fixture;

    public ColumnMapExpectationsTests(QualityFixture fixture)
    {
        _fixture = fixture;
        People.Create(fixture);
    }

    [Fact]
    public async Task Nulls_are_the_unexpected_values_of_not_be_null_over_every_row()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_values_to_not_be_null", new { column = "name" });

        Assert.False(result.Success);
        Assert.Equal(8L, result.Result["element_count"]);
        Assert.Equal(2L, result.Result["unexpected_count"]);
        Assert.Equal(25.0, (double)result.Result["unexpected_percent"]!, 6);
        Assert.Equal([null, null], (List<object?>)result.Result["partial_unexpected_list"]!);
    }

    [Theory]
    [InlineData(0.75, true)]
    [InlineData(0.8, false)]
    public async Task Mostly_lets_not_be_null_pass_when_enough_rows_have_values(double mostly, bool success)
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_values_to_not_be_null", new { column = "name", mostly });

        Assert.Equal(success, result.Success);
    }

    [Fact]
    public async Task Be_null_counts_non_null_values_as_unexpected_over_every_row()
    {
        var strict = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_null", new { column = "name" });
        var loose = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_null", new { column = "name", mostly = 0.25 });

        Assert.False(strict.Success);
        Assert.Equal(6L, strict.Result["unexpected_count"]);
        Assert.Equal(75.0, (double)strict.Result["unexpected_percent"]!, 6);
        Assert.True(loose.Success);
    }

    [Fact]
    public async Task Between_ignores_nulls_and_counts_values_outside_the_bounds()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_between", new { column = "score", min_value = 10, max_value = 70 });

        Assert.False(result.Success);
        Assert.Equal(8L, result.Result["element_count"]);
        Assert.Equal(1L, result.Result["missing_count"]);
        Assert.Equal(1L, result.Result["unexpected_count"]);
        Assert.Equal(100.0 / 7, (double)result.Result["unexpected_percent"]!, 6);
        Assert.Equal([80.0], (List<object?>)result.Result["partial_unexpected_list"]!);
    }

    [Fact]
    public async Task Strict_bounds_exclude_the_bounds_themselves()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_between",
            new { column = "score", min_value = 10, max_value = 80, strict_min = true, strict_max = true });

        Assert.Equal(2L, result.Result["unexpected_count"]);
        Assert.Equal([10.0, 80.0], ((List<object?>)result.Result["partial_unexpected_list"]!).Order());
    }

    [Fact]
    public async Task A_null_bound_is_open()
    {
        var atLeast = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_between", new { column = "score", min_value = 50, max_value = (double?)null });
        var atMost = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_between", new { column = "score", max_value = 20 });

        Assert.Equal(3L, atLeast.Result["unexpected_count"]);
        Assert.Equal(5L, atMost.Result["unexpected_count"]);
    }

    [Fact]
    public async Task Mostly_applies_to_the_non_null_values()
    {
        // 6 of the 7 non-null scores are within 10..70: 0.857.
        var passes = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_between", new { column = "score", min_value = 10, max_value = 70, mostly = 0.85 });
        var fails = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_between", new { column = "score", min_value = 10, max_value = 70, mostly = 0.86 });

        Assert.True(passes.Success);
        Assert.False(fails.Success);
    }

    [Fact]
    public async Task Dates_are_compared_with_date_bounds()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_between", new { column = "signup", min_value = "2024-02-01", max_value = "2024-07-01" });

        Assert.Equal(2L, result.Result["unexpected_count"]);
        Assert.Equal(1L, result.Result["missing_count"]);
    }

    [Fact]
    public async Task In_set_reports_the_values_outside_the_set_and_ignores_nulls()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_in_set", new { column = "segment", value_set = new[] { "Gold", "Silver", "Bronze" } });

        Assert.False(result.Success);
        Assert.Equal(1L, result.Result["unexpected_count"]);
        Assert.Equal(1L, result.Result["missing_count"]);
        Assert.Equal(["Platinum"], (List<object?>)result.Result["partial_unexpected_list"]!);
    }

    [Fact]
    public async Task Not_in_set_counts_the_values_inside_the_set()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_values_to_not_be_in_set", new { column = "segment", value_set = new[] { "Gold" } });

        Assert.Equal(3L, result.Result["unexpected_count"]);
    }

    [Fact]
    public async Task Regex_matches_anywhere_in_the_text_and_not_match_is_its_opposite()
    {
        var match = await _fixture.CheckAsync(People.Table, "expect_column_values_to_match_regex", new { column = "name", regex = "^[a-c]" });
        var notMatch = await _fixture.CheckAsync(People.Table, "expect_column_values_to_not_match_regex", new { column = "name", regex = "o" });

        Assert.Equal(3L, match.Result["unexpected_count"]);
        Assert.Equal(["dee", "ed", "flo"], ((List<object?>)match.Result["partial_unexpected_list"]!).Order());
        Assert.Equal(2L, notMatch.Result["unexpected_count"]);
    }

    [Fact]
    public async Task Value_lengths_are_measured_on_the_text()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_value_lengths_to_be_between", new { column = "name", min_value = 3 });

        Assert.Equal(2L, result.Result["unexpected_count"]);
        Assert.Equal(["cy", "ed"], ((List<object?>)result.Result["partial_unexpected_list"]!).Order());
    }

    [Fact]
    public async Task The_type_list_is_checked_against_the_column_type_with_sql_and_pandas_names()
    {
        Assert.True((await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_in_type_list", new { column = "id", type_list = new[] { "INTEGER", "BIGINT" } })).Success);
        Assert.True((await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_in_type_list", new { column = "score", type_list = new[] { "float64" } })).Success);
        var wrong = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_in_type_list", new { column = "name", type_list = new[] { "int64" } });

        Assert.False(wrong.Success);
        Assert.Equal("VARCHAR", wrong.Result["observed_value"]);
    }
}
