using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Core.Features;
using Matih.Core.Metadata;
using Matih.Core.Models;
using Matih.Sdk.Serving;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Deployments;

/// <summary>
/// Deployments of registered models, served in process: each deployment is a set of replicas (models loaded by the
/// serving runtime plugin for the model's framework), admission control at <c>max_concurrent_queries</c> (503 at
/// once beyond it, never a queue), Ray-style autoscaling between min and max replicas, health probes, updates that
/// load the new replicas before swapping them in, statistics, and a log of every prediction.
/// </summary>
/// <remarks>
/// <c>max_concurrent_queries</c> bounds the requests in flight across the whole deployment (Ray Serve applies it per
/// replica): in-process replicas share the machine's cores, so the total is what protects latency and memory, and the
/// cap does not move when autoscaling adds replicas.
/// </remarks>
public sealed partial class ServingEngine : IDisposable
{
    /// <summary>Most instances in one batch request.</summary>
    public const int MaxBatch = 1_000;

    /// <summary>How long a retired replica may take to finish its requests before it is unloaded anyway.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private const string Running = "running";
    private const string Failed = "failed";

    private readonly IDbContextFactory<MetadataDbContext> _contexts;
    private readonly ModelRegistry _registry;
    private readonly FeatureStore _features;
    private readonly IServingRuntime[] _runtimes;
    private readonly PredictionLog _log;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, LiveDeployment> _live = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly AbTests.AbTests? _abTests;
    private readonly Audit.AuditLog? _audit;
    private readonly ConcurrentDictionary<string, Task<(string Model, ServingModel Serving, IModelPredictor Predictor)>> _variants = new(StringComparer.Ordinal);

