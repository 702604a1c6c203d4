namespace Matih.Scripting.Tests.Platform;

public sealed class TableTests
{
    private static readonly Table s_table = new([new("customer_id", "BIGINT"), new("segment", "VARCHAR"), new("ltv", "DOUBLE")],
        [[1042587L, "Silver", 287.5], [7L, "Gold", null]]);

    [Fact]
    public void Columns_are_read_by_name_and_converted()
    {
        Assert.Equal([1042587L, 7L], s_table.Column<long>("customer_id"));
        Assert.Equal([287.5, null], s_table.Column<double?>("LTV"));
        Assert.Equal(1042587, s_table.Scalar<int>());
        Assert.Equal("Gold", s_table[1, "segment"]);
    }

    [Fact]
    public void An_unknown_column_is_named_with_the_columns_there_are()
    {
        var e = Assert.Throws<ArgumentException>(() => s_table.Column<string>("email"));

        Assert.Contains("no column 'email'. Columns: customer_id, segment, ltv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_asked_for_as_a_non_nullable_number_says_what_to_ask_for()
    {
        var e = Assert.Throws<InvalidCastException>(() => s_table.Value<double>(1, "ltv"));

        Assert.Contains("Double?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void As_text_the_rows_are_aligned_under_their_names()
    {
        var lines = s_table.ToString().Split(Environment.NewLine);

        Assert.StartsWith("customer_id  segment  ltv", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("1042587      Silver   287.5", lines[2], StringComparison.Ordinal);
        Assert.Equal("(2 rows)", lines[^1]);
    }

    [Fact]
    public void A_column_pair_becomes_a_series()
    {
        var series = s_table.ToSeries("segment", "customer_id");

        Assert.Equal(["Silver", "Gold"], series.Labels);
        Assert.Equal([1042587.0, 7.0], series.Values);
    }
}
