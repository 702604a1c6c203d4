using System.Globalization;
using System.Text.Json;
using Hangfire;
using Matih.Core.Connections;
using Matih.Core.Metadata;
using Matih.Sdk.Drift;
using Matih.Sdk.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Monitoring;

/// <summary>One check's verdict on one subject.</summary>
/// <param name="Check">The check's key.</param>
/// <param name="Type">feature_drift | prediction_drift | accuracy_tracking.</param>
/// <param name="Method">The detector's method.</param>
/// <param name="Subject">The feature, the prediction column, or the metric.</param>
/// <param name="Value">The statistic, or null without data.</param>
/// <param name="PValue">The p-value when the method has one.</param>
/// <param name="Threshold">The threshold.</param>
/// <param name="Status">ok | alert | no_data | error.</param>
/// <param name="Detail">Rows compared, or what went wrong.</param>
/// <param name="WindowStart">The current window's start.</param>
/// <param name="WindowEnd">The current window's end.</param>
public sealed record CheckResult(
    string Check, string Type, string Method, string Subject, double? Value, double? PValue, double Threshold, string Status, string? Detail,
    DateTimeOffset WindowStart, DateTimeOffset WindowEnd)
{
    /// <summary>Per-bin shares for charts.</summary>
    public IReadOnlyList<DriftBin> Bins { get; init; } = [];
}

/// <summary>An evaluation of a monitor and the alerts it sent.</summary>
public sealed record MonitorEvaluation(string Monitor, DateTimeOffset EvaluatedAt, IReadOnlyList<CheckResult> Results, IReadOnlyList<string> Alerts);

/// <summary>Which checks an evaluation runs.</summary>
public enum CheckSelection
{
    /// <summary>Drift checks (the monitor's own schedule).</summary>
    Drift,
    /// <summary>Accuracy checks (their evaluation_schedule).</summary>
    Accuracy,
    /// <summary>Everything.</summary>
    All,
}

/// <summary>Settings of monitoring on this host.</summary>
/// <param name="WorkbenchUrl">For links in alerts.</param>
public sealed record MonitoringOptions(string WorkbenchUrl);

