using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Core.Experiments;
using Matih.Core.Models;

namespace Matih.Core.Deployments;

/// <summary>
/// Ray Serve's autoscaling settings, applied to in-process replicas: the replica count follows the ongoing requests
/// (<c>ceil(ongoing / target)</c>, averaged over <see cref="LookBackSeconds"/>) between the bounds, changing only after
/// the wish has held for the up- or downscale delay.
/// </summary>
/// <param name="MinReplicas">min_replicas.</param>
/// <param name="MaxReplicas">max_replicas.</param>
/// <param name="TargetOngoingRequestsPerReplica">target_num_ongoing_requests_per_replica (or Ray's newer target_ongoing_requests).</param>
/// <param name="UpscaleDelaySeconds">upscale_delay_s: how long more replicas must be wanted before adding them (default 1).</param>
/// <param name="DownscaleDelaySeconds">downscale_delay_s: how long fewer must be wanted before removing some (default 10).</param>
/// <param name="LookBackSeconds">look_back_period_s: the averaging window (default 2).</param>
public sealed record AutoscalingConfig(
    int MinReplicas,
    int MaxReplicas,
    double TargetOngoingRequestsPerReplica,
    double UpscaleDelaySeconds = 1,
    double DownscaleDelaySeconds = 10,
    double LookBackSeconds = 2);

/// <summary>Probability bands: below <paramref name="Medium"/> LOW, up to <paramref name="High"/> MEDIUM, above HIGH.</summary>
/// <param name="Medium">Where MEDIUM starts (default 0.3).</param>
/// <param name="High">Above this, HIGH (default 0.7).</param>
public sealed record RiskBands(double Medium = 0.3, double High = 0.7)
{
    /// <summary>LOW, MEDIUM or HIGH for <paramref name="probability"/> (LOW &lt; 0.3 &lt;= MEDIUM &lt;= 0.7 &lt; HIGH by default).</summary>
    public string Band(double probability) => probability < Medium ? "LOW" : probability <= High ? "MEDIUM" : "HIGH";
}

/// <summary>How predictions are answered.</summary>
/// <param name="ProbabilityField">The response field holding the probability; null = derived from the model's label (<c>is_churned</c>: <c>churn_probability</c>).</param>
/// <param name="RiskField">The response field holding the band; null = derived likewise (<c>churn_risk</c>).</param>
/// <param name="TopFactors">How many top factors each prediction explains (default 3; 0 skips the contribution work).</param>
/// <param name="RiskBands">The bands.</param>
public sealed record PredictionOutput(string? ProbabilityField, string? RiskField, int TopFactors, RiskBands RiskBands)
{
    /// <summary>The defaults: derived field names, three factors, bands at 0.3 and 0.7.</summary>
    public static PredictionOutput Default { get; } = new(null, null, 3, new RiskBands());
}

/// <summary>A checked deployment document (the seed's Ray Serve deployment JSON).</summary>
/// <param name="Name">deployment_name.</param>
/// <param name="ModelRef">model_ref: <c>name/version</c> or <c>name@production</c>.</param>
/// <param name="Runtime">runtime as given (<c>ray_serve</c>): recorded; predictions are served in process by the serving runtime plugin for the model's framework.</param>
/// <param name="NumReplicas">config.num_replicas: replicas at start.</param>
/// <param name="MaxConcurrentQueries">config.max_concurrent_queries: requests in flight across the deployment; more are refused with 503 at once.</param>
/// <param name="RayActorOptions">config.ray_actor_options, recorded as given.</param>
/// <param name="Autoscaling">config.autoscaling_config; null = a fixed replica count.</param>
/// <param name="HealthCheckPath">health_check.path (default <c>/health</c>), answered under <c>/serve/{name}</c>.</param>
/// <param name="HealthCheckIntervalSeconds">health_check.interval_s: how often every replica is probed.</param>
/// <param name="Output">output: response field names, top factors, risk bands.</param>
/// <param name="Document">The document as given.</param>
public sealed record DeploymentSpec(
    string Name,
    string ModelRef,
    string Runtime,
    int NumReplicas,
    int MaxConcurrentQueries,
    JsonObject? RayActorOptions,
    AutoscalingConfig? Autoscaling,
    string HealthCheckPath,
    double HealthCheckIntervalSeconds,
    PredictionOutput Output,
    JsonObject Document)
{
    /// <summary>Fewest replicas.</summary>
    public int MinReplicas => Autoscaling?.MinReplicas ?? NumReplicas;

    /// <summary>Most replicas.</summary>
    public int MaxReplicas => Autoscaling?.MaxReplicas ?? NumReplicas;
}

