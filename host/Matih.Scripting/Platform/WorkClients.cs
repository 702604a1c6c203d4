using System.Text.Json;
using System.Text.Json.Nodes;

namespace Matih.Scripting;

/// <summary>Pipelines and their runs (<c>/api/pipelines</c>).</summary>
public sealed class PipelinesClient
{
    private readonly ApiClient _api;
    private readonly Func<CancellationToken> _cancellation;

    internal PipelinesClient(ApiClient api, Func<CancellationToken> cancellation) => (_api, _cancellation) = (api, cancellation);

    /// <summary>Every pipeline with its last run.</summary>
    public async Task<IReadOnlyList<PipelineSummary>> ListAsync() =>
        JsonSerializer.Deserialize<IReadOnlyList<PipelineSummary>>(await _api.GetAllPagesAsync("api/pipelines").ConfigureAwait(false), ApiClient.ReadOptions)!;

    /// <summary>The pipeline document as saved.</summary>
    public Task<JsonNode?> GetAsync(string id) => _api.GetAsync($"api/pipelines/{ApiClient.Segment(id)}");

    /// <summary>Creates a pipeline from the seed's pipeline document (a JSON string, used verbatim, or an object).</summary>
    public Task<PipelineRef> CreateAsync(object document) => _api.PostAsync<PipelineRef>("api/pipelines", document);

    /// <summary>Replaces pipeline <paramref name="id"/> with <paramref name="document"/>.</summary>
    public Task<PipelineRef> ReplaceAsync(string id, object document) => _api.SendAsync<PipelineRef>(HttpMethod.Put, $"api/pipelines/{ApiClient.Segment(id)}", document);

    /// <summary>Creates the pipeline, or replaces it when its <c>pipeline_id</c> exists: re-running a script is safe.</summary>
    public async Task<PipelineRef> SaveAsync(object document)
    {
        try
        {
            return await CreateAsync(document).ConfigureAwait(false);
        }
        catch (MatihApiException e) when (e.Status == 409)
        {
            var json = document is string text ? JsonNode.Parse(text) : JsonSerializer.SerializeToNode(document, document.GetType(), ApiClient.WriteOptionsFor(document.GetType()));
            var id = (string?)json?["pipeline_id"] ?? throw new ArgumentException("The pipeline document has no pipeline_id.", nameof(document));
            return await ReplaceAsync(id, document).ConfigureAwait(false);
        }
    }

    /// <summary>Checks a pipeline document without saving it; the answer has <c>valid</c> and <c>problems</c>.</summary>
    public Task<JsonNode?> ValidateAsync(object document) => _api.PostAsync("api/pipelines/validate", document);

    /// <summary>Deletes pipeline <paramref name="id"/>.</summary>
    public Task DeleteAsync(string id) => _api.DeleteAsync($"api/pipelines/{ApiClient.Segment(id)}");

    /// <summary>The task types a pipeline can use, with their config.</summary>
    public Task<JsonNode?> TaskTypesAsync() => _api.GetAsync("api/pipelines/task-types");

    /// <summary>Starts a run of pipeline <paramref name="id"/> and returns its run id (see <see cref="RunAsync"/> to wait too).</summary>
    public async Task<Guid> StartRunAsync(string id) =>
        (await _api.PostAsync<JsonElement>($"api/pipelines/{ApiClient.Segment(id)}/runs").ConfigureAwait(false)).GetProperty("runId").GetGuid();

    /// <summary>Runs pipeline <paramref name="id"/> and waits until the run finishes; check <see cref="PipelineRun.State"/>.</summary>
    public async Task<PipelineRun> RunAsync(string id, TimeSpan? timeout = null) =>
        await WaitForRunAsync(id, await StartRunAsync(id).ConfigureAwait(false), timeout).ConfigureAwait(false);

    /// <summary>Run <paramref name="runId"/> of pipeline <paramref name="id"/> with its tasks.</summary>
    public Task<PipelineRun> GetRunAsync(string id, Guid runId) => _api.GetAsync<PipelineRun>($"api/pipelines/{ApiClient.Segment(id)}/runs/{runId}");