/// <summary>
/// Monitors: the seed's monitor document stored as written; drift and accuracy checks evaluated over windows of the
/// prediction log by drift detector plugins; alerts through notifiers without storms; and the dashboard report.
/// </summary>
public sealed class Monitors(
    IDbContextFactory<MetadataDbContext> contexts,
    IEnumerable<IDriftDetector> detectors,
    PredictionLogWindows log,
    Notifications.Notifications notifications,
    IRecurringJobManager recurring,
    MonitoringOptions options,
    TimeProvider clock,
    ILogger<Monitors> logger)
{
    /// <summary>How often drift checks run when the monitor names no schedule.</summary>
    public const string DefaultSchedule = "0 * * * *";

    private readonly IReadOnlyList<IDriftDetector> _detectors = detectors.ToArray();

    /// <summary>Checks a monitor document without saving it.</summary>
    public (MonitorDefinition? Definition, IReadOnlyList<DocumentProblem> Problems) Validate(string json)
    {
        var (definition, problems) = MonitorDefinition.Parse(json, _detectors);
        if (definition is null)
        {
            return (null, problems);
        }

        var channelProblems = definition.Alerts.Channels
            .Select((c, i) => notifications.ChannelProblem(c.Channel) is { } p ? new DocumentProblem($"$.alerts.channels[{i}]", p) : null)
            .OfType<DocumentProblem>().ToArray();
        return channelProblems.Length > 0 ? (null, channelProblems) : (definition, []);
    }

    /// <summary>Saves (creates or replaces) a monitor and schedules its checks. Throws <see cref="MonitorDocumentException"/>.</summary>
    public async Task<MonitorDefinition> SaveAsync(string json, string owner, CancellationToken cancellationToken)
    {
        var (definition, problems) = Validate(json);
        if (definition is null)
        {
            throw new MonitorDocumentException(problems);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = await db.Set<MonitorRecord>().SingleOrDefaultAsync(m => m.Name == definition.Name, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            record = new MonitorRecord { Name = definition.Name, Deployment = definition.Deployment, Document = json, Owner = owner };
            db.Add(record);
        }

        record.Deployment = definition.Deployment;
        record.Document = json;
        record.Owner = owner;
        record.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        Schedule(definition);
        return definition;
    }

    /// <summary>A saved monitor, or null.</summary>
    public async Task<MonitorRecord?> GetAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<MonitorRecord>().AsNoTracking().SingleOrDefaultAsync(m => m.Name == name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every monitor, by name.</summary>
    public async Task<IReadOnlyList<MonitorRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<MonitorRecord>().AsNoTracking().OrderBy(m => m.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The alert state of each check and subject, latest change first: what is alerting now and what alerted and
    /// resolved. <paramref name="name"/> null gives every monitor's.
    /// </summary>
    public async Task<IReadOnlyList<MonitorAlertStateRecord>> AlertStatesAsync(string? name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var states = await db.Set<MonitorAlertStateRecord>().AsNoTracking().Where(s => name == null || s.Monitor == name).ToListAsync(cancellationToken).ConfigureAwait(false);

        // Ordered here: SQLite cannot order by DateTimeOffset.
        return states.OrderByDescending(s => s.Alerting).ThenByDescending(s => s.Since).ToArray();
    }

    /// <summary>Deletes a monitor, its schedule and alert state (measurements stay for the record).</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await db.Set<MonitorRecord>().Where(m => m.Name == name).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await db.Set<MonitorAlertStateRecord>().Where(s => s.Monitor == name).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        recurring.RemoveIfExists($"monitor:{name}");
        recurring.RemoveIfExists($"monitor:{name}:accuracy");
        return deleted > 0;
    }

    /// <summary>Registers every monitor's schedules (at start).</summary>
    public async Task ScheduleAllAsync(CancellationToken cancellationToken)
    {
        foreach (var record in await ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (MonitorDefinition.Parse(record.Document, _detectors).Definition is { } definition)
            {
                Schedule(definition);
            }
        }
    }

    /// <summary>
    /// Evaluates the monitor's checks at <paramref name="asOf"/> (now by default), records the figures, and sends
    /// alerts for checks whose state changed (or whose reminder is due).
    /// </summary>
    public async Task<MonitorEvaluation> EvaluateAsync(string name, CheckSelection selection, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var definition = await DefinitionAsync(name, cancellationToken).ConfigureAwait(false);
        var now = asOf ?? clock.GetUtcNow();
        var results = new List<CheckResult>();
        foreach (var check in definition.Checks.Where(c => selection == CheckSelection.All || (selection == CheckSelection.Accuracy) == (c.Type == "accuracy_tracking")))
        {
            results.AddRange(await EvaluateCheckAsync(definition, check, now - check.Window, now, cancellationToken).ConfigureAwait(false));
        }

        var alerts = await RecordAndAlertAsync(definition, results, now, cancellationToken).ConfigureAwait(false);
        return new MonitorEvaluation(name, now, results, alerts);
    }

    /// <summary>The dashboard of a monitor over [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public async Task<MonitorReport> ReportAsync(string name, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        var definition = await DefinitionAsync(name, cancellationToken).ConfigureAwait(false);
        var end = to ?? clock.GetUtcNow();
        var start = from ?? end.AddDays(-14);
        return await new MonitorReportBuilder(definition, log, _detectors, options.WorkbenchUrl)
            .BuildAsync(start, end, (check, f, t, ct) => EvaluateCheckAsync(definition, check, f, t, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Evaluates one check over [from, to).</summary>
    internal async Task<IReadOnlyList<CheckResult>> EvaluateCheckAsync(MonitorDefinition monitor, MonitorCheck check, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var detector = _detectors.FirstOrDefault(d => d.Method == check.Method);
        if (detector is null)
        {
            return [Result(check, check.Method, null, "error", $"The drift detector '{check.Method}' is not installed any more.", from, to)];
        }

        if (!await log.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            var subjects = check.Type == "feature_drift" ? check.Features : [check.Column ?? check.Method];
            return subjects.Select(s => Result(check, s, null, "no_data", "No predictions have been logged yet.", from, to)).ToArray();
        }

        var results = new List<CheckResult>();
        switch (check.Type)
        {
            case "feature_drift":
                foreach (var feature in check.Features)
                {
                    results.Add(await MeasureAsync(check, detector, feature, from, to, async ct =>
                    {
                        var categorical = await log.IsCategoricalAsync(check.ReferenceDataset!, feature, ct).ConfigureAwait(false);
                        var reference = await log.ReferenceAsync(check.ReferenceDataset!, feature, ct).ConfigureAwait(false);
                        var current = await log.FeatureAsync(monitor.Deployment, feature, categorical, from, to, ct).ConfigureAwait(false);
                        return (reference, current);
                    }, cancellationToken).ConfigureAwait(false));
                }

                break;
            case "prediction_drift":
                results.Add(await MeasureAsync(check, detector, check.Column ?? "prediction", from, to, async ct =>
                {
                    // Without a reference dataset, the window before is the reference: "did predictions move this week?"
                    var reference = check.ReferenceDataset is { } table
                        ? await log.ReferenceAsync(table, check.Column ?? "churn_probability", ct).ConfigureAwait(false)
                        : await log.PredictionsAsync(monitor.Deployment, from - (to - from), from, ct).ConfigureAwait(false);
                    var current = await log.PredictionsAsync(monitor.Deployment, from, to, ct).ConfigureAwait(false);
                    return (reference, current);
                }, cancellationToken).ConfigureAwait(false));
                break;
            default:
                results.Add(await MeasureAsync(check, detector, check.Method, from, to, async ct =>
                {
                    var current = await log.LabelledAsync(monitor.Deployment, check.GroundTruthTable!, check.LabelColumn, from, to, ct).ConfigureAwait(false);
                    return (new DriftSample { Numeric = [], Labels = [] }, current);
                }, cancellationToken).ConfigureAwait(false));
                break;
        }

        return results;
    }

    private static async Task<CheckResult> MeasureAsync(
        MonitorCheck check, IDriftDetector detector, string subject, DateTimeOffset from, DateTimeOffset to,
        Func<CancellationToken, Task<(DriftSample Reference, DriftSample Current)>> read, CancellationToken cancellationToken)
    {
        DriftSample reference, current;
        try
        {
            (reference, current) = await read(cancellationToken).ConfigureAwait(false);
        }
        catch (MonitorDataException e)
        {
            return Result(check, subject, null, "error", e.Message, from, to);
        }

        var currentRows = current.Numeric?.Length ?? current.Categorical?.Length ?? 0;
        var referenceRows = reference.Numeric?.Length ?? reference.Categorical?.Length ?? 0;
        if (currentRows == 0 || (check.Type != "accuracy_tracking" && referenceRows == 0))
        {
            return Result(check, subject, null, "no_data",
                currentRows == 0 ? $"No predictions in the window ({Window(from, to)})." : "The reference has no rows.", from, to);
        }

        var measurement = detector.Measure(reference, current, check.Options);
        var judged = measurement.PValue ?? measurement.Value;
        var detail = check.Type == "accuracy_tracking" ? $"{currentRows:N0} labelled predictions" : $"{currentRows:N0} current rows vs {referenceRows:N0} reference rows";
        if (double.IsNaN(judged))
        {
            return Result(check, subject, null, "no_data", $"{detector.Method} cannot be measured on this window ({detail}).", from, to);
        }

        var alert = detector.HigherIsWorse ? judged > check.Threshold : judged < check.Threshold;
        return new CheckResult(check.Key, check.Type, check.Method, subject, Finite(measurement.Value), measurement.PValue, check.Threshold, alert ? "alert" : "ok", detail, from, to)
        {
            Bins = measurement.Bins,
        };

        static double? Finite(double v) => double.IsFinite(v) ? v : null;
    }

    private static CheckResult Result(MonitorCheck check, string subject, double? value, string status, string detail, DateTimeOffset from, DateTimeOffset to) =>
        new(check.Key, check.Type, check.Method, subject, value, null, check.Threshold, status, detail, from, to);

    private async Task<IReadOnlyList<string>> RecordAndAlertAsync(MonitorDefinition definition, List<CheckResult> results, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var states = await db.Set<MonitorAlertStateRecord>().Where(s => s.Monitor == definition.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        var changes = new List<(CheckResult Result, AlertAction Action)>();
        foreach (var result in results)
        {
            db.Add(new MonitorMeasurementRecord
            {
                Monitor = definition.Name,
                Check = result.Check,
                Subject = result.Subject,
                EvaluatedAt = now,
                WindowStart = result.WindowStart,
                WindowEnd = result.WindowEnd,
                Value = result.Value,
                PValue = result.PValue,
                Threshold = result.Threshold,
                Status = result.Status,
                Detail = result.Detail,
            });
            var stored = states.FirstOrDefault(s => s.Check == result.Check && s.Subject == result.Subject);
            var previous = stored is null ? null : new AlertState(stored.Alerting, stored.Since, stored.LastNotified);
            bool? alerting = result.Status switch { "alert" => true, "ok" => false, _ => null };
            var (action, next) = AlertTracker.Decide(previous, alerting, now, definition.Alerts.Reminder);
            if (next is not null)
            {
                if (stored is null)
                {
                    stored = new MonitorAlertStateRecord { Monitor = definition.Name, Check = result.Check, Subject = result.Subject };
                    db.Add(stored);
                    states.Add(stored);
                }

                (stored.Alerting, stored.Since, stored.LastNotified) = (next.Alerting, next.Since, next.LastNotified);
            }

            if (action != AlertAction.None)
            {
                changes.Add((result, action));
            }
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (changes.Count == 0 || definition.Alerts.Channels.Count == 0)
        {
            return changes.Select(c => Line(c.Result, c.Action)).ToArray();
        }

        // One message per monitor and evaluation, however many checks changed.
        var severity = changes.Where(c => c.Action != AlertAction.Resolved)
            .Select(c => definition.Alerts.Severity.GetValueOrDefault(definition.Checks.First(k => k.Key == c.Result.Check).AlertKind, Severity.Warning))
            .DefaultIfEmpty(Severity.Info).Max();
        var lines = changes.Select(c => Line(c.Result, c.Action)).ToArray();
        var first = changes[0].Result;
        var notification = new Notification(
            $"{definition.Name}: {(changes.All(c => c.Action == AlertAction.Resolved) ? "back to normal" : $"{changes.Count(c => c.Action != AlertAction.Resolved)} check(s) alerting")} on {definition.Deployment}",
            string.Join("\n", lines),
            severity,
            new Uri($"{options.WorkbenchUrl.TrimEnd('/')}/monitoring/{Uri.EscapeDataString(definition.Name)}"))
        {
            Fields = new Dictionary<string, string>
            {
                ["deployment"] = definition.Deployment,
                ["feature"] = first.Subject,
                ["value"] = first.Value?.ToString("0.####", CultureInfo.InvariantCulture) ?? "n/a",
                ["threshold"] = first.Threshold.ToString("0.####", CultureInfo.InvariantCulture),
                ["window"] = Window(first.WindowStart, first.WindowEnd),
            },
        };
        foreach (var (reference, delivery) in await notifications.SendAsync(definition.Alerts.Channels.Select(c => c.ToString()), notification, cancellationToken).ConfigureAwait(false))
        {
            if (!delivery.Delivered)
            {
                logger.LogWarning("Alert of monitor {Monitor} not delivered to {Channel}: {Error}", definition.Name, reference, delivery.Error);
            }
        }

        return lines;
    }

    private static string Line(CheckResult r, AlertAction action)
    {
        var what = r.Type switch
        {
            "feature_drift" => $"Feature drift on {r.Subject}",
            "prediction_drift" => $"Prediction drift on {r.Subject}",
            _ => "Accuracy drop",
        };
        var figure = r.PValue is { } p
            ? $"{r.Method} statistic {r.Value:0.####}, p-value {p:0.####} (threshold {r.Threshold})"
            : $"{r.Method} {r.Value:0.####} (threshold {r.Threshold})";
        var verb = action switch
        {
            AlertAction.Raised => "ALERT",
            AlertAction.Reminder => "STILL ALERTING",
            _ => "RESOLVED",
        };
        return $"[{verb}] {what}: {figure} over {Window(r.WindowStart, r.WindowEnd)}.";
    }

    private static string Window(DateTimeOffset from, DateTimeOffset to) => $"{from.UtcDateTime:yyyy-MM-dd HH:mm} to {to.UtcDateTime:yyyy-MM-dd HH:mm} UTC";

    private async Task<MonitorDefinition> DefinitionAsync(string name, CancellationToken cancellationToken)
    {
        var record = await GetAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new KeyNotFoundException($"No monitor is named '{name}'.");
        var (definition, problems) = MonitorDefinition.Parse(record.Document, _detectors);
        return definition ?? throw new InvalidOperationException($"Monitor '{name}' no longer validates: {string.Join("; ", problems.Select(p => $"{p.Path}: {p.Message}"))}");
    }

    private void Schedule(MonitorDefinition definition)
    {
        var cronOptions = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
        recurring.AddOrUpdate<MonitorJob>($"monitor:{definition.Name}", job => job.RunAsync(definition.Name, CheckSelection.Drift, CancellationToken.None),
            definition.Schedule ?? DefaultSchedule, cronOptions);
        var accuracy = definition.Checks.FirstOrDefault(c => c.Type == "accuracy_tracking");
        if (accuracy is not null)
        {
            recurring.AddOrUpdate<MonitorJob>($"monitor:{definition.Name}:accuracy", job => job.RunAsync(definition.Name, CheckSelection.Accuracy, CancellationToken.None),
                accuracy.Schedule ?? "0 0 * * MON", cronOptions);
        }
        else
        {
            recurring.RemoveIfExists($"monitor:{definition.Name}:accuracy");
        }
    }
}

/// <summary>Why a monitor document was refused: every problem, by JSON path.</summary>
public sealed class MonitorDocumentException(IReadOnlyList<DocumentProblem> problems)
    : Exception(string.Join("; ", problems.Select(p => $"{p.Path}: {p.Message}")))
{
    /// <summary>The problems.</summary>
    public IReadOnlyList<DocumentProblem> Problems { get; } = problems;
}

/// <summary>Hangfire's recurring job for a monitor (thin; the engine does the work).</summary>
public sealed class MonitorJob(Monitors monitors)
{
    /// <summary>Evaluates the selected checks now.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public Task RunAsync(string monitor, CheckSelection selection, CancellationToken cancellationToken) =>
        monitors.EvaluateAsync(monitor, selection, null, cancellationToken);
}
