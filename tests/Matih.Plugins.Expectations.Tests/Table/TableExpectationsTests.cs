namespace Matih.Plugins.Expectations.Tests.Table;

public sealed class TableExpectationsTests : IClassFixture<QualityFixture>
{
    private readonly QualityFixture _fixture;

    public TableExpectationsTests(QualityFixture fixture)
    {
        _fixture = fixture;
        People.Create(fixture);
    }

    [Theory]
    [InlineData(1, 10, true)]
    [InlineData(9, 10, false)]
    [InlineData(8, null, true)]
    [InlineData(null, 7, false)]
    public async Task Row_count_between_takes_open_bounds(int? min, int? max, bool success)
    {
        var result = await _fixture.CheckAsync(People.Table, "expect_table_row_count_to_be_between", new { min_value = min, max_value = max });

        Assert.Equal(success, result.Success);
        Assert.Equal(8L, result.Result["observed_value"]);
    }

    [Fact]
    public async Task Row_count_to_equal_compares_exactly()
    {
        Assert.True((await _fixture.CheckAsync(People.Table, "expect_table_row_count_to_equal", new { value = 8 })).Success);
        Assert.False((await _fixture.CheckAsync(People.Table, "expect_table_row_count_to_equal", new { value = 7 })).Success);
    }

    [Fact]
    public async Task Columns_must_match_the_ordered_list_exactly()
    {
        var ordered = await _fixture.CheckAsync(People.Table, "expect_table_columns_to_match_ordered_list", new { column_list = new[] { "id", "name", "score", "segment", "region", "signup" } });
        var swapped = await _fixture.CheckAsync(People.Table, "expect_table_columns_to_match_ordered_list", new { column_list = new[] { "name", "id", "score", "segment", "region", "signup" } });

        Assert.True(ordered.Success);
        Assert.False(swapped.Success);
    }

    [Fact]
    public async Task Columns_match_a_set_in_any_order_and_exact_match_false_allows_more()
    {
        var exact = await _fixture.CheckAsync(People.Table, "expect_table_columns_to_match_set", new { column_set = new[] { "signup", "region", "segment", "score", "name", "id" } });
        var subset = await _fixture.CheckAsync(People.Table, "expect_table_columns_to_match_set", new { column_set = new[] { "id", "name" } });
        var loose = await _fixture.CheckAsync(People.Table, "expect_table_columns_to_match_set", new { column_set = new[] { "id", "name" }, exact_match = false });

        Assert.True(exact.Success);
        Assert.False(subset.Success);
        Assert.True(loose.Success);
    }

    [Fact]
    public async Task Column_to_exist_checks_the_name_and_the_position()
    {
        Assert.True((await _fixture.CheckAsync(People.Table, "expect_column_to_exist", new { column = "score" })).Success);
        Assert.True((await _fixture.CheckAsync(People.Table, "expect_column_to_exist", new { column = "score", column_index = 2 })).Success);
        Assert.False((await _fixture.CheckAsync(People.Table, "expect_column_to_exist", new { column = "score", column_index = 0 })).Success);
        Assert.False((await _fixture.CheckAsync(People.Table, "expect_column_to_exist", new { column = "churned" })).Success);
    }

    [Fact]
    public async Task Schema_only_expectations_read_no_data()
    {
        var validation = await _fixture.ValidateAsync(People.Table,
            ("expect_column_to_exist", new { column = "score" }),
            ("expect_table_columns_to_match_set", new { column_set = new[] { "id" }, exact_match = false }));

        Assert.Equal(0, validation.Queries);
    }
}