    /// <summary>Waits until run <paramref name="runId"/> succeeds, fails or is cancelled.</summary>
    public Task<PipelineRun> WaitForRunAsync(string id, Guid runId, TimeSpan? timeout = null) =>
        Polling.UntilAsync(() => GetRunAsync(id, runId), r => r.Finished, timeout, $"Pipeline run {runId} of {id}", _cancellation());

    /// <summary>The latest runs of pipeline <paramref name="id"/>, newest first.</summary>
    public async Task<IReadOnlyList<PipelineRun>> ListRunsAsync(string id, int limit = 50) =>
        (await _api.GetAsync<JsonElement>($"api/pipelines/{ApiClient.Segment(id)}/runs?pageSize={limit}").ConfigureAwait(false))
            .GetProperty("items").Deserialize<IReadOnlyList<PipelineRun>>(ApiClient.ReadOptions)!;

    /// <summary>Cancels an active run.</summary>
    public Task CancelRunAsync(string id, Guid runId) => _api.PostAsync($"api/pipelines/{ApiClient.Segment(id)}/runs/{runId}/cancel");

    /// <summary>Re-runs a finished run from <paramref name="fromTask"/> (null: from what failed); returns the new run id.</summary>
    public async Task<Guid> RerunAsync(string id, Guid runId, string? fromTask = null) =>
        (await _api.PostAsync<JsonElement>($"api/pipelines/{ApiClient.Segment(id)}/runs/{runId}/rerun", new { fromTask }).ConfigureAwait(false)).GetProperty("runId").GetGuid();
}

/// <summary>Expectation suites, validations and feature distributions (<c>/api/quality</c>).</summary>
public sealed class QualityClient
{
    private readonly ApiClient _api;

    internal QualityClient(ApiClient api) => _api = api;

    /// <summary>Saves an expectation suite from the seed's suite document (a JSON string, used verbatim, or an object).</summary>
    public Task<SuiteRef> SaveSuiteAsync(object document) => _api.PostAsync<SuiteRef>("api/quality/suites", document);

    /// <summary>Every suite with its last validation.</summary>
    public async Task<JsonNode?> ListSuitesAsync() => await _api.GetAllPagesAsync("api/quality/suites").ConfigureAwait(false);

    /// <summary>The suite document as saved.</summary>
    public Task<JsonNode?> GetSuiteAsync(string name) => _api.GetAsync($"api/quality/suites/{ApiClient.Segment(name)}");

    /// <summary>The expectation types available, with their kwargs.</summary>
    public Task<JsonNode?> RulesAsync() => _api.GetAsync("api/quality/rules");

    /// <summary>Validates suite <paramref name="suite"/> on its dataset (or on <paramref name="dataset"/>); <see cref="Validation.Text"/> reads like the seed.</summary>
    public Task<Validation> ValidateAsync(string suite, string? dataset = null) =>
        _api.PostAsync<Validation>($"api/quality/suites/{ApiClient.Segment(suite)}/validate", new { dataset });

    /// <summary>The latest <paramref name="take"/> (1..500) validations of a suite, newest first.</summary>
    public async Task<IReadOnlyList<ValidationSummary>> ResultsAsync(string suite, int take = 50) =>
        (await _api.GetAsync<JsonElement>($"api/quality/suites/{ApiClient.Segment(suite)}/results?pageSize={Math.Clamp(take, 1, 500)}").ConfigureAwait(false))
            .GetProperty("items").Deserialize<IReadOnlyList<ValidationSummary>>(ApiClient.ReadOptions)!;

    /// <summary>One validation with its results.</summary>
    public Task<Validation> GetResultAsync(Guid id) => _api.GetAsync<Validation>($"api/quality/results/{id}");

    /// <summary>A numeric column's distribution in buckets (<c>"0-30, 31-60, 61-90, 91-180, 181+"</c>) and the label's shares.</summary>
    public Task<Distribution> DistributionAsync(string table, string column, string? buckets = null, string? label = null) =>
        _api.PostAsync<Distribution>("api/quality/distribution", new { table, column, buckets, label });
}

