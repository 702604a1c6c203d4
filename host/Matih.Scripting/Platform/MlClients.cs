using System.Text.Json.Nodes;

namespace Matih.Scripting;

/// <summary>The model registry (<c>/api/models</c>): register runs as versions and move them between stages.</summary>
public sealed class ModelsClient
{
    private readonly ApiClient _api;

    internal ModelsClient(ApiClient api) => _api = api;

    /// <summary>Registers a version from the seed's registration document (<c>model_name</c>, <c>version</c>, <c>source_experiment</c>, ...).</summary>
    public Task<JsonNode?> RegisterAsync(object document) => _api.PostAsync("api/models", document);

    /// <summary>Every registered model with its latest versions, by name (read a page at a time).</summary>
    public async Task<JsonNode?> ListAsync() => await _api.GetAllPagesAsync("api/models").ConfigureAwait(false);

    /// <summary>Every version of model <paramref name="name"/> (<c>customer-churn-predictor</c>), newest registration first (read a page at a time).</summary>
    public async Task<JsonNode?> VersionsAsync(string name) => await _api.GetAllPagesAsync($"api/models/{ApiClient.Segment(name)}/versions").ConfigureAwait(false);

    /// <summary>One version with its metrics, input schema and lineage.</summary>
    public Task<JsonNode?> GetVersionAsync(string name, string version) =>
        _api.GetAsync($"api/models/{ApiClient.Segment(name)}/versions/{ApiClient.Segment(version)}");

    /// <summary>The model's stage changes, oldest first.</summary>
    public Task<JsonNode?> HistoryAsync(string name) => _api.GetAsync($"api/models/{ApiClient.Segment(name)}/history");

    /// <summary>Moves a version to <paramref name="stage"/> (none, staging, production, archived), archiving the versions already there unless told not to.</summary>
    public Task<JsonNode?> SetStageAsync(string name, string version, string stage, bool archiveExistingVersions = true) =>
        _api.PostAsync($"api/models/{ApiClient.Segment(name)}/versions/{ApiClient.Segment(version)}/stage", new { stage, archiveExistingVersions });
}

/// <summary>Deployments (<c>/api/deployments</c>) and their serving endpoints (<c>/serve/{deployment}</c>).</summary>
public sealed class DeploymentsClient
{
    private readonly ApiClient _api;

    internal DeploymentsClient(ApiClient api) => _api = api;

    /// <summary>Deploys a registered version from the seed's deployment document (<c>deployment_name</c>, <c>model_ref</c>, ...).</summary>
    public Task<JsonNode?> DeployAsync(object document) => _api.PostAsync("api/deployments", document);

    /// <summary>Every deployment with its model and state.</summary>
    public async Task<JsonNode?> ListAsync() => await _api.GetAllPagesAsync("api/deployments").ConfigureAwait(false);

    /// <summary>Deployment <paramref name="name"/>.</summary>
    public Task<JsonNode?> GetAsync(string name) => _api.GetAsync($"api/deployments/{ApiClient.Segment(name)}");

    /// <summary>Replaces deployment <paramref name="name"/>'s document (a new model_ref, config).</summary>
    public Task<JsonNode?> ReplaceAsync(string name, object document) => _api.PutAsync($"api/deployments/{ApiClient.Segment(name)}", document);

    /// <summary>Changes some fields of deployment <paramref name="name"/> (merged into its document).</summary>
    public Task<JsonNode?> UpdateAsync(string name, object changes) => _api.PostAsync($"api/deployments/{ApiClient.Segment(name)}/update", changes);

    /// <summary>Takes deployment <paramref name="name"/> down.</summary>
    public Task UndeployAsync(string name) => _api.DeleteAsync($"api/deployments/{ApiClient.Segment(name)}");

    /// <summary>
    /// Scores <paramref name="features"/> (the seed's request: <c>customer_id</c>, <c>total_orders</c>, ...) at
    /// <c>/serve/{deployment}/predict</c>; the answer has the probability, the risk and the top factors.
    /// </summary>
    public Task<JsonNode?> PredictAsync(string deployment, object features, int? topFactors = null) =>
        _api.PostAsync($"serve/{ApiClient.Segment(deployment)}/predict{(topFactors is { } n ? $"?top_factors={n}" : "")}", features);

    /// <summary>
    /// Scores many instances at <c>/serve/{deployment}/predict</c> as <c>{"instances": [...]}</c> batches of at most
    /// <paramref name="batchSize"/> (the host takes up to 1,000), and returns one answer per instance, in order. In an A/B
    /// test each instance is routed by its own key, as single requests are.
    /// </summary>
    public async Task<IReadOnlyList<JsonNode?>> PredictBatchAsync(string deployment, IEnumerable<object> instances, int batchSize = 1_000)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var answers = new List<JsonNode?>();
        foreach (var chunk in instances.Chunk(batchSize))
        {
            var body = new JsonObject
            {
                ["instances"] = new JsonArray(chunk.Select(i => i switch
                {
                    JsonNode node => node.DeepClone(),
                    string json => JsonNode.Parse(json),
                    _ => System.Text.Json.JsonSerializer.SerializeToNode(i, i.GetType(), ApiClient.WriteOptionsFor(i.GetType())),
                }).ToArray()),
            };
            var answer = await _api.PostAsync($"serve/{ApiClient.Segment(deployment)}/predict", body).ConfigureAwait(false);
            answers.AddRange(Predictions(answer, chunk.Length));
        }