/// <summary>Reads deployment documents, naming the JSON path of each problem.</summary>
public static class DeploymentSpecs
{
    /// <summary>Most replicas a deployment may ask for.</summary>
    public const int ReplicaLimit = 64;

    private static readonly string[] s_fields = ["deployment_name", "model_ref", "runtime", "config", "health_check", "output"];
    private static readonly string[] s_config = ["num_replicas", "max_concurrent_queries", "max_ongoing_requests", "ray_actor_options", "autoscaling_config"];
    private static readonly string[] s_autoscaling =
        ["min_replicas", "max_replicas", "target_num_ongoing_requests_per_replica", "target_ongoing_requests", "upscale_delay_s", "downscale_delay_s", "look_back_period_s"];
    private static readonly string[] s_health = ["path", "interval_s"];
    private static readonly string[] s_output = ["probability_field", "risk_field", "top_factors", "risk_bands"];
    private static readonly string[] s_bands = ["medium", "high"];

    /// <summary>Reads <paramref name="document"/>; returns the spec or every problem found.</summary>
    public static (DeploymentSpec? Spec, IReadOnlyList<DocumentProblem> Problems) Parse(JsonNode? document)
    {
        if (document is not JsonObject body)
        {
            return (null, [new DocumentProblem("$", "Expected a JSON object: deployment_name, model_ref, runtime, config, health_check.")]);
        }

        var problems = new List<DocumentProblem>();
        Unknown(body, "", s_fields, problems);
        var name = Text(body, "deployment_name", "deployment_name", problems, required: true);
        if (name is not null && !ExperimentRunRequests.IsValidName(name))
        {
            problems.Add(new DocumentProblem("deployment_name", $"'{name}' is not a deployment name: use {ExperimentRunRequests.NameRule}."));
        }

        var modelRef = Text(body, "model_ref", "model_ref", problems, required: true);
        if (modelRef is not null && !ModelRegistry.TryParseReference(modelRef, out _, out _, out _))
        {
            problems.Add(new DocumentProblem("model_ref", $"'{modelRef}' is not a model reference: write name/version (customer-churn-predictor/1.0.0) or name@production, name@staging, name@latest."));
        }

        var runtime = Text(body, "runtime", "runtime", problems, required: false) ?? "in_process";
        var config = Object(body, "config", "config", problems) ?? [];
        Unknown(config, "config.", s_config, problems);
        var replicas = Integer(config, "num_replicas", "config.num_replicas", problems, 1, ReplicaLimit) ?? 1;
        var maxQueries = config.ContainsKey("max_ongoing_requests") && !config.ContainsKey("max_concurrent_queries")
            ? Integer(config, "max_ongoing_requests", "config.max_ongoing_requests", problems, 1, 100_000)
            : Integer(config, "max_concurrent_queries", "config.max_concurrent_queries", problems, 1, 100_000);
        var actorOptions = Object(config, "ray_actor_options", "config.ray_actor_options", problems);

        AutoscalingConfig? autoscaling = null;
        if (Object(config, "autoscaling_config", "config.autoscaling_config", problems) is { } scaling)
        {
            const string At = "config.autoscaling_config.";
            Unknown(scaling, At, s_autoscaling, problems);
            var min = Integer(scaling, "min_replicas", At + "min_replicas", problems, 1, ReplicaLimit) ?? 1;
            var max = Integer(scaling, "max_replicas", At + "max_replicas", problems, 1, ReplicaLimit) ?? Math.Max(min, replicas);
            var targetField = scaling.ContainsKey("target_ongoing_requests") && !scaling.ContainsKey("target_num_ongoing_requests_per_replica")
                ? "target_ongoing_requests"
                : "target_num_ongoing_requests_per_replica";
            var target = Number(scaling, targetField, At + targetField, problems, positive: true) ?? 2;
            var up = Number(scaling, "upscale_delay_s", At + "upscale_delay_s", problems, positive: false) ?? 1;
            var down = Number(scaling, "downscale_delay_s", At + "downscale_delay_s", problems, positive: false) ?? 10;
            var lookBack = Number(scaling, "look_back_period_s", At + "look_back_period_s", problems, positive: true) ?? 2;
            if (max < min)
            {
                problems.Add(new DocumentProblem(At + "max_replicas", $"is {max}, below min_replicas ({min})."));
            }
            else if (config.ContainsKey("num_replicas") && (replicas < min || replicas > max))
            {
                problems.Add(new DocumentProblem("config.num_replicas", $"is {replicas}, outside autoscaling_config's {min}..{max}; it is the count a deployment starts with."));
            }
            else if (!config.ContainsKey("num_replicas"))
            {
                replicas = min;
            }

            autoscaling = new AutoscalingConfig(min, max, target, up, down, lookBack);
        }

        var health = Object(body, "health_check", "health_check", problems) ?? [];
        Unknown(health, "health_check.", s_health, problems);
        var healthPath = Text(health, "path", "health_check.path", problems, required: false) ?? "/health";
        if (!healthPath.StartsWith('/') || healthPath.Length < 2 || healthPath.Contains('?', StringComparison.Ordinal) || healthPath == "/predict")
        {
            problems.Add(new DocumentProblem("health_check.path", $"'{healthPath}' must be a path such as /health (answered at /serve/{{deployment}}/health)."));
        }

        var interval = Number(health, "interval_s", "health_check.interval_s", problems, positive: true) ?? 10;
        var output = Output(body, problems);
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new DeploymentSpec(name!, modelRef!, runtime, replicas, maxQueries ?? 100, actorOptions, autoscaling, healthPath, interval, output, body), problems);
    }

    private static PredictionOutput Output(JsonObject body, List<DocumentProblem> problems)
    {
        if (Object(body, "output", "output", problems) is not { } output)
        {
            return PredictionOutput.Default;
        }

        Unknown(output, "output.", s_output, problems);
        var probability = Text(output, "probability_field", "output.probability_field", problems, required: false);
        var risk = Text(output, "risk_field", "output.risk_field", problems, required: false);
        var factors = Integer(output, "top_factors", "output.top_factors", problems, 0, 100) ?? 3;
        var bands = new RiskBands();
        if (Object(output, "risk_bands", "output.risk_bands", problems) is { } given)
        {
            Unknown(given, "output.risk_bands.", s_bands, problems);
            var medium = Number(given, "medium", "output.risk_bands.medium", problems, positive: false) ?? bands.Medium;
            var high = Number(given, "high", "output.risk_bands.high", problems, positive: false) ?? bands.High;
            if (medium is < 0 or > 1 || high is < 0 or > 1 || medium > high)
            {
                problems.Add(new DocumentProblem("output.risk_bands", $"needs 0 <= medium <= high <= 1 (got medium {medium}, high {high})."));
            }

            bands = new RiskBands(medium, high);
        }

        if (probability is not null && probability == risk)
        {
            problems.Add(new DocumentProblem("output.risk_field", "must differ from probability_field."));
        }

        return new PredictionOutput(probability, risk, factors, bands);
    }

    private static void Unknown(JsonObject body, string at, string[] known, List<DocumentProblem> problems)
    {
        foreach (var (key, _) in body)
        {
            if (!known.Contains(key, StringComparer.Ordinal))
            {
                problems.Add(new DocumentProblem(at + key, $"is not a setting here; use {string.Join(", ", known)}."));
            }
        }
    }

    private static JsonObject? Object(JsonObject body, string field, string path, List<DocumentProblem> problems)
    {
        if (body[field] is null)
        {
            return null;
        }

        if (body[field] is JsonObject found)
        {
            return found;
        }

        problems.Add(new DocumentProblem(path, "must be an object."));
        return null;
    }

    private static string? Text(JsonObject body, string field, string path, List<DocumentProblem> problems, bool required)
    {
        var node = body[field];
        if (node is null)
        {
            if (required)
            {
                problems.Add(new DocumentProblem(path, "is required."));
            }

            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text)
        {
            return text;
        }

        problems.Add(new DocumentProblem(path, "must be a non-empty string."));
        return null;
    }

    private static int? Integer(JsonObject body, string field, string path, List<DocumentProblem> problems, int min, int max)
    {
        var node = body[field];
        if (node is null)
        {
            return null;
        }

        if (JsonNumbers.TryGetInt32(node, out var number) && number >= min && number <= max)
        {
            return number;
        }

        problems.Add(new DocumentProblem(path, $"must be a whole number from {min} to {max}."));
        return null;
    }

    private static double? Number(JsonObject body, string field, string path, List<DocumentProblem> problems, bool positive)
    {
        var node = body[field];
        if (node is null)
        {
            return null;
        }

        if (JsonNumbers.TryGetDouble(node, out var number) && (positive ? number > 0 : number >= 0))
        {
            return number;
        }

        problems.Add(new DocumentProblem(path, positive ? "must be a number above 0." : "must be a number, 0 or more."));
        return null;
    }
}