    /// <summary>Creates the engine; <see cref="RestoreAsync"/> loads the stored deployments.</summary>
    public ServingEngine(IDbContextFactory<MetadataDbContext> contexts, ModelRegistry registry, FeatureStore features, IEnumerable<IServingRuntime> runtimes,
        PredictionLog log, TimeProvider clock, ILogger<ServingEngine> logger, AbTests.AbTests? abTests = null, Audit.AuditLog? audit = null)
    {
        _abTests = abTests;
        _audit = audit;
        if (abTests is not null)
        {
            // A split that starts or stops changes which second model a deployment needs: drop the cached one.
            abTests.SplitChanged += deployment =>
            {
                if (_variants.TryRemove(deployment, out var stale) && stale.IsCompletedSuccessfully)
                {
                    stale.Result.Predictor.Dispose();
                }
            };
        }

        _contexts = contexts;
        _registry = registry;
        _features = features;
        _runtimes = runtimes.ToArray();
        _log = log;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Raised after a deployment is created, changed, scaled or removed.</summary>
    public event Action? Changed;

    /// <summary>The prediction log the engine writes to.</summary>
    public PredictionLog Log => _log;

    /// <summary>Deploys the seed's deployment document. Problems and conflicts are answers, not exceptions.</summary>
    public async Task<DeploymentResult> DeployAsync(JsonNode? document, string? user, CancellationToken cancellationToken)
    {
        var (spec, problems) = DeploymentSpecs.Parse(document);
        if (spec is null)
        {
            return Refused(problems);
        }

        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var existing = await db.Set<DeploymentRecord>().AsNoTracking().SingleOrDefaultAsync(d => d.Name == spec.Name, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                if (JsonNode.DeepEquals(JsonNode.Parse(existing.SpecJson), spec.Document) && _live.TryGetValue(spec.Name, out var same))
                {
                    return new DeploymentResult(await ViewAsync(same, events: true, cancellationToken).ConfigureAwait(false), false, [], null, false);
                }

                return new DeploymentResult(null, false, [],
                    $"A deployment named '{spec.Name}' exists (serving {existing.ModelName}/{existing.ModelVersion}); change it with PUT /api/deployments/{spec.Name} " +
                    $"or POST /api/deployments/{spec.Name}/update, or remove it with DELETE first.", false);
            }

            var (model, problem) = await PrepareAsync(spec, cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                return Refused([problem!]);
            }

            var now = _clock.GetUtcNow();
            var by = string.IsNullOrEmpty(user) ? "system" : user;
            var record = new DeploymentRecord
            {
                Name = spec.Name,
                ModelRef = spec.ModelRef,
                ModelName = model.Version.ModelName,
                ModelVersion = model.Version.Version,
                Runtime = spec.Runtime,
                ServedBy = model.Runtime.Id,
                SpecJson = spec.Document.ToJsonString(),
                State = Running,
                CreatedBy = by,
                CreatedAt = now,
                UpdatedBy = by,
                UpdatedAt = now,
            };
            var live = new LiveDeployment(spec.Name, record);
            var state = new DeploymentState(spec, model);
            try
            {
                state.Replicas = await LoadReplicasAsync(live, state, spec.NumReplicas, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return Refused([LoadProblem(model, e)]);
            }

            live.Current = state;
            live.Status = Running;
            db.Add(record);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            _live[spec.Name] = live;
            await EventAsync(live, "deployed",
                $"Deployed {model.Reference} on {spec.NumReplicas} replica(s), served in process by the {model.Runtime.Id} runtime (runtime '{spec.Runtime}' recorded).",
                null, spec.NumReplicas, model.Version.Version).ConfigureAwait(false);
            Changed?.Invoke();
            if (_audit is not null)
            {
                await _audit.RecordChangeAsync("deployment.created", spec.Name, $"serving {model.Reference} on {spec.NumReplicas} replica(s)").ConfigureAwait(false);
            }

            return new DeploymentResult(await ViewAsync(live, events: true, cancellationToken).ConfigureAwait(false), true, [], null, false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Changes a deployment without dropping requests: the new replicas are loaded first, then swapped in at once;
    /// requests in flight finish on the old ones, which are unloaded after. <paramref name="document"/> is the whole
    /// deployment document (<paramref name="merge"/> false, as PUT) or fields to change, typically <c>{model_ref}</c>
    /// (<paramref name="merge"/> true).
    /// </summary>
    public async Task<DeploymentResult> UpdateAsync(string name, JsonNode? document, bool merge, string? user, CancellationToken cancellationToken)
    {
        if (!_live.TryGetValue(name, out var live))
        {
            return new DeploymentResult(null, false, [], null, true);
        }

        if (document is not JsonObject given)
        {
            return Refused([new DocumentProblem("$", merge ? "Expected a JSON object such as {\"model_ref\": \"customer-churn-predictor/1.1.0\"}." : "Expected the deployment document.")]);
        }

        var body = merge ? (JsonObject)JsonNode.Parse(live.Record.SpecJson)! : new JsonObject();
        foreach (var (key, value) in given)
        {
            body[key] = value?.DeepClone();
        }

        if (body["deployment_name"] is null)
        {
            body["deployment_name"] = name;
        }
        else if (body["deployment_name"] is not JsonValue named || named.GetValueKind() != JsonValueKind.String || named.GetValue<string>() != name)
        {
            return Refused([new DocumentProblem("deployment_name", $"must be '{name}', the deployment being changed; a deployment cannot be renamed.")]);
        }

        var (spec, problems) = DeploymentSpecs.Parse(body);
        if (spec is null)
        {
            return Refused(problems);
        }

        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_live.TryGetValue(name, out live))
            {
                return new DeploymentResult(null, false, [], null, true);
            }

            var (model, problem) = await PrepareAsync(spec, cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                return Refused([problem!]);
            }

            var old = live.Current;
            var count = Math.Clamp(old?.Replicas.Length ?? spec.NumReplicas, spec.MinReplicas, spec.MaxReplicas);
            var state = new DeploymentState(spec, model);
            var previousStatus = live.Status;
            live.Status = "updating";
            try
            {
                state.Replicas = await LoadReplicasAsync(live, state, count, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The old replicas never stopped serving.
                live.Status = previousStatus;
                return Refused([LoadProblem(model, e)]);
            }

            live.Current = state;
            live.Status = Running;
            live.Error = null;
            var from = old is null ? "nothing" : old.Model.Reference;
            if (old is not null)
            {
                await Task.WhenAll(old.Replicas.Select(r => r.RetireAsync(DrainTimeout))).ConfigureAwait(false);
            }

            var now = _clock.GetUtcNow();
            await using (var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
            {
                var record = await db.Set<DeploymentRecord>().SingleAsync(d => d.Name == name, cancellationToken).ConfigureAwait(false);
                record.ModelRef = spec.ModelRef;
                record.ModelName = model.Version.ModelName;
                record.ModelVersion = model.Version.Version;
                record.Runtime = spec.Runtime;
                record.ServedBy = model.Runtime.Id;
                record.SpecJson = spec.Document.ToJsonString();
                record.State = Running;
                record.Error = null;
                record.UpdatedBy = string.IsNullOrEmpty(user) ? "system" : user;
                record.UpdatedAt = now;
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                live.Record = record;
            }

            await EventAsync(live, "updated",
                $"Updated from {from} to {model.Reference}: {count} new replica(s) loaded, then swapped in; the old ones finished their requests and were unloaded.",
                old?.Replicas.Length, count, model.Version.Version).ConfigureAwait(false);
            Changed?.Invoke();
            if (_audit is not null)
            {
                await _audit.RecordChangeAsync("deployment.updated", name, $"from {from} to {model.Reference}").ConfigureAwait(false);
            }

            return new DeploymentResult(await ViewAsync(live, events: true, cancellationToken).ConfigureAwait(false), false, [], null, false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops serving <paramref name="name"/> (requests in flight finish) and forgets it; false when unknown.</summary>
    public async Task<bool> UndeployAsync(string name, string? user, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_live.TryRemove(name, out var live))
            {
                return false;
            }

            var state = live.Current;
            live.Current = null;
            if (state is not null)
            {
                await Task.WhenAll(state.Replicas.Select(r => r.RetireAsync(DrainTimeout))).ConfigureAwait(false);
            }

            await using (var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
            {
                await db.Set<DeploymentRecord>().Where(d => d.Name == name).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            }

            await EventAsync(live, "undeployed", $"Undeployed by {(string.IsNullOrEmpty(user) ? "system" : user)}.", state?.Replicas.Length, 0, state?.Model.Version.Version).ConfigureAwait(false);
            Changed?.Invoke();
            if (_audit is not null)
            {
                await _audit.RecordChangeAsync("deployment.deleted", name, state is null ? null : $"was serving {state.Model.Reference}").ConfigureAwait(false);
            }

            return true;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Every deployment, by name (without events).</summary>
    public async Task<IReadOnlyList<DeploymentView>> ListAsync(CancellationToken cancellationToken)
    {
        var views = new List<DeploymentView>();
        foreach (var live in _live.Values.OrderBy(l => l.Name, StringComparer.Ordinal))
        {
            views.Add(await ViewAsync(live, events: false, cancellationToken).ConfigureAwait(false));
        }

        return views;
    }

    /// <summary>
    /// The deployments named <paramref name="names"/> (without events), in that order; for pages read from the database.
    /// A name not live here (removed meanwhile) is left out.
    /// </summary>
    public async Task<IReadOnlyList<DeploymentView>> ViewsAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var views = new List<DeploymentView>();
        foreach (var name in names)
        {
            if (_live.TryGetValue(name, out var live))
            {
                views.Add(await ViewAsync(live, events: false, cancellationToken).ConfigureAwait(false));
            }
        }

        return views;
    }

    /// <summary>One deployment with its recent events; null when unknown.</summary>
    public async Task<DeploymentView?> GetAsync(string name, CancellationToken cancellationToken) =>
        _live.TryGetValue(name, out var live) ? await ViewAsync(live, events: true, cancellationToken).ConfigureAwait(false) : null;

    /// <summary>A deployment's health; null when unknown.</summary>
    public DeploymentHealth? Health(string name)
    {
        if (!_live.TryGetValue(name, out var live))
        {
            return null;
        }

        var state = live.Current;
        var status = state is null
            ? live.Status == Failed ? Failed : "starting"
            : live.LastProbe is { Healthy: false } || state.Replicas.Length == 0 ? "unhealthy" : "healthy";
        return new DeploymentHealth(name, status, state?.Model.Version.Version, state?.Replicas.Length ?? 0, live.LastProbe,
            state?.Spec.HealthCheckIntervalSeconds ?? 0, live.Error ?? (live.LastProbe is { Healthy: false } probe ? probe.Message : null));
    }

    /// <summary>The health path a deployment answers on (<c>/health</c> unless its document says otherwise).</summary>
    public string? HealthPath(string name) => _live.TryGetValue(name, out var live) ? live.Current?.Spec.HealthCheckPath ?? "/health" : null;

    /// <summary>
    /// Answers a prediction request: one instance (the seed's curl body) or <c>{"instances": [...]}</c>. Over the
    /// concurrency limit it refuses at once (503 with Retry-After). Each scored instance is queued for the prediction log.
    /// </summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="body">The request body.</param>
    /// <param name="topFactors">Factors per prediction; null = the deployment's setting (0 skips explanations).</param>
    /// <param name="cancellationToken">The request's abort signal (online lookups only).</param>
    /// <param name="answeredAt">When the prediction log records it as answered; null = now. Replays of past traffic set it.</param>
    public async ValueTask<PredictionOutcome> PredictAsync(string deployment, JsonElement body, int? topFactors, CancellationToken cancellationToken, DateTime? answeredAt = null)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = Guid.CreateVersion7();
        if (!_live.TryGetValue(deployment, out var live))
        {
            return PredictionOutcome.Refused(PredictionStatus.NoDeployment, requestId, $"No deployment is named '{deployment}'.");
        }

        var admitted = live.Current;
        if (admitted is null)
        {
            return PredictionOutcome.Refused(PredictionStatus.Unavailable, requestId,
                live.Status == Failed ? $"Deployment '{deployment}' failed: {live.Error}" : $"Deployment '{deployment}' is starting.", retryAfter: 1);
        }

        if (!live.TryAdmit(admitted.Spec.MaxConcurrentQueries))
        {
            live.Stats.Record(RequestOutcome.Rejected, 0, 0);
            return PredictionOutcome.Refused(PredictionStatus.Overloaded, requestId,
                $"Deployment '{deployment}' is answering its limit of {admitted.Spec.MaxConcurrentQueries} concurrent requests (max_concurrent_queries); retry shortly.",
                retryAfter: 1);
        }

        var outcome = RequestOutcome.Failed;
        var rows = 0;
        Replica? replica = null;
        try
        {
            replica = live.AcquireReplica();
            if (replica is null)
            {
                return PredictionOutcome.Refused(PredictionStatus.Unavailable, requestId, $"Deployment '{deployment}' has no replica serving.", retryAfter: 1);
            }

            var model = replica.State.Model;
            var problems = new List<DocumentProblem>();
            var (batch, instances) = ReadInstances(body, model, problems);
            if (problems.Count > 0)
            {
                outcome = RequestOutcome.Invalid;
                var message = $"The request has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}.";
                LogRefusal(live, model, requestId, started, "invalid", string.Join(" ", problems.Select(p => $"{p.Path}: {p.Message}")));
                return PredictionOutcome.Refused(PredictionStatus.Invalid, requestId, message, problems);
            }

            var vectors = new FeatureVector[instances.Length];
            for (var i = 0; i < instances.Length; i++)
            {
                var instance = instances[i];
                if (instance.Features is { } given)
                {
                    vectors[i] = given;
                    continue;
                }

                var at = batch ? $"instances[{i}].{instance.KeyName}" : instance.KeyName!;
                if (model.FeatureSet is null)
                {
                    outcome = RequestOutcome.Invalid;
                    var text = $"carries only the entity key, but {model.Reference} names no feature_set to read its inputs from; send the inputs.";
                    LogRefusal(live, model, requestId, started, "invalid", $"{at}: {text}");
                    return PredictionOutcome.Refused(PredictionStatus.Invalid, requestId, "The request has 1 problem.", [new DocumentProblem(at, text)]);
                }

                var row = await _features.GetOnlineAsync(model.FeatureSet, instance.KeyText!, cancellationToken).ConfigureAwait(false);
                if (row is null)
                {
                    outcome = RequestOutcome.Invalid;
                    var text = $"{instance.KeyName} {instance.KeyText} has no features in feature group {model.FeatureSet}.";
                    LogRefusal(live, model, requestId, started, "not_found", text, instance.KeyText);
                    return PredictionOutcome.Refused(PredictionStatus.NotFound, requestId, text, [new DocumentProblem(at, text)]);
                }

                var (features, problem) = PredictionInputs.FromOnline(row, model);
                if (features is null)
                {
                    throw new InvalidDataException(problem);
                }

                vectors[i] = features;
            }

            var factors = topFactors ?? model.Output.TopFactors;
            var predictor = replica.Predictor;
            var scored = new ScoredInstance[instances.Length];
            var answeredBy = new ServingModel[instances.Length];
            var split = _abTests?.SplitFor(live.Name);
            for (var i = 0; i < instances.Length; i++)
            {
                // An A/B test routes each entity by its stable hash; the variant serving the deployment's own model
                // uses the replica, the other its own loaded model.
                var (servedBy, scorer, variant) = (model, predictor, (string?)null);
                if (split is not null && instances[i].KeyText is { } unit)
                {
                    var routed = split.Route(unit);
                    variant = routed.Name;
                    if (routed.Model != model.Reference)
                    {
                        var other = await VariantAsync(live, routed.Model, cancellationToken).ConfigureAwait(false);
                        (servedBy, scorer) = (other.Serving, other.Predictor);
                    }
                }

                var prediction = scorer.Predict(vectors[i], factors);
                answeredBy[i] = servedBy;
                scored[i] = new ScoredInstance(instances[i].KeyName, instances[i].Key, prediction.Probability, servedBy.Output.RiskBands.Band(prediction.Probability), prediction.TopFactors)
                {
                    Variant = variant,
                    ModelVersion = variant is null ? null : servedBy.Version.Version,
                };
            }

            outcome = RequestOutcome.Ok;
            rows = scored.Length;
            var latency = RequestStats.MicrosecondsSince(started);
            var now = answeredAt ?? _clock.GetUtcNow().UtcDateTime;
            var version = model.Version;
            for (var i = 0; i < scored.Length; i++)
            {
                var entry = new PredictionLogEntry(requestId, batch ? i : null, live.Name, answeredBy[i].Version.ModelName, answeredBy[i].Version.Version, scored[i].Variant, instances[i].KeyText,
                    vectors[i], scored[i].Probability, scored[i].Risk, scored[i].Factors, latency, "ok", null, now);
                if (!_log.TryAppend(entry))
                {
                    live.Stats.LogDropped();
                }
            }

            return PredictionOutcome.Scored(requestId, batch, scored, version.Version, model.ProbabilityField, model.RiskField);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = RequestOutcome.Invalid;
            throw;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Prediction {Request} on {Deployment} failed", requestId, deployment);
            if (replica is not null)
            {
                LogRefusal(live, replica.State.Model, requestId, started, "error", e.Message);
            }

            return PredictionOutcome.Refused(PredictionStatus.Failed, requestId, $"The prediction failed: {e.Message}");
        }
        finally
        {
            replica?.Exit();
            live.Leave();
            live.Stats.Record(outcome, RequestStats.MicrosecondsSince(started), rows);
        }
    }

    /// <summary>Loads every stored deployment (at start). A deployment that cannot load is kept as failed, with the reason.</summary>
    public async Task<int> RestoreAsync(CancellationToken cancellationToken)
    {
        var restored = 0;
        foreach (var record in (await StoredAsync(cancellationToken).ConfigureAwait(false)).Values)
        {
            var live = new LiveDeployment(record.Name, record);
            _live[record.Name] = live;
            // The version deployed, not what an alias points at now: a restart must not change what is served.
            var (state, error) = await BuildStoredAsync(live, record, null, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                live.Status = Failed;
                live.Error = error;
                _logger.LogError("Deployment {Deployment} could not be loaded at start: {Error}", record.Name, error);
                await EventAsync(live, "failed", $"Could not be loaded at start: {error}", null, 0, record.ModelVersion).ConfigureAwait(false);
                continue;
            }

            live.Current = state;
            live.Status = Running;
            restored++;
            await EventAsync(live, "restored", $"Loaded {state.Model.Reference} on {state.Replicas.Length} replica(s) at start.", null, state.Replicas.Length,
                state.Model.Version.Version).ConfigureAwait(false);
        }

        return restored;
    }

    /// <summary>One round of autoscaling and health probes (the supervisor calls it every 100 ms).</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var nowMs = Environment.TickCount64;
        foreach (var live in _live.Values)
        {
            var state = live.Current;
            if (state is null)
            {
                continue;
            }

            ScalingDecision? decision = null;
            if (state.Autoscaling is { } policy)
            {
                policy.Observe(nowMs, live.Ongoing);
                decision = policy.Decide(nowMs, state.Replicas.Length);
            }

            var probe = nowMs >= state.NextHealthCheckMs;
            if ((decision is null && !probe) || !await _lifecycle.WaitAsync(0, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            try
            {
                if (live.Current != state)
                {
                    continue;
                }

                if (decision is not null)
                {
                    await ScaleAsync(live, state, decision, cancellationToken).ConfigureAwait(false);
                }

                if (probe)
                {
                    state.NextHealthCheckMs = nowMs + (long)(state.Spec.HealthCheckIntervalSeconds * 1000);
                    await ProbeAsync(live, state, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "Autoscaling or probing {Deployment} failed", live.Name);
            }
            finally
            {
                _lifecycle.Release();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var live in _live.Values)
        {
            foreach (var replica in live.Current?.Replicas ?? [])
            {
                replica.Predictor.Dispose();
            }
        }

        _live.Clear();
        _lifecycle.Dispose();
    }

    private static (bool Batch, RequestInstance[] Instances) ReadInstances(JsonElement body, ServingModel model, List<DocumentProblem> problems)
    {
        if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("instances", out var list) && !model.Index.ContainsKey("instances"))
        {
            foreach (var property in body.EnumerateObject())
            {
                if (property.Name != "instances")
                {
                    problems.Add(new DocumentProblem(property.Name, "is not allowed beside instances: a batch request holds only {\"instances\": [...]}."));
                }
            }

            if (list.ValueKind != JsonValueKind.Array)
            {
                problems.Add(new DocumentProblem("instances", "must be an array of objects, one per prediction."));
                return (true, []);
            }

            var count = list.GetArrayLength();
            if (count is 0 or > MaxBatch)
            {
                problems.Add(new DocumentProblem("instances", count == 0 ? "is empty." : $"holds {count} instances; send at most {MaxBatch} per request."));
                return (true, []);
            }

            var instances = new RequestInstance[count];
            var i = 0;
            foreach (var element in list.EnumerateArray())
            {
                if (PredictionInputs.Read(element, model, $"instances[{i}].", problems) is { } instance)
                {
                    instances[i] = instance;
                }

                i++;
            }

            return (true, instances);
        }

        return PredictionInputs.Read(body, model, "", problems) is { } single ? (false, [single]) : (false, []);
    }

    private void LogRefusal(LiveDeployment live, ServingModel model, Guid requestId, long started, string status, string error, string? key = null)
    {
        var entry = new PredictionLogEntry(requestId, null, live.Name, model.Version.ModelName, model.Version.Version, null, key, null, null, null, null,
            RequestStats.MicrosecondsSince(started), status, error.Length > 2000 ? error[..2000] : error, _clock.GetUtcNow().UtcDateTime);
        if (!_log.TryAppend(entry))
        {
            live.Stats.LogDropped();
        }
    }

    /// <summary>The loaded model of an A/B variant other than the deployment's own, loaded once per split.</summary>
    private Task<(string Model, ServingModel Serving, IModelPredictor Predictor)> VariantAsync(LiveDeployment live, string modelRef, CancellationToken cancellationToken)
    {
        var cached = _variants.GetOrAdd(live.Name, _ => LoadVariantAsync(live, modelRef));
        if (cached.IsCompletedSuccessfully && cached.Result.Model != modelRef || cached.IsFaulted)
        {
            _variants.TryRemove(live.Name, out _);
            cached = _variants.GetOrAdd(live.Name, _ => LoadVariantAsync(live, modelRef));
        }

        return cached.WaitAsync(cancellationToken);
    }

    private async Task<(string Model, ServingModel Serving, IModelPredictor Predictor)> LoadVariantAsync(LiveDeployment live, string modelRef)
    {
        var spec = live.Current?.Spec ?? throw new InvalidOperationException($"Deployment '{live.Name}' is not serving.");
        var (serving, problem) = await PrepareAsync(spec with { ModelRef = modelRef }, CancellationToken.None).ConfigureAwait(false);
        if (serving is null)
        {
            throw new InvalidOperationException($"The A/B variant {modelRef} cannot be served: {problem!.Message}");
        }

        var predictor = await serving.Runtime.LoadAsync(serving.Artifact, CancellationToken.None).ConfigureAwait(false);
        _logger.LogInformation("Deployment {Deployment} loaded A/B variant {Model}", live.Name, modelRef);
        return (modelRef, serving, predictor);
    }

    private async Task<(ServingModel? Model, DocumentProblem? Problem)> PrepareAsync(DeploymentSpec spec, CancellationToken cancellationToken)
    {
        var (version, problem) = await _registry.ResolveAsync(spec.ModelRef, cancellationToken).ConfigureAwait(false);
        if (version is null)
        {
            return (null, new DocumentProblem("model_ref", problem!));
        }

        var runtime = _runtimes.FirstOrDefault(r => r.Frameworks.Contains(version.Framework, StringComparer.OrdinalIgnoreCase));
        if (runtime is null)
        {
            return (null, new DocumentProblem("model_ref",
                $"{version.Reference} is a {version.Framework} model and no loaded serving runtime loads {version.Framework} " +
                $"({(_runtimes.Length == 0 ? "none is loaded" : string.Join(", ", _runtimes.Select(r => $"{r.Id}: {string.Join("/", r.Frameworks)}")))})."));
        }

        if (!File.Exists(version.Artifact.Path))
        {
            return (null, new DocumentProblem("model_ref", $"The registry's artifact of {version.Reference} is missing ({version.Artifact.Path})."));
        }

        string? key = null;
        if (version.FeatureSet is { } featureSet)
        {
            key = (await _features.GetAsync(featureSet, cancellationToken).ConfigureAwait(false))?.EntityKey;
        }

        return (new ServingModel(version, runtime, spec.Output, key), null);
    }

    private static DocumentProblem LoadProblem(ServingModel model, Exception e) =>
        new("model_ref", $"The {model.Runtime.Id} runtime could not load {model.Reference}: {e.Message}");

    private async Task<Replica[]> LoadReplicasAsync(LiveDeployment live, DeploymentState state, int count, CancellationToken cancellationToken)
    {
        var loaded = new List<Replica>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var predictor = await state.Model.Runtime.LoadAsync(state.Model.Artifact, cancellationToken).ConfigureAwait(false);
                loaded.Add(new Replica(live.NextReplicaId(), predictor, state, _clock.GetUtcNow()));
                // Warm it before it takes traffic: the first calls compile the scoring path and fill the runtime's
                // pools (several at once, so a burst finds engines ready), which would otherwise stall the first requests.
                var neutral = state.Model.Neutral;
                var factors = state.Model.Output.TopFactors;
                await Task.Run(() => Parallel.For(0, Math.Max(2, Environment.ProcessorCount * 2), _ =>
                {
                    predictor.Predict(neutral, factors);
                    predictor.Predict(neutral, 0);
                }), cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var replica in loaded)
            {
                replica.Predictor.Dispose();
            }

            throw;
        }

        return loaded.ToArray();
    }

    private async Task ScaleAsync(LiveDeployment live, DeploymentState state, ScalingDecision decision, CancellationToken cancellationToken)
    {
        var current = state.Replicas;
        if (decision.Replicas == current.Length)
        {
            return;
        }

        if (decision.Replicas > current.Length)
        {
            var added = await LoadReplicasAsync(live, state, decision.Replicas - current.Length, cancellationToken).ConfigureAwait(false);
            state.Replicas = [.. current, .. added];
        }
        else
        {
            state.Replicas = current[..decision.Replicas];
            await Task.WhenAll(current[decision.Replicas..].Select(r => r.RetireAsync(DrainTimeout))).ConfigureAwait(false);
        }

        await EventAsync(live, decision.Replicas > current.Length ? "scaled_up" : "scaled_down", decision.Reason, current.Length, decision.Replicas,
            state.Model.Version.Version).ConfigureAwait(false);
        Changed?.Invoke();
    }

    private async Task ProbeAsync(LiveDeployment live, DeploymentState state, CancellationToken cancellationToken)
    {
        var failed = new List<(Replica Replica, string Error)>();
        foreach (var replica in state.Replicas)
        {
            if (!replica.TryEnter(probe: true))
            {
                continue;
            }

            try
            {
                replica.Predictor.Predict(state.Model.Neutral, 0);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failed.Add((replica, e.Message));
            }
            finally
            {
                replica.Exit();
            }
        }

        // A feature group synced after the deployment gives the entity key from then on.
        if (state.Model.KeyField is null && state.Model.FeatureSet is { } featureSet)
        {
            state.Model.KeyField = (await _features.GetAsync(featureSet, cancellationToken).ConfigureAwait(false))?.EntityKey;
        }

        live.LastProbe = new HealthProbe(_clock.GetUtcNow(), failed.Count == 0,
            failed.Count == 0 ? null : string.Join(" ", failed.Select(f => $"Replica {f.Replica.Id}: {f.Error}")));
        foreach (var (replica, error) in failed)
        {
            var fresh = (await LoadReplicasAsync(live, state, 1, cancellationToken).ConfigureAwait(false))[0];
            state.Replicas = state.Replicas.Select(r => r == replica ? fresh : r).ToArray();
            await replica.RetireAsync(DrainTimeout).ConfigureAwait(false);
            await EventAsync(live, "replica_replaced", $"Replica {replica.Id} failed its health probe ({error}); replica {fresh.Id} replaced it.",
                state.Replicas.Length, state.Replicas.Length, state.Model.Version.Version).ConfigureAwait(false);
        }
    }

    private async Task EventAsync(LiveDeployment live, string kind, string message, int? from, int? to, string? version)
    {
        try
        {
            await using var db = await _contexts.CreateDbContextAsync().ConfigureAwait(false);
            db.Add(new DeploymentEventRecord { Deployment = live.Name, At = _clock.GetUtcNow(), Kind = kind, Message = message, FromReplicas = from, ToReplicas = to, ModelVersion = version });
            await db.SaveChangesAsync().ConfigureAwait(false);
        }
        catch (DbUpdateException e)
        {
            _logger.LogWarning(e, "Could not record the {Kind} event of {Deployment}", kind, live.Name);
        }

        _logger.LogInformation("Deployment {Deployment} {Kind}: {Message}", live.Name, kind, message);
    }

    private async Task<DeploymentView> ViewAsync(LiveDeployment live, bool events, CancellationToken cancellationToken)
    {
        var state = live.Current;
        var record = live.Record;
        IReadOnlyList<DeploymentEventView> recent = [];
        if (events)
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            recent = (await db.Set<DeploymentEventRecord>().AsNoTracking().Where(e => e.Deployment == live.Name)
                    .OrderByDescending(e => e.Id).Take(50).ToListAsync(cancellationToken).ConfigureAwait(false))
                .Select(e => new DeploymentEventView(e.At, e.Kind, e.Message, e.FromReplicas, e.ToReplicas, e.ModelVersion)).ToArray();
        }

        var replicas = state?.Replicas ?? [];
        var settings = state is null ? null : new DeploymentSettings(
            state.Spec.MaxConcurrentQueries,
            state.Spec.MinReplicas,
            state.Spec.MaxReplicas,
            state.Spec.Autoscaling?.TargetOngoingRequestsPerReplica,
            state.Spec.HealthCheckPath,
            state.Spec.HealthCheckIntervalSeconds,
            state.Model.ProbabilityField,
            state.Model.RiskField,
            state.Model.Output.TopFactors,
            state.Model.Output.RiskBands,
            state.Model.FeatureSet,
            state.Model.KeyField);
        return new DeploymentView(
            live.Name,
            live.Status,
            live.Error,
            record.ModelRef,
            state?.Model.Version.ModelName ?? record.ModelName,
            state?.Model.Version.Version ?? record.ModelVersion,
            record.Runtime,
            state?.Model.Runtime.Id ?? record.ServedBy,
            $"/serve/{live.Name}/predict",
            replicas.Length,
            replicas.Select(r => new ReplicaView(r.Id, r.State.Model.Version.Version, r.Ongoing, r.Requests, r.StartedAt)).ToArray(),
            settings,
            live.Stats.Snapshot(live.Ongoing),
            live.LastProbe,
            recent,
            (JsonObject)JsonNode.Parse(record.SpecJson)!,
            record.CreatedBy,
            record.CreatedAt,
            record.UpdatedBy,
            record.UpdatedAt);
    }

    private static DeploymentResult Refused(IReadOnlyList<DocumentProblem> problems) => new(null, false, problems, null, false);
}