        return answers;
    }

    /// <summary>The serving endpoint's health (<c>/serve/{deployment}/health</c>).</summary>
    public Task<JsonNode?> HealthAsync(string deployment) => _api.GetAsync($"serve/{ApiClient.Segment(deployment)}/health");

    // A batch answers {"predictions": [...]}, one per instance in order.
    private static IEnumerable<JsonNode?> Predictions(JsonNode? answer, int expected) =>
        answer?["predictions"] is JsonArray list && list.Count == expected
            ? list.Select(p => p?.DeepClone())
            : throw new InvalidOperationException($"The batch answer holds no {expected} predictions: {answer?.ToJsonString()}");
}

/// <summary>Model monitors (<c>/api/monitors</c>): drift and accuracy checks on a deployment, and their reports.</summary>
public sealed class MonitorsClient
{
    private readonly ApiClient _api;

    internal MonitorsClient(ApiClient api) => _api = api;

    /// <summary>Creates a monitor from the seed's monitor document (<c>monitor_name</c>, <c>deployment</c>, <c>monitors</c>, <c>alerts</c>).</summary>
    public Task<JsonNode?> CreateAsync(object document) => _api.PostAsync("api/monitors", document);

    /// <summary>Every monitor.</summary>
    public async Task<JsonNode?> ListAsync() => await _api.GetAllPagesAsync("api/monitors").ConfigureAwait(false);

    /// <summary>The monitor document as saved.</summary>
    public Task<JsonNode?> GetAsync(string name) => _api.GetAsync($"api/monitors/{ApiClient.Segment(name)}");

    /// <summary>Deletes monitor <paramref name="name"/>.</summary>
    public Task DeleteAsync(string name) => _api.DeleteAsync($"api/monitors/{ApiClient.Segment(name)}");

    /// <summary>Evaluates the monitor's checks now (<c>drift</c>, <c>accuracy</c> or <c>all</c>), optionally as of a moment.</summary>
    public Task<JsonNode?> EvaluateAsync(string name, string checks = "all", DateTimeOffset? asOf = null) =>
        _api.PostAsync($"api/monitors/{ApiClient.Segment(name)}/evaluate", new { checks, asOf });

    /// <summary>The monitoring report (volume, latency, drift, accuracy) with the seed's text beside the figures.</summary>
    public Task<JsonNode?> ReportAsync(string name, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var query = new List<string>();
        if (from is { } f)
        {
            query.Add("from=" + Uri.EscapeDataString(f.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (to is { } t)
        {
            query.Add("to=" + Uri.EscapeDataString(t.ToString("O", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return _api.GetAsync($"api/monitors/{ApiClient.Segment(name)}/report{(query.Count > 0 ? "?" + string.Join("&", query) : "")}");
    }
}

/// <summary>A/B tests (<c>/api/abtests</c>, the routes the design fixes): split traffic, read results, promote the winner.</summary>
public sealed class AbTestsClient
{
    private readonly ApiClient _api;

    internal AbTestsClient(ApiClient api) => _api = api;

    /// <summary>Starts an A/B test from the seed's document (<c>experiment_name</c>, <c>traffic_split</c>, ...).</summary>
    public Task<JsonNode?> CreateAsync(object document) => _api.PostAsync("api/abtests", document);

    /// <summary>Every A/B test with its deployment and state (running, completed, stopped, promoted).</summary>
    public async Task<JsonNode?> ListAsync() => await _api.GetAllPagesAsync("api/abtests").ConfigureAwait(false);

    /// <summary>The A/B test document as saved.</summary>
    public Task<JsonNode?> GetAsync(string name) => _api.GetAsync($"api/abtests/{ApiClient.Segment(name)}");

    /// <summary>The metrics defined so far (name, kind, SQL), which A/B documents name as primary, secondary and guardrail metrics.</summary>
    public async Task<JsonNode?> MetricsAsync() => await _api.GetAllPagesAsync("api/abtests/metrics").ConfigureAwait(false);

    /// <summary>
    /// Defines (or redefines) metric <paramref name="name"/> by SQL returning <c>unit_id</c> and <c>value</c>, one row per
    /// unit (the A/B document's <c>assignment_method</c> key, e.g. the customer id as text).
    /// </summary>
    /// <param name="name">The metric as A/B documents name it (<c>churned_customers_identified</c>).</param>
    /// <param name="kind"><c>proportion</c> (0/1 per unit, a z-test) or <c>mean</c> (Welch's t-test).</param>
    /// <param name="sql">The query returning <c>unit_id</c> and <c>value</c>.</param>
    /// <param name="description">What it measures.</param>
    /// <param name="higherIsBetter">False for metrics where lower wins (a false positive rate, a cost).</param>
    public Task<JsonNode?> DefineMetricAsync(string name, string kind, string sql, string? description = null, bool higherIsBetter = true) =>
        _api.PostAsync("api/abtests/metrics", new { name, kind, sql, description, higherIsBetter });

    /// <summary>The test's results: per arm figures, lift and significance, the sample-ratio check and the seed's table as <c>text</c>.</summary>
    public Task<JsonNode?> ResultsAsync(string name) => _api.GetAsync($"api/abtests/{ApiClient.Segment(name)}/results");

    /// <summary>
    /// Promotes <paramref name="winner"/> (<c>control</c> or <c>treatment</c>) to all traffic, or, when null, the
    /// treatment if the primary metric is significantly better (else the host answers 409 "No clear winner"). The
    /// winner's version becomes production and the loser's is archived; the answer is the final results.
    /// </summary>
    public Task<JsonNode?> PromoteAsync(string name, string? winner = null) =>
        _api.PostAsync($"api/abtests/{ApiClient.Segment(name)}/promote", new { winner });
}
