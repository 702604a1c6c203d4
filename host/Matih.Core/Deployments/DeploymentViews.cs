using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Sdk.Serving;

namespace Matih.Core.Deployments;

/// <summary>One replica.</summary>
/// <param name="Id">Its number within the deployment.</param>
/// <param name="ModelVersion">The version it has loaded.</param>
/// <param name="Ongoing">Requests it is answering now.</param>
/// <param name="Requests">Requests it has answered.</param>
/// <param name="StartedAt">When it was loaded.</param>
public sealed record ReplicaView(int Id, string ModelVersion, int Ongoing, long Requests, DateTimeOffset StartedAt);

/// <summary>Something that happened to a deployment.</summary>
/// <param name="At">When.</param>
/// <param name="Kind">deployed | updated | scaled_up | scaled_down | replica_replaced | restored | failed | undeployed.</param>
/// <param name="Message">What happened, in words.</param>
/// <param name="FromReplicas">Replicas before.</param>
/// <param name="ToReplicas">Replicas after.</param>
/// <param name="ModelVersion">The version served after it.</param>
public sealed record DeploymentEventView(DateTimeOffset At, string Kind, string Message, int? FromReplicas, int? ToReplicas, string? ModelVersion);

/// <summary>The settings in force.</summary>
/// <param name="MaxConcurrentQueries">Requests in flight across the deployment before 503.</param>
/// <param name="MinReplicas">Fewest replicas.</param>
/// <param name="MaxReplicas">Most replicas.</param>
/// <param name="TargetOngoingRequestsPerReplica">The autoscaling target; null for a fixed count.</param>
/// <param name="HealthCheckPath">The health path under <c>/serve/{name}</c>.</param>
/// <param name="HealthCheckIntervalSeconds">How often replicas are probed.</param>
/// <param name="ProbabilityField">The response field of the probability (<c>churn_probability</c>).</param>
/// <param name="RiskField">The response field of the band (<c>churn_risk</c>).</param>
/// <param name="TopFactors">Factors per prediction.</param>
/// <param name="RiskBands">The bands.</param>
/// <param name="FeatureSet">The feature group online lookups read.</param>
/// <param name="EntityKey">The entity key field echoed in answers, once known.</param>
public sealed record DeploymentSettings(
    int MaxConcurrentQueries,
    int MinReplicas,
    int MaxReplicas,
    double? TargetOngoingRequestsPerReplica,
    string HealthCheckPath,
    double HealthCheckIntervalSeconds,
    string ProbabilityField,
    string RiskField,
    int TopFactors,
    RiskBands RiskBands,
    string? FeatureSet,
    string? EntityKey);

/// <summary>A deployment as the API and the workbench show it.</summary>
/// <param name="Name">deployment_name.</param>
/// <param name="Status">deploying | running | updating | failed.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="ModelRef">model_ref as given.</param>
/// <param name="ModelName">The model served.</param>
/// <param name="ModelVersion">The version served.</param>
/// <param name="Runtime">runtime as given (<c>ray_serve</c>), recorded.</param>
/// <param name="ServedBy">The serving runtime plugin answering (<c>mlnet</c>, in process).</param>
/// <param name="Endpoint">Where to send predictions.</param>
/// <param name="Replicas">How many replicas serve now.</param>
/// <param name="ReplicaDetails">Each replica.</param>
/// <param name="Settings">The settings in force.</param>
/// <param name="Stats">Requests, rate, latency percentiles, errors.</param>
/// <param name="Health">The last health probe.</param>
/// <param name="Events">Recent events, newest first (the list view leaves them out).</param>
/// <param name="Document">The deployment document in force.</param>
/// <param name="CreatedBy">Who deployed it.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="UpdatedBy">Who changed it last.</param>
/// <param name="UpdatedAt">When.</param>
public sealed record DeploymentView(
    string Name,
    string Status,
    string? Error,
    string ModelRef,
    string ModelName,
    string ModelVersion,
    string Runtime,
    string ServedBy,
    string Endpoint,
    int Replicas,
    IReadOnlyList<ReplicaView> ReplicaDetails,
    DeploymentSettings? Settings,
    DeploymentStats Stats,
    HealthProbe? Health,
    IReadOnlyList<DeploymentEventView> Events,
    JsonObject Document,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string UpdatedBy,
    DateTimeOffset UpdatedAt);

/// <summary>What a deploy, update or undeploy gave.</summary>
/// <param name="Deployment">The deployment after it.</param>
/// <param name="Created">True when a deploy created it; false for an identical repeat or an update.</param>
/// <param name="Problems">Why it was refused, each naming its JSON path.</param>
/// <param name="Conflict">Why it cannot happen (the name is taken).</param>
/// <param name="NotFound">No deployment of that name.</param>
public sealed record DeploymentResult(DeploymentView? Deployment, bool Created, IReadOnlyList<DocumentProblem> Problems, string? Conflict, bool NotFound);

/// <summary>A deployment's health, as <c>GET /serve/{name}/health</c> answers.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Status">healthy | unhealthy | starting | failed.</param>
/// <param name="ModelVersion">The version served.</param>
/// <param name="Replicas">Replicas serving.</param>
/// <param name="LastProbe">The last probe of every replica.</param>
/// <param name="IntervalSeconds">How often replicas are probed.</param>
/// <param name="Error">Why it is not healthy.</param>
public sealed record DeploymentHealth(string Deployment, string Status, string? ModelVersion, int Replicas, HealthProbe? LastProbe, double IntervalSeconds, string? Error)
{
    /// <summary>True when it answers predictions.</summary>
    public bool Healthy => Status == "healthy";
}

