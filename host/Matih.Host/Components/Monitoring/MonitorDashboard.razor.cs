using System.Globalization;
using Matih.Core.Monitoring;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Monitoring;

/// <summary>
/// A <see cref="MonitorReport"/> as the seed's dashboard shows it (volume, latency p50/p99, error rate, drift with
/// [OK]/[ALERT], risk bands, weekly precision@k) plus the per-day series as charts.
/// </summary>
public partial class MonitorDashboard
{
    private static readonly (string Band, string Label)[] s_bands =
    [
        ("LOW", "Low risk (< 0.3)"),
        ("MEDIUM", "Med risk (0.3-0.7)"),
        ("HIGH", "High risk (> 0.7)"),
    ];

    /// <summary>The report to show.</summary>
    [Parameter, EditorRequired]
    public MonitorReport Report { get; set; } = default!;

    private static CultureInfo Invariant => CultureInfo.InvariantCulture;

    private static IReadOnlyList<(string Band, string Label)> Bands => s_bands;

    private BarChartOptions BarOptions { get; } = new() { ShowLegend = false, YAxisFormat = "0.#", BarWidthRatio = 0.8 };

    private IEnumerable<(string Label, string Value, string Id)> Figures =>
    [
        ("Prediction volume", $"{Report.Traffic.Volume.ToString("N0", Invariant)} requests", "volume"),
        ("Latency (p50)", Ms(Report.Traffic.LatencyP50Ms), "latency-p50"),
        ("Latency (p99)", Ms(Report.Traffic.LatencyP99Ms), "latency-p99"),
        ("Error rate", (Report.Traffic.ErrorRate * 100).ToString("0.00", Invariant) + "%", "error-rate"),
    ];

    private List<ChartSeries<double>> BandSeries { get; set; } = [];

    private string[] BandLabels { get; } = ["Low", "Medium", "High"];

    private string[] DayLabels { get; set; } = [];

    private List<ChartSeries<double>> DriftSeries { get; set; } = [];

    private List<ChartSeries<double>> LatencySeries { get; set; } = [];

    private List<ChartSeries<double>> VolumeSeries { get; set; } = [];

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        BandSeries = [Series("% of predictions", s_bands.Select(b => Math.Round(Report.RiskBands.GetValueOrDefault(b.Band) * 100, 1)))];
        DayLabels = Report.Daily.Select(d => d.Day.ToString("MM-dd", Invariant)).ToArray();
        var features = Report.Daily.SelectMany(d => d.Drift.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();

        // A day without traffic has no drift figure: drawn as 0, the chart has no gaps.
        DriftSeries = features.Select(f => Series(f, Report.Daily.Select(d => Math.Round(d.Drift.GetValueOrDefault(f) ?? 0, 3)))).ToList();
        LatencySeries =
        [
            Series("p50", Report.Daily.Select(d => Math.Round(d.Traffic.LatencyP50Ms ?? 0, 1))),
            Series("p99", Report.Daily.Select(d => Math.Round(d.Traffic.LatencyP99Ms ?? 0, 1))),
        ];
        VolumeSeries = [Series("predictions", Report.Daily.Select(d => (double)d.Traffic.Volume))];
    }

    private static ChartSeries<double> Series(string name, IEnumerable<double> values) => new() { Name = name, Data = new ChartData<double>(values.ToArray()) };

    private string Share(string band) => (Report.RiskBands.GetValueOrDefault(band) * 100).ToString("0.0", Invariant) + "%";

    private static string CheckName(CheckResult d) => d.Type == "feature_drift" ? $"Feature drift ({d.Method.ToUpperInvariant()})" : $"Prediction drift ({d.Method})";

    private static string Figure(CheckResult d) =>
        d.Value is not { } v ? "n/a" : d.PValue is { } p ? $"{v.ToString("0.00", Invariant)} (p={p.ToString("0.000", Invariant)})" : v.ToString("0.00", Invariant);

    private static string Ms(double? ms) => ms is not { } v ? "n/a" : v < 10 ? v.ToString("0.0", Invariant) + "ms" : v.ToString("0", Invariant) + "ms";

    private static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", Invariant);
}
