using System.Globalization;
using Hangfire;
using Hangfire.InMemory;
using Matih.Core.Monitoring;
using Matih.Core.Tests.Pipelines;
using Matih.Plugins.Drift;
using Matih.Sdk.Drift;
using Matih.Sdk.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Tests.Monitoring;

/// <summary>
/// The seed's monitor over two weeks of logged predictions: a normal week (Dec 15-22) and a week where
/// avg_order_value and the predictions shifted (Dec 22-29).
/// </summary>
public sealed class MonitorsTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset s_week1End = new(2025, 12, 22, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset s_week2End = new(2025, 12, 29, 0, 0, 0, TimeSpan.Zero);
    private readonly TestStores _stores = new();
    private readonly InMemoryStorage _jobs = new();
    private readonly RecordingNotifier _slack = new("slack");
    private readonly RecordingNotifier _email = new("email");
    private readonly Monitors _monitors;

    public MonitorsTests()
    {
        var services = new ServiceCollection();
        new DriftPlugin().Register(services, new ConfigurationBuilder().Build());
        var detectors = services.BuildServiceProvider().GetServices<IDriftDetector>();
        _monitors = new Monitors(_stores.Contexts, detectors, new PredictionLogWindows(_stores.Warehouse),
            new Matih.Core.Notifications.Notifications([_slack, _email]), new RecurringJobManager(_jobs), new MonitoringOptions("http://matih.test"),
            TimeProvider.System, NullLogger<Monitors>.Instance);
    }

    public async Task InitializeAsync()
    {
        await _stores.Warehouse.ExecuteAsync("""
            SELECT setseed(0.42);
            CREATE SCHEMA analytics.derived;
            CREATE SCHEMA analytics.monitoring;
            CREATE TABLE analytics.derived.churn_features_baseline_2025q4 AS
            SELECT i AS customer_id,
                   100 + 20 * sqrt(-2 * ln(random())) * cos(2 * pi() * random()) AS avg_order_value,
                   floor(-40 * ln(random()))::INTEGER AS days_since_last_order,
                   floor(10 * random())::INTEGER AS total_sessions_90d
            FROM range(20000) t(i);
            CREATE TABLE analytics.monitoring.prediction_log AS
            SELECT 'r' || i AS request_id, 'churn-predictor-v1' AS deployment, 'customer-churn-predictor' AS model_name, '1.0.0' AS model_version,
                   NULL::VARCHAR AS variant, CAST(i % 6000 AS VARCHAR) AS entity_key,
                   json_object('avg_order_value', aov, 'days_since_last_order', dsl, 'total_sessions_90d', ses)::VARCHAR AS features,
                   p AS probability, CASE WHEN p < 0.3 THEN 'LOW' WHEN p <= 0.7 THEN 'MEDIUM' ELSE 'HIGH' END AS risk,
                   (800 + 400 * random())::BIGINT AS latency_us, CASE WHEN i % 1000 = 0 THEN 'error' ELSE 'ok' END AS status, logged_at
            FROM (
                SELECT i, ts AS logged_at,
                       100 + 20 * sqrt(-2 * ln(random())) * cos(2 * pi() * random()) + CASE WHEN ts >= TIMESTAMP '2025-12-22' THEN 40 ELSE 0 END AS aov,
                       floor(-40 * ln(random()))::INTEGER AS dsl,
                       floor(10 * random())::INTEGER AS ses,
                       least(0.99, random() * CASE WHEN ts >= TIMESTAMP '2025-12-22' THEN 0.6 ELSE 1.0 END + CASE WHEN ts >= TIMESTAMP '2025-12-22' THEN 0.35 ELSE 0 END) AS p
                FROM (SELECT i, TIMESTAMP '2025-12-15' + INTERVAL (i * 30) SECOND AS ts FROM range(40320) t(i)));
            CREATE TABLE analytics.derived.actual_churn_labels AS
            SELECT DISTINCT CAST(entity_key AS INTEGER) AS customer_id, (random() < probability) AS churned
            FROM (SELECT entity_key, arg_max(probability, logged_at) AS probability FROM analytics.monitoring.prediction_log GROUP BY entity_key);
            """, default);
        await _monitors.SaveAsync(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seed", "churn-predictor-drift.json")), "priya", default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _jobs.Dispose();
        _stores.Dispose();
    }

    [Fact]
    public async Task The_seed_monitor_is_accepted_verbatim_and_scheduled()
    {
        using var storage = _jobs.GetConnection();
        var jobs = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(storage).ToDictionary(j => j.Id, j => j.Cron);

        Assert.Equal(Monitors.DefaultSchedule, jobs["monitor:churn-predictor-drift"]);
        Assert.Equal("0 0 * * MON", jobs["monitor:churn-predictor-drift:accuracy"]);
    }

    [Fact]
    public async Task A_normal_week_is_ok_and_the_drifted_week_alerts_once_naming_feature_value_threshold_and_window()
    {
        var quiet = await _monitors.EvaluateAsync("churn-predictor-drift", CheckSelection.Drift, s_week1End, default);
        Assert.All(quiet.Results.Where(r => r.Type == "feature_drift"), r => Assert.Equal("ok", r.Status));
        Assert.Empty(_slack.Sent);

        var drifted = await _monitors.EvaluateAsync("churn-predictor-drift", CheckSelection.Drift, s_week2End, default);
        var psi = drifted.Results.Where(r => r.Type == "feature_drift").ToDictionary(r => r.Subject);
        Assert.Equal("alert", psi["avg_order_value"].Status);
        Assert.True(psi["avg_order_value"].Value > 0.1);
        Assert.Equal("ok", psi["days_since_last_order"].Status);
        var ks = drifted.Results.Single(r => r.Type == "prediction_drift");
        Assert.Equal("alert", ks.Status);
        Assert.True(ks.PValue < 0.05);

        var (target, alert) = Assert.Single(_slack.Sent);
        Assert.Equal("#ml-alerts", target);
        Assert.Single(_email.Sent);
        Assert.Equal(Severity.Critical, alert.Severity);
        Assert.Contains("[ALERT] Feature drift on avg_order_value: psi", alert.Text, StringComparison.Ordinal);
        Assert.Contains("(threshold 0.1) over 2025-12-22 00:00 to 2025-12-29 00:00 UTC", alert.Text, StringComparison.Ordinal);
        Assert.Equal("http://matih.test/monitoring/churn-predictor-drift", alert.Link!.ToString());

        await _monitors.EvaluateAsync("churn-predictor-drift", CheckSelection.Drift, s_week2End.AddHours(1), default);
        Assert.Single(_slack.Sent);
    }

    [Fact]
    public async Task The_alert_states_put_what_is_alerting_first_for_the_monitoring_page()
    {
        Assert.Empty(await _monitors.AlertStatesAsync("churn-predictor-drift", default));
        await _monitors.EvaluateAsync("churn-predictor-drift", CheckSelection.Drift, s_week1End, default);
        await _monitors.EvaluateAsync("churn-predictor-drift", CheckSelection.Drift, s_week2End, default);

        var states = await _monitors.AlertStatesAsync("churn-predictor-drift", default);
        Assert.Equal(["avg_order_value", "churn_probability"], states.TakeWhile(s => s.Alerting).Select(s => s.Subject).Order());
        Assert.Contains(states, s => s.Subject == "days_since_last_order" && !s.Alerting);
        Assert.Equal(states.Count, (await _monitors.AlertStatesAsync(null, default)).Count);
    }

    [Fact]
    public async Task Precision_at_k_matches_the_top_k_latest_predictions_joined_with_ground_truth()
    {
        var evaluation = await _monitors.EvaluateAsync("churn-predictor-drift", CheckSelection.Accuracy, s_week1End, default);

        var result = Assert.Single(evaluation.Results);
        Assert.Equal(await HandComputedPrecisionAsync(s_week1End.AddDays(-7), s_week1End, 1000), result.Value!.Value, 6);
        Assert.Equal(result.Value > 0.7 ? "ok" : "alert", result.Status);
    }

    [Fact]
    public async Task The_report_shows_the_seed_dashboard_with_both_weeks()
    {
        var report = await _monitors.ReportAsync("churn-predictor-drift", s_week1End.AddDays(-7), s_week2End, default);

        Assert.Equal(40320, report.Traffic.Volume);
        Assert.InRange(report.Traffic.LatencyP50Ms!.Value, 0.9, 1.1);
        Assert.InRange(report.Traffic.ErrorRate, 0.0009, 0.0011);
        Assert.Equal(14, report.Daily.Count);
        Assert.True(report.Daily[10].Drift["avg_order_value"] > report.Daily[2].Drift["avg_order_value"]);
        Assert.Equal([1, 2], report.Accuracy.Select(w => w.Week));
        Assert.Equal(1.0, report.RiskBands.Values.Sum(), 6);
        var text = report.Text;
        Assert.Contains("churn-predictor-v1 - Production Monitoring", text, StringComparison.Ordinal);
        Assert.Contains("Period: 2025-12-15 to 2025-12-29", text, StringComparison.Ordinal);
        Assert.Contains("Prediction Volume:     40,320 requests", text, StringComparison.Ordinal);
        Assert.Matches(@"avg_order_value:\s+\d\.\d\d\s+\[ALERT\]", text);
        Assert.Matches(@"days_since_last_order:\s+\d\.\d\d\s+\[OK\]", text);
        Assert.Matches(@"Week 1:  Precision@1000 = \d\.\d\d  \[(OK|ALERT)\]", text);
    }

    [Fact]
    public void A_broken_monitor_is_refused_with_every_problem_by_json_path()
    {
        var (_, problems) = _monitors.Validate("""
            { "monitor_name": "m", "deployment": "d",
              "monitors": [ { "type": "feature_drift", "method": "psy", "features": [], "threshold": 0.1, "window": "a week" },
                            { "type": "accuracy_tracking", "metric": "precision_at_k", "k": 0, "evaluation_schedule": "monday" } ],
              "alerts": { "channels": ["pager:#x"], "severity_mapping": { "feature_drift": "loud" } } }
            """);

        var paths = problems.Select(p => p.Path).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "$.monitors[0].method", "$.monitors[0].features", "$.monitors[0].window", "$.monitors[0].reference_dataset",
            "$.monitors[1].k", "$.monitors[1].ground_truth_table", "$.monitors[1].evaluation_schedule", "$.monitors[1].alert_threshold",
            "$.alerts.severity_mapping.feature_drift",
        }, paths);
    }

    private async Task<double> HandComputedPrecisionAsync(DateTimeOffset from, DateTimeOffset to, int k)
    {
        var rows = await _stores.Warehouse.QueryAsync("SELECT entity_key, logged_at, probability, status FROM analytics.monitoring.prediction_log", default);
        var labels = (await _stores.Warehouse.QueryAsync("SELECT customer_id, churned FROM analytics.derived.actual_churn_labels", default)).Rows
            .ToDictionary(r => Convert.ToString(r[0], CultureInfo.InvariantCulture)!, r => (bool)r[1]!);
        var latest = rows.Rows
            .Where(r => (string)r[3]! == "ok")
            .Select(r => (Key: (string)r[0]!, At: new DateTimeOffset((DateTime)r[1]!, TimeSpan.Zero), P: (double)r[2]!))
            .Where(r => r.At >= from && r.At < to)
            .GroupBy(r => r.Key).Select(g => g.MaxBy(r => r.At))
            .Where(r => labels.ContainsKey(r.Key))
            .OrderByDescending(r => r.P).ToList();
        // Ties at the cut share the remaining places (the detector's rule); the data has no exact ties in practice.
        return latest.Take(k).Count(r => labels[r.Key]) / (double)Math.Min(k, latest.Count);
    }
}
