using System.Globalization;
using Matih.Core.Catalog;
using Matih.Sdk.Data;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Catalog;

/// <summary>
/// The Profile tab of a table: the latest stored profile when there is one, a Profile button running
/// <see cref="TableProfiler.ProfileAsync"/> (exact unless the switch asks for estimates), a chart of the clicked
/// column, and the figures of an earlier profile from <see cref="TableProfiler.HistoryAsync"/> side by side.
/// </summary>
public partial class TableProfilePanel : IDisposable
{
    private const int HistoryLength = 20;
    private const int LabelEvery = 4;

    private readonly CancellationTokenSource _disposed = new();
    private TableRef? _loaded;

    [Inject]
    private TableProfiler Profiler { get; set; } = default!;

    /// <summary>The table to profile.</summary>
    [Parameter, EditorRequired]
    public TableRef Table { get; set; } = default!;

    /// <summary>The table's rows as the catalog knows them, for the progress message.</summary>
    [Parameter]
    public long? RowCount { get; set; }

    private IReadOnlyList<TableProfileResult> History { get; set; } = [];

    private TableProfileResult? Current { get; set; }

    private TableProfileResult? Comparing { get; set; }

    private IReadOnlyDictionary<string, ColumnChange>? Changes { get; set; }

    private string? CompareKey { get; set; }

    private bool Approximate { get; set; }

    private bool Profiling { get; set; }

    private bool Loaded { get; set; }

    private string? Error { get; set; }

    private string? SelectedColumn { get; set; }

    private List<ChartSeries<double>> ChartSeries { get; set; } = [];

    private string[] ChartLabels { get; set; } = [];

    private BarChartOptions ChartOptions { get; } = new() { ShowLegend = false, YAxisFormat = "#,0", BarWidthRatio = 0.9 };

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private TableProfileResult[] Earlier => History.Where(h => Current is null || h.TakenAt != Current.TakenAt).ToArray();

    private ColumnProfile? Selected => Current?.Columns.FirstOrDefault(c => c.Column == SelectedColumn);

    private string DroppedText => Current is { } current && Comparing is { } earlier && ProfileComparison.Dropped(current, earlier) is { Count: > 0 } dropped
        ? $" Columns no longer there: {string.Join(", ", dropped)}."
        : "";

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (Table == _loaded)
        {
            return;
        }

        _loaded = Table;
        (Current, Comparing, Changes, CompareKey, SelectedColumn, Error, Loaded) = (null, null, null, null, null, null, false);
        History = await Profiler.HistoryAsync(Table, HistoryLength, _disposed.Token);
        Show(History.FirstOrDefault());
        Loaded = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Cancelled, not disposed: a profile finishing after the page is left may still read the token.
        _disposed.Cancel();
    }

    private static string KeyOf(TableProfileResult profile) => profile.TakenAt.ToString("O", CultureInfo.InvariantCulture);

    private static string Distinct(long? distinct, bool approximate) =>
        distinct is { } value ? (approximate ? "~" : "") + CatalogText.Count(value) : CatalogText.None;

    private static string ChartCaption(ColumnProfile column) => column.TopValues.Count > 0
        ? $"Rows per value ({column.TopValues.Count} most frequent non-null values)."
        : $"Rows per bin of {(column.MinText is null ? "value" : "date")}, from {column.MinText ?? Number(column.Min)} to {column.MaxText ?? Number(column.Max)}.";

    private static string Number(double? value) => value?.ToString("#,0.##", CultureInfo.InvariantCulture) ?? CatalogText.None;

    private string RowClass(ColumnProfile column) => column.Column == SelectedColumn ? "profile-row profile-selected" : "profile-row";

    private async Task ProfileAsync()
    {
        (Profiling, Error) = (true, null);
        try
        {
            // DuckDB scans on a worker thread so the page keeps rendering the progress.
            var table = Table;
            var approximate = Approximate;
            var result = await Task.Run(() => Profiler.ProfileAsync(table, approximate, _disposed.Token));
            if (result is null)
            {
                Error = $"{Table} is not a warehouse table any more, so it cannot be profiled.";
                return;
            }

            History = await Profiler.HistoryAsync(Table, HistoryLength, _disposed.Token);
            var keep = CompareKey;
            Show(result);
            Compare(keep);
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
        catch (DuckDB.NET.Data.DuckDBException e)
        {
            Error = $"Profiling failed: {e.Message}";
        }
        finally
        {
            Profiling = false;
        }
    }

    private void Show(TableProfileResult? profile)
    {
        Current = profile;
        (Comparing, Changes, CompareKey) = (null, null, null);
        Select(profile?.Columns.FirstOrDefault(c => c.Histogram.Count > 0 || c.TopValues.Count > 0)?.Column ?? profile?.Columns.FirstOrDefault()?.Column);
    }

    private void Compare(string? key)
    {
        CompareKey = key;
        Comparing = key is null ? null : Earlier.FirstOrDefault(h => KeyOf(h) == key);
        Changes = Current is { } current && Comparing is { } earlier ? ProfileComparison.Compare(current, earlier) : null;
        if (Comparing is null)
        {
            CompareKey = null;
        }
    }

    private void Select(string? column)
    {
        SelectedColumn = column;
        if (Selected is not { } selected)
        {
            (ChartSeries, ChartLabels) = ([], []);
            return;
        }

        if (selected.TopValues.Count > 0)
        {
            ChartLabels = selected.TopValues.Select(v => v.Value).ToArray();
            ChartSeries = [new() { Name = selected.Column, Data = new ChartData<double>(selected.TopValues.Select(v => (double)v.Count).ToArray()) }];
        }
        else if (selected.Histogram.Count > 0)
        {
            // Every bin is drawn; every fourth is labelled so the labels stay readable.
            var bins = selected.Histogram;
            ChartLabels = bins.Select((b, i) => i % LabelEvery == 0 || i == bins.Count - 1 ? b.Label : "").ToArray();
            ChartSeries = [new() { Name = selected.Column, Data = new ChartData<double>(bins.Select(b => (double)b.Count).ToArray()) }];
        }
        else
        {
            (ChartSeries, ChartLabels) = ([], []);
        }
    }
}
