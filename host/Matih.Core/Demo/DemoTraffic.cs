using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.AbTests;
using Matih.Core.Connections;
using Matih.Core.Deployments;
using Matih.Core.Experiments;
using Matih.Core.Models;
using Matih.Core.Monitoring;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Demo;

/// <summary>How much traffic <see cref="DemoTraffic.ReplayAsync"/> replays.</summary>
/// <param name="Days">Days of traffic, ending now.</param>
/// <param name="DriftedDays">The last days of those, during which NovaMart's customers behave differently.</param>
/// <param name="PerDay">Predictions per day.</param>
/// <param name="Seed">Which customers are sampled.</param>
public sealed record DemoTrafficOptions(int Days = 14, int DriftedDays = 7, int PerDay = 500, int Seed = 42)
{
    /// <summary>What is wrong with the options, naming the field; empty when they are fine.</summary>
    public IReadOnlyList<DocumentProblem> Problems()
    {
        var problems = new List<DocumentProblem>();
        if (Days is < 1 or > 90)
        {
            problems.Add(new DocumentProblem("days", $"must be between 1 and 90 (got {Days})."));
        }

        if (DriftedDays < 0 || DriftedDays > Days)
        {
            problems.Add(new DocumentProblem("drifted_days", $"must be between 0 and days ({Days}) (got {DriftedDays})."));
        }

        if (PerDay is < 1 or > 100_000)
        {
            problems.Add(new DocumentProblem("per_day", $"must be between 1 and 100000 (got {PerDay})."));
        }

        return problems;
    }
}

/// <summary>What a replay did.</summary>
/// <param name="Replayed">False when it could not start; <see cref="Message"/> says why.</param>
/// <param name="Message">What happened, in words.</param>
/// <param name="Predictions">Predictions answered and logged.</param>
/// <param name="Prepared">What the replay set up on the way (registrations, the deployment, tables, the monitor).</param>
/// <param name="Evaluation">The monitor's evaluation after the replay.</param>
public sealed record DemoTrafficResult(bool Replayed, string Message, long Predictions, IReadOnlyList<string> Prepared, MonitorEvaluation? Evaluation);

