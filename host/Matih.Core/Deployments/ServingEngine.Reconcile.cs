using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Deployments;

/// <summary>What one reconciliation changed on this host, and what it could not load (with the reason).</summary>
/// <param name="Loaded">Stored deployments this host now serves that it did not before.</param>
/// <param name="Updated">Deployments changed elsewhere whose new version this host swapped in.</param>
/// <param name="Removed">Deployments removed elsewhere that this host drained and unloaded.</param>
/// <param name="Failed">Stored deployments this host cannot load, by name, with the reason; retried on the next round.</param>
public sealed record DeploymentReconciliation(
    IReadOnlyList<string> Loaded,
    IReadOnlyList<string> Updated,
    IReadOnlyList<string> Removed,
    IReadOnlyDictionary<string, string> Failed)
{
    /// <summary>Nothing to do: this host serves what is stored.</summary>
    public static readonly DeploymentReconciliation None = new([], [], [], new Dictionary<string, string>());

    /// <summary>Whether this host's deployments changed.</summary>
    public bool Changed => Loaded.Count + Updated.Count + Removed.Count > 0;
}

public sealed partial class ServingEngine
{
    /// <summary>
    /// Two stamps of the same write differ by less than this: PostgreSQL keeps microseconds, the host that wrote the
    /// record keeps ticks. Writes by people are further apart.
    /// </summary>
    private static readonly TimeSpan s_sameStamp = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Brings this host's live deployments in line with the stored ones, for server mode where several hosts share one
    /// metadata store: a deployment stored by another host is loaded, one changed there (new model version, settings, a
    /// promoted A/B winner) is swapped in as <see cref="UpdateAsync"/> swaps (new replicas first, no failed request),
    /// one removed there is drained and unloaded, and the running A/B tests' traffic splits are read again. A deployment
    /// this host changed itself matches its record and is left alone. One that cannot load here is kept with the reason
    /// (its health and <see cref="DeploymentReconciliation.Failed"/> say why; an older version keeps serving if there was
    /// one) and is tried again on the next call. The supervisor calls it every <see cref="ServingOptions.ReconcileSeconds"/>.
    /// </summary>
    public async Task<DeploymentReconciliation> ReconcileAsync(CancellationToken cancellationToken)
    {
        if (_abTests is not null)
        {
            await _abTests.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        // Look first without the lock: most rounds find nothing to do and must not hold up deploys on this host.
        if (!NeedsWork(await StoredAsync(cancellationToken).ConfigureAwait(false)))
        {
            return DeploymentReconciliation.None;
        }

        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Read again under the lock, so a change this host is making is either fully in the store and in memory or in neither.
            var stored = await StoredAsync(cancellationToken).ConfigureAwait(false);
            var (loaded, updated, removed) = (new List<string>(), new List<string>(), new List<string>());
            var failed = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var live in _live.Values.Where(l => !stored.ContainsKey(l.Name)).ToArray())
            {
                await UnloadRemovedAsync(live).ConfigureAwait(false);
                removed.Add(live.Name);
            }

            foreach (var record in stored.Values.OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                var known = _live.GetValueOrDefault(record.Name);
                if (known is not null && known.Current is not null && SameRevision(known.Record, record))
                {
                    continue;
                }

                var serving = known?.Current is not null;
                var error = serving
                    ? await SwapStoredAsync(known!, record, cancellationToken).ConfigureAwait(false)
                    : await LoadStoredAsync(record, known, cancellationToken).ConfigureAwait(false);
                if (error is not null)
                {
                    failed[record.Name] = error;
                }
                else
                {
                    (serving ? updated : loaded).Add(record.Name);
                }
            }

            var outcome = new DeploymentReconciliation(loaded, updated, removed, failed);
            if (outcome.Changed)
            {
                Changed?.Invoke();
            }

            return outcome;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Whether two records are the same write of a deployment: same model version and document, same stamps.</summary>
    private static bool SameRevision(DeploymentRecord mine, DeploymentRecord stored) =>
        string.Equals(mine.ModelName, stored.ModelName, StringComparison.Ordinal)
        && string.Equals(mine.ModelVersion, stored.ModelVersion, StringComparison.Ordinal)
        && string.Equals(mine.SpecJson, stored.SpecJson, StringComparison.Ordinal)
        // A remove and a deploy of the same document (or a PUT of it) elsewhere still reloads, as it did there.
        && (mine.UpdatedAt - stored.UpdatedAt).Duration() < s_sameStamp
        && (mine.CreatedAt - stored.CreatedAt).Duration() < s_sameStamp;

    private bool NeedsWork(IReadOnlyDictionary<string, DeploymentRecord> stored) =>
        _live.Keys.Any(name => !stored.ContainsKey(name))
        || stored.Values.Any(r => !_live.TryGetValue(r.Name, out var live) || live.Current is null || !SameRevision(live.Record, r));

    private async Task<IReadOnlyDictionary<string, DeploymentRecord>> StoredAsync(CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<DeploymentRecord>().AsNoTracking().ToDictionaryAsync(d => d.Name, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads a deployment this host does not serve yet (new, or failed before); the reason when it cannot.</summary>
    private async Task<string?> LoadStoredAsync(DeploymentRecord record, LiveDeployment? known, CancellationToken cancellationToken)
    {
        var live = known ?? new LiveDeployment(record.Name, record);
        live.Record = record;
        _live[record.Name] = live;
        var (state, error) = await BuildStoredAsync(live, record, null, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            live.Status = Failed;
            ReportLoadFailure(live, $"This host cannot serve {record.ModelName}/{record.ModelVersion}: {error} Retried every few seconds.");
            return live.Error;
        }

        live.Current = state;
        live.Status = Running;
        live.Error = null;
        _logger.LogInformation("Deployment {Deployment}: loaded {Model} on {Replicas} replica(s), as stored by another host",
            live.Name, state.Model.Reference, state.Replicas.Length);
        return null;
    }

    /// <summary>Swaps in a version changed elsewhere; on failure the old replicas keep serving and the reason is kept.</summary>
    private async Task<string?> SwapStoredAsync(LiveDeployment live, DeploymentRecord record, CancellationToken cancellationToken)
    {
        var old = live.Current!;
        var (state, error) = await BuildStoredAsync(live, record, old.Replicas.Length, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            ReportLoadFailure(live,
                $"This host cannot serve {record.ModelName}/{record.ModelVersion}, changed by {record.UpdatedBy} on another host: {error} " +
                $"It keeps serving {old.Model.Reference} and retries every few seconds.");
            return live.Error;
        }

        live.Current = state;
        live.Record = record;
        live.Status = Running;
        live.Error = null;
        await Task.WhenAll(old.Replicas.Select(r => r.RetireAsync(DrainTimeout))).ConfigureAwait(false);
        _logger.LogInformation("Deployment {Deployment}: swapped {From} for {To} ({Replicas} replica(s)), as changed by {User} on another host",
            live.Name, old.Model.Reference, state.Model.Reference, state.Replicas.Length, record.UpdatedBy);
        return null;
    }

    /// <summary>The stored version's replicas, loaded and warmed; the reason instead when it cannot be served here.</summary>
    private async Task<(DeploymentState? State, string? Error)> BuildStoredAsync(LiveDeployment live, DeploymentRecord record, int? replicas,
        CancellationToken cancellationToken)
    {
        try
        {
            var (spec, problems) = DeploymentSpecs.Parse(JsonNode.Parse(record.SpecJson));
            if (spec is null)
            {
                return (null, $"its stored document is refused ({string.Join("; ", problems.Select(p => $"{p.Path}: {p.Message}"))}).");
            }

            // The version the other host resolved, not what an alias points at now: every host serves the same one.
            var (model, problem) = await PrepareAsync(spec with { ModelRef = $"{record.ModelName}/{record.ModelVersion}" }, cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                return (null, problem!.Message);
            }

            var state = new DeploymentState(spec, model);
            var count = Math.Clamp(replicas ?? spec.NumReplicas, spec.MinReplicas, spec.MaxReplicas);
            try
            {
                state.Replicas = await LoadReplicasAsync(live, state, count, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (null, LoadProblem(model, e).Message);
            }

            return (state, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A broken record or a failed registry read: this deployment waits for the next round, the others go on.
            return (null, e.Message);
        }
    }

    private void ReportLoadFailure(LiveDeployment live, string error)
    {
        // Every round retries; say it once per distinct reason, not every few seconds.
        if (!string.Equals(live.Error, error, StringComparison.Ordinal))
        {
            _logger.LogWarning("Deployment {Deployment}: {Error}", live.Name, error);
        }

        live.Error = error;
    }

    private async Task UnloadRemovedAsync(LiveDeployment live)
    {
        _live.TryRemove(live.Name, out _);
        var state = live.Current;
        live.Current = null;
        if (_variants.TryRemove(live.Name, out var variant) && variant.IsCompletedSuccessfully)
        {
            variant.Result.Predictor.Dispose();
        }

        if (state is not null)
        {
            await Task.WhenAll(state.Replicas.Select(r => r.RetireAsync(DrainTimeout))).ConfigureAwait(false);
        }

        _logger.LogInformation("Deployment {Deployment}: removed on another host; its requests finished and its replicas were unloaded here", live.Name);
    }
}
