using System.Globalization;
using System.Text;
using Matih.Sdk.Drift;

namespace Matih.Core.Monitoring;

/// <summary>Traffic figures of a period.</summary>
public sealed record TrafficFigures(long Volume, double? LatencyP50Ms, double? LatencyP99Ms, double ErrorRate);

/// <summary>One day of the period, for the charts over time.</summary>
public sealed record DailyFigures(DateOnly Day, TrafficFigures Traffic, IReadOnlyDictionary<string, double?> Drift);

/// <summary>A week's accuracy.</summary>
public sealed record WeeklyAccuracy(int Week, DateTimeOffset From, DateTimeOffset To, double? Value, string Status, string? Detail);

/// <summary>The monitoring dashboard of a monitor: the seed's figures, plus series for charts.</summary>
public sealed record MonitorReport(
    string Monitor,
    string Deployment,
    DateTimeOffset From,
    DateTimeOffset To,
    TrafficFigures Traffic,
    IReadOnlyList<CheckResult> Drift,
    IReadOnlyDictionary<string, double> RiskBands,
    IReadOnlyList<WeeklyAccuracy> Accuracy,
    IReadOnlyList<DailyFigures> Daily,
    string Link)
{
    /// <summary>The dashboard as the seed prints it.</summary>
    public string Text
    {
        get
        {
            var title = $"{Deployment} - Production Monitoring";
            var text = new StringBuilder();
            text.AppendLine(title).AppendLine(new string('─', title.Length));
            text.AppendLine(CultureInfo.InvariantCulture, $"Period: {From.UtcDateTime:yyyy-MM-dd} to {To.UtcDateTime:yyyy-MM-dd}").AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Prediction Volume:     {Traffic.Volume:N0} requests");
            text.AppendLine(CultureInfo.InvariantCulture, $"Avg Latency (p50):     {Ms(Traffic.LatencyP50Ms)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Avg Latency (p99):     {Ms(Traffic.LatencyP99Ms)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"Error Rate:            {Traffic.ErrorRate * 100:0.00}%");
            foreach (var group in Drift.GroupBy(d => (d.Type, d.Method)))
            {
                text.AppendLine().AppendLine(group.Key.Type == "feature_drift"
                    ? $"Feature Drift ({group.Key.Method.ToUpperInvariant()}):"
                    : $"Prediction Drift ({group.Key.Method}):");
                var width = group.Max(d => d.Subject.Length) + 1;
                foreach (var d in group)
                {
                    var figure = d.Value is null ? "n/a" : (d.PValue is { } p ? $"{d.Value:0.00} (p={p:0.000})" : $"{d.Value:0.00}");
                    text.AppendLine(CultureInfo.InvariantCulture, $"  {(d.Subject + ":").PadRight(width + 1)}  {figure,-6}  [{Mark(d.Status)}]");
                }
            }

            text.AppendLine().AppendLine("Prediction Distribution:");
            text.AppendLine(CultureInfo.InvariantCulture, $"  Low risk  (< 0.3):    {RiskBands.GetValueOrDefault("LOW") * 100:0.0}%");
            text.AppendLine(CultureInfo.InvariantCulture, $"  Med risk  (0.3-0.7):  {RiskBands.GetValueOrDefault("MEDIUM") * 100:0.0}%");
            text.AppendLine(CultureInfo.InvariantCulture, $"  High risk (> 0.7):    {RiskBands.GetValueOrDefault("HIGH") * 100:0.0}%");
            if (Accuracy.Count > 0)
            {
                text.AppendLine().AppendLine("Weekly Accuracy (vs actual churn labels):");
                foreach (var week in Accuracy)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"  Week {week.Week}:  Precision@{K} = {(week.Value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "n/a")}  [{Mark(week.Status)}]");
                }
            }

            return text.ToString();
        }
    }

    /// <summary>k of the accuracy check, for the label.</summary>
    public int K { get; init; } = 1000;

    private static string Ms(double? ms) => ms is null ? "n/a" : ms < 10 ? $"{ms:0.0}ms" : $"{ms:0}ms";

    private static string Mark(string status) => status switch { "ok" => "OK", "alert" => "ALERT", "no_data" => "NO DATA", _ => "ERROR" };
}

/// <summary>Builds a <see cref="MonitorReport"/> from the prediction log and the monitor's checks.</summary>
internal sealed class MonitorReportBuilder(MonitorDefinition definition, PredictionLogWindows log, IReadOnlyList<IDriftDetector> detectors, string workbenchUrl)
{
    public delegate Task<IReadOnlyList<CheckResult>> Evaluate(MonitorCheck check, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    public async Task<MonitorReport> BuildAsync(DateTimeOffset from, DateTimeOffset to, Evaluate evaluate, CancellationToken cancellationToken)
    {
        _ = detectors;
        var traffic = new TrafficFigures(0, null, null, 0);
        var bands = new Dictionary<string, double>();
        var daily = new List<DailyFigures>();
        var drift = new List<CheckResult>();
        var accuracy = new List<WeeklyAccuracy>();
        var k = 1000;
        if (await log.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            traffic = await log.TrafficAsync(definition.Deployment, from, to, cancellationToken).ConfigureAwait(false);
            bands = await log.RiskBandsAsync(definition.Deployment, from, to, cancellationToken).ConfigureAwait(false);
        }

        // The drift figures: each drift check over its window ending at the period's end.
        foreach (var check in definition.Checks.Where(c => c.Type != "accuracy_tracking"))
        {
            drift.AddRange(await evaluate(check, to - check.Window, to, cancellationToken).ConfigureAwait(false));
        }

        // Weekly accuracy: each whole week of the period, oldest first.
        foreach (var check in definition.Checks.Where(c => c.Type == "accuracy_tracking"))
        {
            k = check.K ?? k;
            var week = 1;
            for (var start = from; start + TimeSpan.FromDays(7) <= to + TimeSpan.FromHours(1); start += TimeSpan.FromDays(7), week++)
            {
                var end = start + TimeSpan.FromDays(7);
                var result = (await evaluate(check, start, end, cancellationToken).ConfigureAwait(false)).Single();
                accuracy.Add(new WeeklyAccuracy(week, start, end, result.Value, result.Status, result.Detail));
            }
        }

        // Charts over time: traffic per day and each feature's drift per day (a one-day window).
        var featureChecks = definition.Checks.Where(c => c.Type == "feature_drift").ToArray();
        for (var day = from.UtcDateTime.Date; day < to.UtcDateTime; day = day.AddDays(1))
        {
            var dayFrom = new DateTimeOffset(day, TimeSpan.Zero);
            var dayTo = dayFrom.AddDays(1);
            var dayTraffic = await log.ExistsAsync(cancellationToken).ConfigureAwait(false)
                ? await log.TrafficAsync(definition.Deployment, dayFrom, dayTo, cancellationToken).ConfigureAwait(false)
                : new TrafficFigures(0, null, null, 0);
            var values = new Dictionary<string, double?>();
            if (dayTraffic.Volume > 0)
            {
                foreach (var check in featureChecks)
                {
                    foreach (var r in await evaluate(check, dayFrom, dayTo, cancellationToken).ConfigureAwait(false))
                    {
                        values[r.Subject] = r.Value;
                    }
                }
            }

            daily.Add(new DailyFigures(DateOnly.FromDateTime(day), dayTraffic, values));
        }

        return new MonitorReport(definition.Name, definition.Deployment, from, to, traffic, drift, bands, accuracy, daily,
            $"{workbenchUrl.TrimEnd('/')}/monitoring/{Uri.EscapeDataString(definition.Name)}")
        {
            K = k,
        };
    }
}