/// <summary>How a prediction request ended.</summary>
public enum PredictionStatus
{
    /// <summary>Answered (200).</summary>
    Ok,

    /// <summary>The body is wrong; <see cref="PredictionOutcome.Problems"/> names each field (400).</summary>
    Invalid,

    /// <summary>The entity key has no features in the online store (404).</summary>
    NotFound,

    /// <summary>No deployment of that name (404).</summary>
    NoDeployment,

    /// <summary>At the concurrency limit: retry after <see cref="PredictionOutcome.RetryAfterSeconds"/> (503).</summary>
    Overloaded,

    /// <summary>The deployment is starting or failed (503).</summary>
    Unavailable,

    /// <summary>The prediction failed inside the server (500).</summary>
    Failed,
}

/// <summary>One scored instance.</summary>
/// <param name="KeyName">The entity key's field, if the instance carried one.</param>
/// <param name="Key">The entity key as sent.</param>
/// <param name="Probability">The positive-class probability.</param>
/// <param name="Risk">LOW, MEDIUM or HIGH.</param>
/// <param name="Factors">The top factors.</param>
public readonly record struct ScoredInstance(string? KeyName, JsonElement? Key, double Probability, string Risk, IReadOnlyList<FeatureFactor> Factors)
{
    /// <summary>The A/B variant that answered (control or treatment), or null outside an A/B test.</summary>
    public string? Variant { get; init; }

    /// <summary>The version that answered when an A/B test routed the instance, else null (the deployment's version).</summary>
    public string? ModelVersion { get; init; }
}

/// <summary>The answer to a prediction request, written as the seed's response shape by <see cref="WriteTo"/>.</summary>
public sealed class PredictionOutcome
{
    private PredictionOutcome(PredictionStatus status, Guid requestId)
    {
        Status = status;
        RequestId = requestId;
    }

    /// <summary>How it ended.</summary>
    public PredictionStatus Status { get; private init; }

    /// <summary>The request id (logged with each row; sent as X-Request-Id).</summary>
    public Guid RequestId { get; }

    /// <summary>What is wrong with the body, each naming the field (<c>instances[2].total_orders</c>).</summary>
    public IReadOnlyList<DocumentProblem> Problems { get; private init; } = [];

    /// <summary>A sentence for the non-200 outcomes.</summary>
    public string? Message { get; private init; }

    /// <summary>Seconds to wait before retrying (503).</summary>
    public int RetryAfterSeconds { get; private init; }

    /// <summary>True for a batch request (<c>{"instances": [...]}</c>).</summary>
    public bool Batch { get; private init; }

    /// <summary>The scored instances.</summary>
    public IReadOnlyList<ScoredInstance> Predictions { get; private init; } = [];

    /// <summary>The version that answered.</summary>
    public string? ModelVersion { get; private init; }

    /// <summary>The response field of the probability.</summary>
    public string ProbabilityField { get; private init; } = "probability";

    /// <summary>The response field of the band.</summary>
    public string RiskField { get; private init; } = "risk";

    internal static PredictionOutcome Scored(Guid id, bool batch, IReadOnlyList<ScoredInstance> predictions, string version, string probabilityField, string riskField) =>
        new(PredictionStatus.Ok, id) { Batch = batch, Predictions = predictions, ModelVersion = version, ProbabilityField = probabilityField, RiskField = riskField };

    internal static PredictionOutcome Refused(PredictionStatus status, Guid id, string message, IReadOnlyList<DocumentProblem>? problems = null, int retryAfter = 0) =>
        new(status, id) { Message = message, Problems = problems ?? [], RetryAfterSeconds = retryAfter };

    /// <summary>
    /// Writes <c>{customer_id, churn_probability, churn_risk, top_factors: [{feature, importance}], model_version}</c>, or
    /// <c>{"predictions": [...]}</c> of those for a batch. Probabilities and importances are rounded to 4 decimals.
    /// </summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Batch)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("predictions");
            foreach (var prediction in Predictions)
            {
                Write(writer, prediction);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        else
        {
            Write(writer, Predictions[0]);
        }
    }

    private void Write(Utf8JsonWriter writer, ScoredInstance prediction)
    {
        writer.WriteStartObject();
        if (prediction is { KeyName: { } keyName, Key: { } key })
        {
            writer.WritePropertyName(keyName);
            key.WriteTo(writer);
        }

        writer.WriteNumber(ProbabilityField, Math.Round(prediction.Probability, 4));
        writer.WriteString(RiskField, prediction.Risk);
        writer.WriteStartArray("top_factors");
        foreach (var factor in prediction.Factors)
        {
            writer.WriteStartObject();
            writer.WriteString("feature", factor.Feature);
            writer.WriteNumber("importance", Math.Round(factor.Importance, 4));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("model_version", prediction.ModelVersion ?? ModelVersion);
        if (prediction.Variant is { } variant)
        {
            writer.WriteString("variant", variant);
        }

        writer.WriteEndObject();
    }
}
