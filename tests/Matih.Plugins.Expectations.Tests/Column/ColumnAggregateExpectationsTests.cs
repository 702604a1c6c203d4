namespace Matih.Plugins.Expectations.Tests.Column;

public sealed class ColumnAggregateExpectationsTests : IClassFixture<QualityFixture>
{
    private readonly QualityFixture _fixture;

    public ColumnAggregateExpectationsTests(QualityFixture fixture)
    {
        _fixture = fixture;
        People.Create(fixture);
    }

    [Fact]
    public async Task Unique_counts_every_row_whose_value_is_repeated_as_GE_does()
    {
        // ids 1, 2, 2, 3, NULL, 4, 4, 4: the two 2s and the three 4s are unexpected; the null is neither.
        var result = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_unique", new { column = "id" });

        Assert.False(result.Success);
        Assert.Equal(8L, result.Result["element_count"]);
        Assert.Equal(1L, result.Result["missing_count"]);
        Assert.Equal(5L, result.Result["unexpected_count"]);
        Assert.Equal(500.0 / 7, (double)result.Result["unexpected_percent"]!, 6);
        Assert.Equal([2, 2, 4, 4, 4], ((List<object?>)result.Result["partial_unexpected_list"]!).Select(Convert.ToInt32));
    }

    [Theory]
    [InlineData(0.28, true)]
    [InlineData(0.29, false)]
    public async Task Mostly_lets_unique_pass_when_enough_values_are_unique(double mostly, bool success)
    {
        // 2 of the 7 non-null ids are unique: 0.2857.
        var result = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_unique", new { column = "id", mostly });

        Assert.Equal(success, result.Success);
    }

    [Fact]
    public async Task The_proportion_of_unique_values_is_distinct_over_non_null()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_proportion_of_unique_values_to_be_between", new { column = "id", min_value = 0.5, max_value = 0.6 });

        Assert.True(result.Success);
        Assert.Equal(4.0 / 7, (double)result.Result["observed_value"]!, 9);
    }

    [Fact]
    public async Task The_unique_value_count_is_the_number_of_distinct_non_null_values()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_unique_value_count_to_be_between", new { column = "segment", min_value = 5 });

        Assert.False(result.Success);
        Assert.Equal(4L, result.Result["observed_value"]);
    }

    [Theory]
    [InlineData("min", 10.0)]
    [InlineData("max", 80.0)]
    [InlineData("mean", 46.5)]
    [InlineData("median", 50.0)]
    [InlineData("sum", 325.5)]
    [InlineData("stdev", 25.898841673)]
    public async Task Column_statistics_are_computed_over_the_non_null_values(string statistic, double expected)
    {
        var result = await _fixture.CheckAsync(People.Table, $"expect_column_{statistic}_to_be_between", new { column = "score", min_value = expected - 0.001, max_value = expected + 0.001 });

        Assert.True(result.Success, $"{statistic}: observed {result.Result["observed_value"]}");
        Assert.Equal(expected, Convert.ToDouble(result.Result["observed_value"]), 6);
    }

    [Fact]
    public async Task A_statistic_on_its_strict_bound_fails()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_max_to_be_between", new { column = "score", min_value = 0, max_value = 80, strict_max = true });

        Assert.False(result.Success);
    }

    [Fact]
    public async Task Min_and_max_of_a_date_column_take_date_bounds()
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_column_min_to_be_between", new { column = "signup", min_value = "2023-12-31", max_value = "2024-01-01" });

        Assert.True(result.Success);
    }

    [Fact]
    public async Task Distinct_values_in_set_observes_the_sorted_distinct_values()
    {
        var inSet = await _fixture.CheckAsync(People.Table, "expect_column_distinct_values_to_be_in_set", new { column = "segment", value_set = new[] { "Gold", "Silver", "Bronze", "Platinum", "New" } });
        var missing = await _fixture.CheckAsync(People.Table, "expect_column_distinct_values_to_be_in_set", new { column = "segment", value_set = new[] { "Gold", "Silver" } });
        var contains = await _fixture.CheckAsync(People.Table, "expect_column_distinct_values_to_contain_set", new { column = "segment", value_set = new[] { "Gold", "New" } });
        var equals = await _fixture.CheckAsync(People.Table, "expect_column_distinct_values_to_equal_set", new { column = "segment", value_set = new[] { "Gold", "Silver", "Bronze", "Platinum" } });

        Assert.True(inSet.Success);
        Assert.Equal(["Bronze", "Gold", "Platinum", "Silver"], (List<object?>)inSet.Result["observed_value"]!);
        Assert.False(missing.Success);
        Assert.Equal(["Bronze", "Platinum"], (List<object?>)missing.Result["values_not_in_set"]!);
        Assert.False(contains.Success);
        Assert.True(equals.Success);
    }

    [Fact]
    public async Task Compound_uniqueness_counts_rows_of_repeated_combinations()
    {
        // (id, region): (2, S) and (4, E) occur twice each; (NULL, N) is kept because not all of its values are missing.
        var result = await _fixture.CheckAsync(People.Table, "expect_compound_columns_to_be_unique", new { column_list = new[] { "id", "region" } });
        var skipping = await _fixture.CheckAsync(People.Table, "expect_compound_columns_to_be_unique", new { column_list = new[] { "id", "region" }, ignore_row_if = "any_value_is_missing" });

        Assert.False(result.Success);
        Assert.Equal(4L, result.Result["unexpected_count"]);
        Assert.Equal(0L, result.Result["missing_count"]);
        var sample = (List<object?>)result.Result["partial_unexpected_list"]!;
        Assert.Equal(4, sample.Count);
        Assert.Equal("""{"id":2,"region":"S"}""", ((System.Text.Json.JsonElement)sample[0]!).GetRawText());
        Assert.Equal(1L, skipping.Result["missing_count"]);
    }

    [Fact]
    public async Task Increasing_allows_equal_neighbours_unless_strictly()
    {
        var increasing = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_increasing", new { column = "id" });
        var strictly = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_increasing", new { column = "id", strictly = true });
        var decreasing = await _fixture.CheckAsync(People.Table, "expect_column_values_to_be_decreasing", new { column = "score" });

        Assert.True(increasing.Success);
        Assert.False(strictly.Success);
        Assert.Equal(3L, strictly.Result["unexpected_count"]);
        Assert.Equal([2, 4, 4], ((List<object?>)strictly.Result["partial_unexpected_list"]!).Select(Convert.ToInt32));
        Assert.Equal(6L, decreasing.Result["unexpected_count"]);
    }
}
