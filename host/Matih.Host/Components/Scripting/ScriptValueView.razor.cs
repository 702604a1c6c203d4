using System.Globalization;
using System.Text.Json;
using Matih.Scripting.Protocol;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Scripting;

/// <summary>Renders a <see cref="ScriptValue"/>: grids for tables (50 rows a page), charts for series, numbers and text plainly.</summary>
public partial class ScriptValueView
{
    private const int PageSize = 50;
    private ScriptValue? _shown;

    /// <summary>The value.</summary>
    [Parameter, EditorRequired]
    public ScriptValue Value { get; set; } = default!;

    private int Page { get; set; } = 1;

    private int PageCount => Math.Max(1, ((Value.Rows?.Count ?? 0) + PageSize - 1) / PageSize);

    private IEnumerable<JsonElement[]> PageRows => (Value.Rows ?? []).Skip((Page - 1) * PageSize).Take(PageSize);

    private string RowsText
    {
        get
        {
            var held = Value.Rows?.Count ?? 0;
            var all = Value.RowCount ?? held;
            var text = $"{all.ToString("N0", CultureInfo.InvariantCulture)} {(all == 1 ? "row" : "rows")}";
            return held < all ? $"{text} ({held.ToString("N0", CultureInfo.InvariantCulture)} shown)" : text;
        }
    }

    private List<ChartSeries<double>> Series { get; set; } = [];

    private string[] Labels { get; set; } = [];

    private BarChartOptions BarOptions { get; set; } = new();

    private LineChartOptions LineOptions { get; set; } = new();

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        if (ReferenceEquals(_shown, Value))
        {
            return;
        }

        _shown = Value;
        Page = 1;
        if (Value.Series is { Count: > 0 } series)
        {
            Labels = Thin(series[0].Labels);
            Series = series.Select(s => new ChartSeries<double> { Name = s.Name, Data = new ChartData<double>(s.Values.ToArray()) }).ToList();
            BarOptions = new BarChartOptions { ShowLegend = series.Count > 1 };
            LineOptions = new LineChartOptions { ShowLegend = series.Count > 1 };
        }
    }

    /// <summary>A cell as text: numbers invariant, null as null.</summary>
    public static string CellText(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "null",
        JsonValueKind.String => cell.GetString() ?? "",
        JsonValueKind.Number => cell.TryGetInt64(out var whole) ? whole.ToString("N0", CultureInfo.InvariantCulture) : cell.GetDouble().ToString("G10", CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => cell.GetRawText(),
    };

    private static string? CellClass(JsonElement cell) => cell.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "cell-null",
        JsonValueKind.Number => "num",
        _ => null,
    };

    // Long series label every n-th point so the axis stays readable.
    private static string[] Thin(IReadOnlyList<string> labels)
    {
        var every = Math.Max(1, labels.Count / 20);
        return labels.Select((l, i) => i % every == 0 || i == labels.Count - 1 ? l : "").ToArray();
    }

    private void ShowPage(int page) => Page = page;
}
