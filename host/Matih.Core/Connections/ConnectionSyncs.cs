using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Matih.Core.Metadata;
using Matih.Core.Sync;
using Matih.Core.Warehouse;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Connections;

/// <summary>Progress of one stream in a sync.</summary>
public sealed record StreamProgress(long RowsRead, long? RowsEstimated);

/// <summary>A sync run as the API shows it.</summary>
public sealed record SyncRunView(
    Guid RunId,
    string ConnectionId,
    string State,
    string Trigger,
    int Attempt,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyDictionary<string, long> Rows,
    IReadOnlyDictionary<string, StreamProgress> Progress,
    double? ProgressFraction,
    string? Error);

/// <summary>A problem with a connection's setup that a retry cannot fix (an unset secret, an unknown stream).</summary>
public sealed class SyncSetupException(string message) : Exception(message);

/// <summary>
/// Runs connection syncs as background jobs: one run at a time per connection, retried with backoff and the
/// reason in words, resumable after a restart (the sink commits state with the rows, so a rerun continues from the
/// last checkpoint), cancellable, with live per-stream progress.
/// </summary>
public sealed class ConnectionSyncs(
    IDbContextFactory<MetadataDbContext> contexts,
    Connections connections,
    SecretValues secrets,
    DuckDbWarehouse warehouse,
    Catalog.DatasetRegistry datasets,
    Lineage.LineageGraph lineage,
    IBackgroundJobClient jobs,
    TimeProvider clock,
    ILogger<ConnectionSyncs> log,
    Audit.AuditLog? audit = null)
{
    /// <summary>Attempts per run before it fails.</summary>
    public const int MaxAttempts = 3;

    /// <summary>Wait before the second attempt; doubled for each further one.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(30);

    private static readonly string[] s_active = ["queued", "running", "retrying"];
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, StreamProgress>> _progress = new();

    /// <summary>Queues a sync of <paramref name="connectionId"/>; refuses when one is already active.</summary>
    /// <returns>The new run's id, or the active run's id with an error.</returns>
    public async Task<(Guid? RunId, string? Error)> StartAsync(string connectionId, string trigger, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (!await db.Connections.AnyAsync(c => c.Id == connectionId, cancellationToken).ConfigureAwait(false))
        {
            return (null, $"No connection has the id '{connectionId}'.");
        }

        var active = await db.SyncRuns.Where(r => r.ConnectionId == connectionId && s_active.Contains(r.State))
            .Select(r => (Guid?)r.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (active is not null)
        {
            return (active, $"A sync of '{connectionId}' is already {(await db.SyncRuns.FindAsync([active], cancellationToken).ConfigureAwait(false))!.State} (run {active}).");
        }

        var run = new SyncRunRecord { Id = Guid.NewGuid(), ConnectionId = connectionId, State = "queued", Trigger = trigger, QueuedAt = clock.GetUtcNow() };
        db.SyncRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        jobs.Enqueue<SyncJob>(job => job.RunAsync(run.Id, CancellationToken.None));
        if (audit is not null)
        {
            await audit.RecordChangeAsync("connection.sync_started", connectionId, $"run {run.Id} ({trigger})").ConfigureAwait(false);
        }

        return (run.Id, null);
    }

    /// <summary>One run of a connection, with live progress while it runs; null when unknown.</summary>
    public async Task<SyncRunView?> GetRunAsync(string connectionId, Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var run = await db.SyncRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId && r.ConnectionId == connectionId, cancellationToken).ConfigureAwait(false);
        return run is null ? null : View(run);
    }

    /// <summary>The latest runs of a connection, newest first.</summary>
    public async Task<IReadOnlyList<SyncRunView>> ListRunsAsync(string connectionId, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var runs = await db.SyncRuns.AsNoTracking().Where(r => r.ConnectionId == connectionId)
            .OrderByDescending(r => r.QueuedAt).Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
        return runs.Select(View).ToArray();
    }

    /// <summary>Each connection's latest run, by connection id, in one query (a list of sources shows them side by side).</summary>
    public async Task<IReadOnlyDictionary<string, SyncRunView>> LatestRunsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var runs = await db.SyncRuns.AsNoTracking().GroupBy(r => r.ConnectionId).Select(g => g.OrderByDescending(r => r.QueuedAt).First())
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return runs.ToDictionary(r => r.ConnectionId, View, StringComparer.Ordinal);
    }

    /// <summary>What the API shows of a stored run (with live progress while it runs); for pages read from the database.</summary>
    public SyncRunView Describe(SyncRunRecord run) => View(run);

    /// <summary>Asks a queued, running or retrying run to stop. False when it has already ended.</summary>
    public async Task<bool> CancelAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (_running.TryGetValue(runId, out var running))
        {
            await running.CancelAsync().ConfigureAwait(false);
            var connectionId = await db.SyncRuns.Where(r => r.Id == runId).Select(r => r.ConnectionId).SingleOrDefaultAsync(CancellationToken.None).ConfigureAwait(false);
            await RecordCancelAsync(connectionId, runId, "asked to stop while running").ConfigureAwait(false);
            return true;
        }

        var run = await db.SyncRuns.SingleOrDefaultAsync(r => r.Id == runId, cancellationToken).ConfigureAwait(false);
        if (run is null || !s_active.Contains(run.State))
        {
            return false;
        }

        run.State = "cancelled";
        run.EndedAt = clock.GetUtcNow();
        run.Error = "Cancelled before it ran.";
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await RecordCancelAsync(run.ConnectionId, runId, "cancelled before it ran").ConfigureAwait(false);
        return true;
    }

    private Task RecordCancelAsync(string? connectionId, Guid runId, string how) =>
        audit?.RecordChangeAsync("connection.run_cancelled", connectionId ?? runId.ToString(), $"run {runId} {how}") ?? Task.CompletedTask;

    /// <summary>Runs one attempt of a run (the Hangfire job's body). Idempotent for runs that already ended.</summary>
    public async Task ExecuteAsync(Guid runId, CancellationToken stopping)
    {
        SyncRunRecord run;
        ConnectionRecord? connection;
        await using (var db = await contexts.CreateDbContextAsync(stopping).ConfigureAwait(false))
        {
            var found = await db.SyncRuns.SingleOrDefaultAsync(r => r.Id == runId, stopping).ConfigureAwait(false);
            if (found is null || !s_active.Contains(found.State))
            {
                return;
            }

            run = found;
            connection = await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == run.ConnectionId, stopping).ConfigureAwait(false);
            run.State = "running";
            run.Attempt++;
            run.StartedAt ??= clock.GetUtcNow();
            await db.SaveChangesAsync(stopping).ConfigureAwait(false);
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _running[runId] = cancel;
        var progress = _progress.GetOrAdd(runId, _ => new ConcurrentDictionary<string, StreamProgress>());
        try
        {
            if (connection is null)
            {
                throw new SyncSetupException($"Connection '{run.ConnectionId}' no longer exists.");
            }

            var rows = await SyncAsync(connection, progress, cancel.Token).ConfigureAwait(false);
            await FinishAsync(runId, "succeeded", null, rows).ConfigureAwait(false);
            log.LogInformation("Sync {RunId} of {Connection} succeeded: {Rows} rows", runId, connection.Id, rows.Values.Sum());
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            await FinishAsync(runId, "cancelled", "Cancelled by a user; rows committed at earlier checkpoints are kept.", null).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host is stopping: leave the run active so the next start resumes it from the last checkpoint.
            await MarkAsync(runId, "retrying", "The host stopped during the sync; it resumes from the last checkpoint at the next start.").ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var reason = Reason(e);
            if (e is not SyncSetupException && run.Attempt < MaxAttempts)
            {
                var delay = FirstRetryDelay * Math.Pow(2, run.Attempt - 1);
                await MarkAsync(runId, "retrying", $"Attempt {run.Attempt} of {MaxAttempts} failed: {reason} Retrying in {delay.TotalSeconds:0} s.").ConfigureAwait(false);
                jobs.Schedule<SyncJob>(job => job.RunAsync(runId, CancellationToken.None), delay);
                log.LogWarning("Sync {RunId} attempt {Attempt} failed, retrying in {Delay}: {Reason}", runId, run.Attempt, delay, reason);
            }
            else
            {
                var prefix = e is SyncSetupException ? "" : $"Failed after {run.Attempt} attempt{(run.Attempt == 1 ? "" : "s")}: ";
                await FinishAsync(runId, "failed", prefix + reason, null).ConfigureAwait(false);
                log.LogError("Sync {RunId} failed: {Reason}", runId, reason);
            }
        }
        finally
        {
            _running.TryRemove(runId, out _);
            _progress.TryRemove(runId, out _);
        }
    }

    /// <summary>Re-queues runs a stopped host left active (called at start): they resume from their last checkpoint.</summary>
    public async Task<int> ResumeInterruptedAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var runs = await db.SyncRuns.Where(r => s_active.Contains(r.State)).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var run in runs)
        {
            if (run.State == "running")
            {
                run.State = "retrying";
                run.Error = "The host stopped during the sync; resuming from the last checkpoint.";
            }

            jobs.Enqueue<SyncJob>(job => job.RunAsync(run.Id, CancellationToken.None));
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return runs.Count;
    }

    /// <summary>Registers each connection's cron schedule as a recurring job (called at start and on change).</summary>
    public async Task ScheduleAllAsync(IRecurringJobManager recurring, CancellationToken cancellationToken)
    {
        foreach (var connection in await connections.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            Schedule(recurring, connection.Id, connection.Cron);
        }
    }

    /// <summary>Adds, changes or removes one connection's recurring sync.</summary>
    public static void Schedule(IRecurringJobManager recurring, string connectionId, string? cron)
    {
        var id = $"sync:{connectionId}";
        if (cron is null)
        {
            recurring.RemoveIfExists(id);
        }
        else
        {
            recurring.AddOrUpdate<ScheduledSyncJob>(id, job => job.RunAsync(connectionId, CancellationToken.None), cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
    }

    private async Task<Dictionary<string, long>> SyncAsync(ConnectionRecord connection, ConcurrentDictionary<string, StreamProgress> progress, CancellationToken cancellationToken)
    {
        var connector = connections.Connector(connection.Connector)
            ?? throw new SyncSetupException($"The connector '{connection.Connector}' is not loaded; see the Plugins page.");
        JsonObject resolved;
        try
        {
            resolved = secrets.Resolve(JsonNode.Parse(connection.ConfigJson)!.AsObject());
        }
        catch (InvalidOperationException e)
        {
            throw new SyncSetupException(e.Message);
        }

        var config = JsonSerializer.SerializeToElement(resolved);
        var discovered = await connector.DiscoverAsync(config, cancellationToken).ConfigureAwait(false);
        var settings = Connections.StreamsOf(connection);
        var missing = settings.Where(s => discovered.All(d => d.Name != s.Name)).Select(s => s.Name).ToArray();
        if (missing.Length > 0)
        {
            throw new SyncSetupException(
                $"The source has no stream named {string.Join(", ", missing.Select(m => $"'{m}'"))}; it offers {string.Join(", ", discovered.Select(d => d.Name))}.");
        }

        var streams = settings.Select(s =>
        {
            var found = discovered.Single(d => d.Name == s.Name);
            return new ConfiguredStream(s.Name, s.Mode, s.CursorField, found.Schema.PrimaryKey);
        }).ToArray();
        var targets = streams.ToDictionary(
            s => s.Name,
            s => new StreamTarget(new TableRef(connection.DestinationCatalog, connection.DestinationSchema, s.Name), s.Mode, s.PrimaryKey));
        var state = await WarehouseSink.LoadStateAsync(warehouse, connection.DestinationCatalog, connection.Id, cancellationToken).ConfigureAwait(false);

        await using var sink = new WarehouseSink(warehouse, connection.Id, targets);
        sink.Progress += (stream, read, estimated) => progress[stream] = new StreamProgress(read, estimated);
        await connector.ReadAsync(config, new ReadRequest(streams, state), sink, cancellationToken).ConfigureAwait(false);

        var database = resolved["database"]?.ToString();
        foreach (var (name, target) in targets)
        {
            var found = discovered.Single(d => d.Name == name);
            var source = string.Join('.', new[] { database, found.Namespace, name }.Where(p => !string.IsNullOrEmpty(p)));
            var rows = await warehouse.QueryAsync($"SELECT count(*) FROM {target.Table.ToSql()}", cancellationToken).ConfigureAwait(false);
            await datasets.RecordAsync(target.Table, $"sync:{connection.Id}", source, Convert.ToInt64(rows.Rows[0][0], System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            await lineage.RecordEdgeAsync($"source:{connection.Id}:{source}", target.Table.ToString(), "sync", new Dictionary<string, string[]>(), connection.Name, cancellationToken).ConfigureAwait(false);
        }

        return sink.CommittedRows;
    }

    private async Task FinishAsync(Guid runId, string state, string? error, Dictionary<string, long>? rows)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var run = await db.SyncRuns.SingleAsync(r => r.Id == runId).ConfigureAwait(false);
        run.State = state;
        run.Error = error;
        run.EndedAt = clock.GetUtcNow();
        if (rows is not null)
        {
            run.RowsJson = JsonSerializer.Serialize(rows);
        }

        if (_progress.TryGetValue(runId, out var progress))
        {
            run.ProgressJson = JsonSerializer.Serialize(progress);
        }

        await db.SaveChangesAsync().ConfigureAwait(false);
    }

    private async Task MarkAsync(Guid runId, string state, string error)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var run = await db.SyncRuns.SingleAsync(r => r.Id == runId).ConfigureAwait(false);
        run.State = state;
        run.Error = error;
        await db.SaveChangesAsync().ConfigureAwait(false);
    }

    private SyncRunView View(SyncRunRecord run)
    {
        var progress = _progress.TryGetValue(run.Id, out var live)
            ? live.ToDictionary(kv => kv.Key, kv => kv.Value)
            : JsonSerializer.Deserialize<Dictionary<string, StreamProgress>>(run.ProgressJson) ?? [];
        var estimated = progress.Values.Sum(p => p.RowsEstimated ?? 0);
        double? fraction = run.State == "succeeded" ? 1.0
            : estimated > 0 ? Math.Min(1.0, progress.Values.Sum(p => p.RowsRead) / (double)estimated) : null;
        return new SyncRunView(run.Id, run.ConnectionId, run.State, run.Trigger, run.Attempt, run.QueuedAt, run.StartedAt, run.EndedAt,
            JsonSerializer.Deserialize<Dictionary<string, long>>(run.RowsJson) ?? [], progress, fraction, run.Error);
    }

    private static string Reason(Exception e)
    {
        var message = e is AggregateException { InnerException: { } inner } ? inner.Message : e.Message;
        return message.EndsWith('.') ? message : message + ".";
    }
}

/// <summary>The Hangfire job for one sync attempt: takes the run id and calls the engine.</summary>
public sealed class SyncJob(ConnectionSyncs syncs)
{
    /// <summary>Runs one attempt; retries are the engine's, not Hangfire's.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task RunAsync(Guid runId, CancellationToken cancellationToken) => syncs.ExecuteAsync(runId, cancellationToken);
}

/// <summary>The recurring job behind a connection's cron schedule.</summary>
public sealed class ScheduledSyncJob(ConnectionSyncs syncs)
{
    /// <summary>Queues a scheduled sync; a sync still running is left alone.</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(string connectionId, CancellationToken cancellationToken) => syncs.StartAsync(connectionId, "schedule", cancellationToken);
}
