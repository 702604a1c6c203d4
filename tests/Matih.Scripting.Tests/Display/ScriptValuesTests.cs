using System.Text.Json.Nodes;
using Matih.Scripting.Display;

namespace Matih.Scripting.Tests.Display;

public sealed class ScriptValuesTests
{
    private sealed record Customer(long Id, string Segment, double Value);

    [Fact]
    public void A_table_is_a_grid_with_its_columns_types_and_rows()
    {
        var table = new Table([new("segment", "VARCHAR"), new("customers", "BIGINT")], [["Gold", 120L], ["Silver", 340L]]);

        var value = ScriptValues.Render(table);

        Assert.Equal("table", value.Kind);
        Assert.Equal(["segment", "customers"], value.Columns!.Select(c => c.Name));
        Assert.Equal("BIGINT", value.Columns![1].Type);
        Assert.Equal(2, value.RowCount);
        Assert.Equal("Silver", value.Rows![1][0].GetString());
        Assert.Equal(340, value.Rows[1][1].GetInt64());
        Assert.Contains("Gold", value.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_of_records_is_a_grid_with_a_column_per_property()
    {
        var value = ScriptValues.Render(new List<Customer> { new(1, "Gold", 287.5), new(2, "New", 12) });

        Assert.Equal("table", value.Kind);
        Assert.Equal(["Id", "Segment", "Value"], value.Columns!.Select(c => c.Name));
        Assert.Equal(287.5, value.Rows![0][2].GetDouble());
    }

    [Fact]
    public void Numbers_and_text_render_plainly()
    {
        Assert.Equal(("number", "0.183"), Pair(ScriptValues.Render(0.183)));
        Assert.Equal(("number", "42"), Pair(ScriptValues.Render(42)));
        Assert.Equal(("text", "churn"), Pair(ScriptValues.Render("churn")));
        Assert.Equal(("boolean", "true"), Pair(ScriptValues.Render(true)));
        Assert.Equal(("null", "null"), Pair(ScriptValues.Render(null)));
    }

    [Fact]
    public void A_list_of_numbers_is_a_line_chart()
    {
        var value = ScriptValues.Render(new List<int> { 5, 3, 8 });

        Assert.Equal("series", value.Kind);
        Assert.Equal("line", value.Chart);
        Assert.Equal([5.0, 3.0, 8.0], value.Series![0].Values);
        Assert.Equal(["1", "2", "3"], value.Series[0].Labels);
    }

    [Fact]
    public void A_dictionary_of_numbers_is_a_chart_labelled_by_its_keys()
    {
        var value = ScriptValues.Render(new Dictionary<string, double> { ["0-30"] = 41.2, ["31-60"] = 16.3 });

        Assert.Equal("series", value.Kind);
        Assert.Equal(["0-30", "31-60"], value.Series![0].Labels);
    }

    [Fact]
    public void A_series_as_bars_is_a_bar_chart()
    {
        var value = ScriptValues.Render(Series.Of("share", new Dictionary<string, double> { ["a"] = 1, ["b"] = 2 }).AsBars());

        Assert.Equal(("series", "bar"), (value.Kind, value.Chart));
    }

    [Fact]
    public void Json_is_shown_indented()
    {
        var value = ScriptValues.Render(JsonNode.Parse("{\"a\":1}"));

        Assert.Equal("json", value.Kind);
        Assert.Contains("\n", value.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_big_table_carries_at_most_a_thousand_rows_but_counts_them_all()
    {
        var rows = Enumerable.Range(0, 5000).Select(i => new object?[] { (long)i }).ToArray();

        var value = ScriptValues.Render(new Table([new("n", "BIGINT")], rows));

        Assert.Equal(1000, value.Rows!.Count);
        Assert.Equal(5000, value.RowCount);
    }

    [Fact]
    public void A_sequence_that_throws_while_shown_is_told_not_thrown()
    {
        static IEnumerable<int> Broken()
        {
            yield return 1;
            throw new InvalidOperationException("the source went away");
        }

        var value = ScriptValues.Render(Broken());

        Assert.Equal("text", value.Kind);
        Assert.Contains("the source went away", value.Text, StringComparison.Ordinal);
    }

    private static (string, string) Pair(Matih.Scripting.Protocol.ScriptValue value) => (value.Kind, value.Text);
}