/// <summary>
/// Replays past prediction traffic on the NovaMart demo so monitoring has something to show: the seed's Stage 7
/// exactly as written. It registers the seed's model (<c>customer-churn-predictor/1.0.0</c> from churn-exp-003, and
/// <c>0.1.0</c> from churn-exp-001 for the seed's A/B test), deploys the seed's <c>churn-predictor-v1</c>, writes the
/// monitor's reference dataset and ground truth, saves the seed's <c>churn-predictor-drift</c> monitor and the A/B
/// metrics, then sends <see cref="DemoTrafficOptions.Days"/> days of real predictions through the serving engine,
/// stamped with the day they replay. In the last <see cref="DemoTrafficOptions.DriftedDays"/> days customers drift
/// (see <see cref="Drift"/>), so the dashboard shows a quiet week and a drifted one.
/// </summary>
/// <remarks>
/// Everything it sets up is left alone when it exists (a user's own monitor or registration wins). Each replay adds
/// its traffic to the log; replaying twice doubles the volume of those days.
/// </remarks>
public sealed class DemoTraffic(
    ExperimentRuns runs,
    ModelRegistry registry,
    ServingEngine serving,
    Monitors monitors,
    AbTests.AbTests abTests,
    DuckDbWarehouse warehouse,
    TimeProvider clock,
    ILogger<DemoTraffic> log)
{
    /// <summary>The seed's deployment.</summary>
    public const string Deployment = "churn-predictor-v1";

    /// <summary>The seed's monitor.</summary>
    public const string Monitor = "churn-predictor-drift";

    /// <summary>The seed's model.</summary>
    public const string Model = "customer-churn-predictor";

    /// <summary>
    /// What changes in the drifted days: customers come back less often (30 more days since their last order), and
    /// browse less (55% of the sessions and 60% of the product views). Order values stay as they were, so the
    /// monitor's avg_order_value stays [OK] while the other two features, and the predictions, alert.
    /// </summary>
    public const string Drift = "days_since_last_order + 30, total_sessions_90d x 0.55, product_views_90d x 0.6; avg_order_value unchanged";

    /// <summary>The monitor's reference dataset (the seed's name): the training rows' features.</summary>
    public static TableRef Baseline { get; } = new("analytics", "derived", "churn_features_baseline_2025q4");

    /// <summary>The monitor's ground truth (the seed's name): each customer's actual churn.</summary>
    public static TableRef GroundTruth { get; } = new("analytics", "derived", "actual_churn_labels");

    /// <summary>
    /// The seed A/B test's metrics, per customer the test routed, defined by SQL over the prediction log and the
    /// ground truth. A retention offer goes to every HIGH-risk customer; it costs 15 (the seed's $15,000 per 1,000
    /// customers) and wins back 30% of the churners it reaches, whose next year is worth four orders at their average value.
    /// </summary>
    public static IReadOnlyList<(string Name, string Kind, bool HigherIsBetter, string Description, string Sql)> AbMetrics { get; } =
    [
        ("churned_customers_identified", "proportion", true, "Share of customers who churned that the model flagged HIGH risk.",
            Routed("max(CASE WHEN p.risk = 'HIGH' THEN 1 ELSE 0 END)", "l.churned")),
        ("false_positive_rate", "proportion", false, "Share of customers who stayed that the model flagged HIGH risk.",
            Routed("max(CASE WHEN p.risk = 'HIGH' THEN 1 ELSE 0 END)", "NOT l.churned")),
        ("retention_campaign_cost", "mean", false, "Offer cost per customer: 15 for each HIGH-risk customer.",
            Routed("max(CASE WHEN p.risk = 'HIGH' THEN 15.0 ELSE 0.0 END)", "true")),
        ("revenue_saved", "mean", true, "Revenue kept per customer: 30% of flagged churners stay for four more orders.",
            Routed("max(CASE WHEN p.risk = 'HIGH' AND l.churned THEN 0.3 * 4 * CAST(json_extract(p.features, '$.avg_order_value') AS DOUBLE) ELSE 0.0 END)", "true")),
    ];

    private const string User = DemoExperiments.User;
    private const int BatchSize = 50;
    private static readonly TimeSpan ServingWait = TimeSpan.FromSeconds(60);

    /// <summary>Sets up what is missing and replays the traffic. Never throws for a problem with the demo; the result says it.</summary>
    public async Task<DemoTrafficResult> ReplayAsync(DemoTrafficOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problems() is { Count: > 0 } wrong)
        {
            return Refused(string.Join(" ", wrong.Select(p => $"{p.Path}: {p.Message}")));
        }

        var prepared = new List<string>();
        foreach (var (version, run) in new[] { ("1.0.0", "churn-exp-003"), ("0.1.0", "churn-exp-001") })
        {
            if (await EnsureRegisteredAsync(version, run, prepared, cancellationToken).ConfigureAwait(false) is { } problem)
            {
                return Refused(problem);
            }
        }

        if (await EnsureDeployedAsync(prepared, cancellationToken).ConfigureAwait(false) is { } notServing)
        {
            return Refused(notServing);
        }

        await EnsureTablesAsync(prepared, cancellationToken).ConfigureAwait(false);
        if (await monitors.GetAsync(Monitor, cancellationToken).ConfigureAwait(false) is null)
        {
            await monitors.SaveAsync(Seed("churn-predictor-drift.json"), User, cancellationToken).ConfigureAwait(false);
            prepared.Add($"saved monitor {Monitor} (the seed's document)");
        }

        var defined = (await abTests.MetricsAsync(cancellationToken).ConfigureAwait(false)).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var metric in AbMetrics.Where(m => !defined.Contains(m.Name)))
        {
            await abTests.DefineMetricAsync(metric.Name, metric.Kind, metric.Sql, metric.Description, metric.HigherIsBetter, cancellationToken).ConfigureAwait(false);
            prepared.Add($"defined A/B metric {metric.Name}");
        }

        var clock = Stopwatch.StartNew();
        var predictions = await SendAsync(options, cancellationToken).ConfigureAwait(false);
        await serving.Log.FlushAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var evaluation = await monitors.EvaluateAsync(Monitor, CheckSelection.All, null, cancellationToken).ConfigureAwait(false);
        var message = string.Create(CultureInfo.InvariantCulture,
            $"Replayed {predictions:N0} predictions over {options.Days} days on {Deployment} in {clock.Elapsed.TotalSeconds:F1} s; the last {options.DriftedDays} drifted ({Drift}).");
        log.LogInformation("{Message}", message);
        return new DemoTrafficResult(true, message, predictions, prepared, evaluation);
    }

    private async Task<string?> EnsureRegisteredAsync(string version, string run, List<string> prepared, CancellationToken cancellationToken)
    {
        if (await registry.GetVersionAsync(Model, version, cancellationToken).ConfigureAwait(false) is not null)
        {
            return null;
        }

        var trained = await runs.GetRunAsync(DemoExperiments.Experiment, run, cancellationToken).ConfigureAwait(false);
        if (trained?.Summary.State != "succeeded")
        {
            return $"The replay serves the model of {DemoExperiments.Experiment} run {run}, which {(trained is null ? "does not exist" : $"is {trained.Summary.State}")}; "
                + "the demo trains it at start (see ML Workbench > Experiments).";
        }

        // The seed's registration as written; the control of the seed's A/B test is the same document for 0.1.0.
        var document = JsonNode.Parse(Seed("model-registration.json"))!.AsObject();
        if (version != (string?)document["version"])
        {
            document["version"] = version;
            document["source_experiment"] = run;
            document["framework"] = trained.Summary.Trainer;
            document.Remove("metrics");
        }

        var result = await registry.RegisterAsync(document, User, cancellationToken).ConfigureAwait(false);
        if (result.Version is null)
        {
            return $"Registering {Model}/{version} failed: {result.Conflict ?? string.Join("; ", result.Problems.Select(p => $"{p.Path}: {p.Message}"))}";
        }

        prepared.Add($"registered {Model}/{version} from {run}");
        return null;
    }

    private async Task<string?> EnsureDeployedAsync(List<string> prepared, CancellationToken cancellationToken)
    {
        if (await serving.GetAsync(Deployment, cancellationToken).ConfigureAwait(false) is null)
        {
            var result = await serving.DeployAsync(JsonNode.Parse(Seed("deployment.json")), User, cancellationToken).ConfigureAwait(false);
            if (result.Deployment is null)
            {
                return $"Deploying {Deployment} failed: {result.Conflict ?? string.Join("; ", result.Problems.Select(p => $"{p.Path}: {p.Message}"))}";
            }

            prepared.Add($"deployed {Deployment} (the seed's document)");
        }

        var waited = Stopwatch.StartNew();
        while (serving.Health(Deployment) is not { Healthy: true })
        {
            if (waited.Elapsed > ServingWait)
            {
                var health = serving.Health(Deployment);
                return $"{Deployment} is {health?.Status ?? "gone"}{(health?.Error is { } error ? $" ({error})" : "")}; the replay needs it serving.";
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private async Task EnsureTablesAsync(List<string> prepared, CancellationToken cancellationToken)
    {
        warehouse.EnsureCatalog(Baseline.Catalog);
        await warehouse.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {TableRef.Quote(Baseline.Catalog)}.{TableRef.Quote(Baseline.Schema)}", cancellationToken).ConfigureAwait(false);
        if (await warehouse.GetSchemaAsync(Baseline, cancellationToken).ConfigureAwait(false) is null)
        {
            await warehouse.ExecuteAsync($"""
                -- The monitor's reference: the features of the rows the demo's models trained on.
                CREATE TABLE {Baseline.ToSql()} AS
                SELECT customer_id, {string.Join(", ", DemoExperiments.InputSchema)} FROM {DemoExperiments.Table.ToSql()}
                """, cancellationToken).ConfigureAwait(false);
            prepared.Add($"wrote {Baseline}");
        }

        if (await warehouse.GetSchemaAsync(GroundTruth, cancellationToken).ConfigureAwait(false) is null)
        {
            await warehouse.ExecuteAsync($"""
                -- Whether each customer churned: the seed's label, observed after the predictions.
                CREATE TABLE {GroundTruth.ToSql()} AS
                SELECT customer_id, {DemoExperiments.Label} AS churned FROM {DemoExperiments.Table.ToSql()} WHERE {DemoExperiments.Label} IS NOT NULL
                """, cancellationToken).ConfigureAwait(false);
            prepared.Add($"wrote {GroundTruth}");
        }
    }

    private async Task<long> SendAsync(DemoTrafficOptions options, CancellationToken cancellationToken)
    {
        var inputs = DemoExperiments.InputSchema;
        var customers = (await warehouse.QueryAsync($"""
            SELECT customer_id, {string.Join(", ", inputs)} FROM {DemoExperiments.Table.ToSql()}
            WHERE {string.Join(" AND ", inputs.Select(i => $"{i} IS NOT NULL"))}
            ORDER BY customer_id
            """, cancellationToken).ConfigureAwait(false)).Rows;
        if (customers.Count == 0)
        {
            return 0;
        }

        var random = new Random(options.Seed);
        var end = clock.GetUtcNow().UtcDateTime;
        var start = end.AddDays(-options.Days);
        var batchesPerDay = (options.PerDay + BatchSize - 1) / BatchSize;
        long answered = 0;
        for (var day = 0; day < options.Days; day++)
        {
            var drifted = day >= options.Days - options.DriftedDays;
            for (var b = 0; b < batchesPerDay; b++)
            {
                var size = Math.Min(BatchSize, options.PerDay - (b * BatchSize));
                var instances = new JsonArray();
                for (var i = 0; i < size; i++)
                {
                    instances.Add(Instance(customers[random.Next(customers.Count)], inputs, drifted));
                }

                // Spread over the day; the newest batch stays just before now so the 7-day window holds it.
                var at = start.AddDays(day).AddDays((b + 0.5) / batchesPerDay);
                var body = JsonSerializer.SerializeToElement(new JsonObject { ["instances"] = instances });
                var outcome = await serving.PredictAsync(Deployment, body, 0, cancellationToken, at).ConfigureAwait(false);
                if (outcome.Status == PredictionStatus.Ok)
                {
                    answered += size;
                }
                else
                {
                    log.LogWarning("A replayed batch on {Deployment} was not answered: {Message}", Deployment, outcome.Message);
                }
            }
        }

        return answered;
    }

    private static JsonObject Instance(object?[] row, IReadOnlyList<string> inputs, bool drifted)
    {
        var instance = new JsonObject { ["customer_id"] = Convert.ToInt64(row[0], CultureInfo.InvariantCulture) };
        for (var i = 0; i < inputs.Count; i++)
        {
            var value = row[i + 1];
            instance[inputs[i]] = (inputs[i], value) switch
            {
                ("days_since_last_order", _) when drifted => Integer(value) + 30,
                ("total_sessions_90d", _) when drifted => (long)Math.Round(Integer(value) * 0.55),
                ("product_views_90d", _) when drifted => (long)Math.Round(Integer(value) * 0.6),
                (_, string text) => text,
                (_, float or double or decimal) => Convert.ToDouble(value, CultureInfo.InvariantCulture),
                _ => Integer(value),
            };
        }

        return instance;
    }

    private static long Integer(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static string Routed(string value, string among) => $"""
        SELECT p.entity_key AS unit_id, {value} AS value
        FROM analytics.monitoring.prediction_log p
        JOIN {GroundTruth.ToSql()} l ON CAST(l.customer_id AS VARCHAR) = p.entity_key
        WHERE p.variant IS NOT NULL AND p.status = 'ok' AND {among}
        GROUP BY p.entity_key
        """;

    private static DemoTrafficResult Refused(string message) => new(false, message, 0, [], null);

    private static string Seed(string name)
    {
        using var stream = typeof(DemoTraffic).Assembly.GetManifestResourceStream($"Matih.Core.Demo.{name}")
            ?? throw new InvalidOperationException($"The seed document {name} is not embedded in Matih.Core.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