/// <summary>Experiments and their training runs (<c>/api/experiments</c>).</summary>
public sealed class ExperimentsClient
{
    private readonly ApiClient _api;
    private readonly Func<CancellationToken> _cancellation;

    internal ExperimentsClient(ApiClient api, Func<CancellationToken> cancellation) => (_api, _cancellation) = (api, cancellation);

    /// <summary>Every experiment with its best run.</summary>
    public async Task<IReadOnlyList<ExperimentSummary>> ListAsync() =>
        (await _api.GetAllPagesAsync("api/experiments").ConfigureAwait(false)).Deserialize<IReadOnlyList<ExperimentSummary>>(ApiClient.ReadOptions)!;

    /// <summary>The trainers with their hyperparameters.</summary>
    public Task<JsonNode?> TrainersAsync() => _api.GetAsync("api/trainers");

    /// <summary>
    /// Starts a training run in <paramref name="experiment"/>: <paramref name="request"/> has <c>name</c>, <c>trainer</c>,
    /// <c>table</c>, <c>label</c>, <c>features</c> and optional <c>params</c> (a JSON string or an object). Returns the run id.
    /// </summary>
    public async Task<Guid> StartRunAsync(string experiment, object request) =>
        (await _api.PostAsync<JsonElement>($"api/experiments/{ApiClient.Segment(experiment)}/runs", request).ConfigureAwait(false)).GetProperty("runId").GetGuid();

    /// <summary>Trains (see <see cref="StartRunAsync"/>) and waits until the run finishes; check <see cref="ExperimentRun.State"/>.</summary>
    public async Task<ExperimentRun> TrainAsync(string experiment, object request, TimeSpan? timeout = null) =>
        await WaitForRunAsync(experiment, (await StartRunAsync(experiment, request).ConfigureAwait(false)).ToString(), timeout).ConfigureAwait(false);

    /// <summary>Run <paramref name="run"/> (its id or name) of <paramref name="experiment"/>.</summary>
    public Task<ExperimentRun> GetRunAsync(string experiment, string run) =>
        _api.GetAsync<ExperimentRun>($"api/experiments/{ApiClient.Segment(experiment)}/runs/{ApiClient.Segment(run)}");

    /// <summary>Run <paramref name="run"/> of <paramref name="experiment"/> with everything it recorded (curves, importances, snapshot).</summary>
    public Task<JsonNode?> GetRunDetailsAsync(string experiment, string run) =>
        _api.GetAsync($"api/experiments/{ApiClient.Segment(experiment)}/runs/{ApiClient.Segment(run)}");

    /// <summary>Waits until run <paramref name="run"/> succeeds, fails or is cancelled.</summary>
    public Task<ExperimentRun> WaitForRunAsync(string experiment, string run, TimeSpan? timeout = null) =>
        Polling.UntilAsync(() => GetRunAsync(experiment, run), r => r.Finished, timeout, $"Run {run} of {experiment}", _cancellation());

    /// <summary>The comparison table of <paramref name="experiment"/>'s runs, sorted (<c>auc</c>, <c>f1</c>, <c>training_seconds</c>, ...).</summary>
    public async Task<IReadOnlyList<ExperimentRunRow>> ListRunsAsync(string experiment, string? sort = null, string? order = null, int pageSize = 100)
    {
        var query = $"api/experiments/{ApiClient.Segment(experiment)}/runs?pageSize={pageSize}"
            + (sort is null ? "" : $"&sort={Uri.EscapeDataString(sort)}") + (order is null ? "" : $"&order={Uri.EscapeDataString(order)}");
        return (await _api.GetAsync<JsonElement>(query).ConfigureAwait(false)).GetProperty("items").Deserialize<IReadOnlyList<ExperimentRunRow>>(ApiClient.ReadOptions)!;
    }

    /// <summary>Cancels a queued or running run.</summary>
    public Task CancelRunAsync(string experiment, string run) =>
        _api.PostAsync($"api/experiments/{ApiClient.Segment(experiment)}/runs/{ApiClient.Segment(run)}/cancel");
}
