using System.Collections.Concurrent;
using System.Text.Json;
using Matih.Core.Metadata;
using Matih.Sdk.Notifications;
using Matih.Sdk.Pipelines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Pipelines;

/// <summary>How pipeline execution behaves on this host.</summary>
public sealed record PipelineOptions
{
    /// <summary>How long a host holds a running task without renewing; another host reclaims it after that.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// True when no other host can share the metadata store (the embedded SQLite default): tasks left running by a
    /// stopped host are reclaimed at start without waiting for their lease.
    /// </summary>
    public bool ExclusiveStore { get; init; } = true;

    /// <summary>The workbench's address, for links in run reports.</summary>
    public string WorkbenchUrl { get; init; } = "http://localhost:5000";

    /// <summary>A name for this host in attempt records.</summary>
    public string Worker { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
}

/// <summary>One attempt as run history shows it.</summary>
public sealed record TaskAttemptView(int Attempt, string State, string Worker, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? Seconds, string Log, string? Error);

/// <summary>One task of a run as run history and the designer's overlay show it.</summary>
public sealed record TaskRunView(
    string TaskId,
    string Type,
    IReadOnlyList<string> DependsOn,
    string State,
    int Attempts,
    int MaxAttempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double? Seconds,
    DateTimeOffset? NextAttemptAt,
    string? Summary,
    string? Error,
    JsonElement? Outputs,
    Guid? ReusedFrom,
    IReadOnlyList<TaskAttemptView> AttemptLog);

/// <summary>A pipeline run with its tasks.</summary>
public sealed record PipelineRunView(
    Guid RunId,
    string PipelineId,
    string State,
    string Trigger,
    string TriggeredBy,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double? Seconds,
    string? Error,
    Guid? RerunOf,
    IReadOnlyList<TaskRunView> Tasks);

/// <summary>
/// Runs pipelines: a run's tasks execute in dependency order, independent ones in parallel, each attempt a job that
/// any host's workers may take. The metadata store is the source of truth: a task is claimed by a conditional update
/// (so no task runs twice at once, however many hosts or duplicate jobs there are), held by a renewed lease, retried
/// on its policy's schedule, and recovered after a host stops.
/// </summary>
public sealed class PipelineRuns(
    IDbContextFactory<MetadataDbContext> contexts,
    PipelineTaskTypes taskTypes,
    IServiceProvider platform,
    IPipelineDispatch dispatch,
    Notifications.Notifications notifications,
    PipelineOptions options,
    TimeProvider clock,
    ILogger<PipelineRuns> log,
    Audit.AuditLog? audit = null)
{
    private static readonly string[] s_activeRun = ["queued", "running"];
    private static readonly string[] s_terminalTask = ["succeeded", "failed", "cancelled", "skipped"];
    private static readonly string[] s_claimable = ["queued", "retrying"];
    private readonly ConcurrentDictionary<(Guid, string), CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<string, PipelineDefinition> _parsed = new(StringComparer.Ordinal);

    /// <summary>Starts a run by hand. Throws <see cref="KeyNotFoundException"/> for an unknown pipeline.</summary>
    public async Task<Guid> StartAsync(string pipelineId, string triggeredBy, CancellationToken cancellationToken) =>
        await StartAsync(pipelineId, "manual", triggeredBy, rerunOf: null, reuse: new Dictionary<string, Guid>(), cancellationToken).ConfigureAwait(false);

    /// <summary>Starts a run for the pipeline's cron, as its owner; skipped while a run is still active.</summary>
    public async Task StartScheduledAsync(string pipelineId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var owner = await db.Set<PipelineRecord>().Where(p => p.Id == pipelineId).Select(p => p.Owner).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (owner is null)
        {
            return;
        }

        if (await db.Set<PipelineRunRecord>().AnyAsync(r => r.PipelineId == pipelineId && s_activeRun.Contains(r.State), cancellationToken).ConfigureAwait(false))
        {
            log.LogWarning("Scheduled run of pipeline {Pipeline} skipped: the previous run is still active", pipelineId);
            return;
        }

        await StartAsync(pipelineId, "schedule", owner, rerunOf: null, reuse: new Dictionary<string, Guid>(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Re-runs a finished run from its failed tasks (or from <paramref name="fromTask"/>): a new run of the current
    /// pipeline where tasks that succeeded before and are not downstream of what re-runs are carried over, not run again.
    /// </summary>
    public async Task<Guid> RerunAsync(Guid runId, string? fromTask, string triggeredBy, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var run = await db.Set<PipelineRunRecord>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No pipeline run has the id {runId}.");
        if (s_activeRun.Contains(run.State))
        {
            throw new InvalidOperationException($"Run {runId} is still {run.State}; cancel it or wait for it to end before re-running.");
        }

        var pipeline = await db.Set<PipelineRecord>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == run.PipelineId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"Pipeline '{run.PipelineId}' no longer exists.");
        var definition = Parse(pipeline.Document);
        var old = await db.Set<PipelineTaskRunRecord>().AsNoTracking().Where(t => t.RunId == runId).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (fromTask is not null && definition.Tasks.All(t => t.TaskId != fromTask))
        {
            throw new ArgumentException($"Pipeline '{run.PipelineId}' has no task '{fromTask}'.", nameof(fromTask));
        }

        var rerun = fromTask is not null
            ? Downstream(definition, [fromTask])
            : Downstream(definition, old.Where(t => t.State != "succeeded").Select(t => t.TaskId)
                .Concat(definition.Tasks.Select(t => t.TaskId).Where(id => old.All(o => o.TaskId != id))).ToArray());
        var reuse = old.Where(t => t.State == "succeeded" && !rerun.Contains(t.TaskId) && definition.Tasks.Any(d => d.TaskId == t.TaskId))
            .ToDictionary(t => t.TaskId, t => t.ReusedFrom ?? runId);
        return await StartAsync(run.PipelineId, "rerun", triggeredBy, runId, reuse, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels an active run: waiting tasks are cancelled, running attempts are asked to stop. False when it already ended.</summary>
    public async Task<bool> CancelAsync(Guid runId, string by, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var flipped = await db.Set<PipelineRunRecord>().Where(r => r.Id == runId && s_activeRun.Contains(r.State))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, "cancelled").SetProperty(r => r.EndedAt, now).SetProperty(r => r.Error, $"Cancelled by {by}."), cancellationToken)
            .ConfigureAwait(false);
        if (flipped == 0)
        {
            return false;
        }

        if (audit is not null)
        {
            var pipelineId = await db.Set<PipelineRunRecord>().Where(r => r.Id == runId).Select(r => r.PipelineId).SingleAsync(CancellationToken.None).ConfigureAwait(false);
            await audit.RecordChangeAsync("pipeline.run_cancelled", pipelineId, $"run {runId}").ConfigureAwait(false);
        }

        await db.Set<PipelineTaskRunRecord>().Where(t => t.RunId == runId && (t.State == "pending" || t.State == "queued" || t.State == "retrying"))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, "cancelled").SetProperty(t => t.EndedAt, now).SetProperty(t => t.Summary, $"Cancelled by {by} before it ran."), cancellationToken)
            .ConfigureAwait(false);
        foreach (var ((run, _), cancel) in _running)
        {
            if (run == runId)
            {
                await cancel.CancelAsync().ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <summary>A run with its tasks and attempts; null when unknown.</summary>
    public async Task<PipelineRunView?> GetAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var run = await db.Set<PipelineRunRecord>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return null;
        }

        var tasks = await db.Set<PipelineTaskRunRecord>().AsNoTracking().Where(t => t.RunId == runId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var attempts = await db.Set<PipelineTaskAttemptRecord>().AsNoTracking().Where(a => a.RunId == runId).OrderBy(a => a.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return View(run, tasks, attempts);
    }

    /// <summary>A pipeline's runs, newest first, with per-task states (logs left out; get the run for them).</summary>
    public async Task<(IReadOnlyList<PipelineRunView> Runs, int Total)> ListAsync(string pipelineId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var query = db.Set<PipelineRunRecord>().AsNoTracking().Where(r => r.PipelineId == pipelineId);
        var total = await query.CountAsync(cancellationToken).ConfigureAwait(false);
        var runs = await query.OrderByDescending(r => r.QueuedAt).Skip(offset).Take(limit).ToListAsync(cancellationToken).ConfigureAwait(false);
        var ids = runs.Select(r => r.Id).ToArray();
        var tasks = (await db.Set<PipelineTaskRunRecord>().AsNoTracking().Where(t => ids.Contains(t.RunId)).ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(t => t.RunId);
        return (runs.Select(r => View(r, tasks[r.Id].ToList(), [])).ToArray(), total);
    }

    /// <summary>
    /// Runs one attempt of a task (a job's body). Does nothing unless it can claim the task for exactly this attempt,
    /// so duplicate or stale jobs are harmless.
    /// </summary>
    public async Task ExecuteTaskAsync(Guid runId, string taskId, int attempt, CancellationToken stopping)
    {
        var now = clock.GetUtcNow();
        var leaseUntil = now + options.Lease;
        PipelineRunRecord? run;
        await using (var db = await contexts.CreateDbContextAsync(stopping).ConfigureAwait(false))
        {
            var claimed = await db.Set<PipelineTaskRunRecord>()
                .Where(t => t.RunId == runId && t.TaskId == taskId && s_claimable.Contains(t.State) && t.Attempts == attempt - 1)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.State, "running")
                    .SetProperty(t => t.Attempts, attempt)
                    .SetProperty(t => t.StartedAt, t => t.StartedAt ?? now)
                    .SetProperty(t => t.NextAttemptAt, (DateTimeOffset?)null)
                    .SetProperty(t => t.LeaseOwner, options.Worker)
                    .SetProperty(t => t.LeaseUntil, leaseUntil), stopping)
                .ConfigureAwait(false);
            if (claimed == 0)
            {
                return;
            }

            run = await db.Set<PipelineRunRecord>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, stopping).ConfigureAwait(false);
            if (run is null || !s_activeRun.Contains(run.State))
            {
                await db.Set<PipelineTaskRunRecord>().Where(t => t.RunId == runId && t.TaskId == taskId)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, "cancelled").SetProperty(t => t.EndedAt, now).SetProperty(t => t.LeaseOwner, (string?)null), stopping)
                    .ConfigureAwait(false);
                return;
            }

            if (run.State == "queued")
            {
                await db.Set<PipelineRunRecord>().Where(r => r.Id == runId && r.State == "queued")
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, "running").SetProperty(r => r.StartedAt, now), stopping).ConfigureAwait(false);
            }
        }

        var definition = Parse(run.Document);
        var task = definition.Task(taskId);
        var attemptLog = new AttemptLog(log, clock);
        var attemptId = await RecordAttemptStartAsync(runId, taskId, attempt, now).ConfigureAwait(false);
        attemptLog.Write($"Attempt {attempt} of {task.Retry.MaxAttempts} of task '{taskId}' ({task.Type}) started on {options.Worker}.");

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        if (task.Timeout is { } timeout)
        {
            cancel.CancelAfter(timeout);
        }

        _running[(runId, taskId)] = cancel;
        using var heartbeat = new PeriodicTimer(options.Lease / 3, clock);
        var beating = HeartbeatAsync(heartbeat, runId, taskId, attemptId, attemptLog, cancel);
        string state;
        string? summary = null, error = null, outputs = null;
        try
        {
            var taskType = taskTypes.All.GetValueOrDefault(task.Type)
                ?? throw new InvalidOperationException($"The task type '{task.Type}' is not installed any more; see the Plugins page.");
            var context = new TaskContext(definition.Id, runId.ToString(), taskId, attempt, JsonSerializer.SerializeToElement(task.Config), platform, attemptLog);
            var outcome = await taskType.ExecuteAsync(context, cancel.Token).ConfigureAwait(false);
            summary = outcome.Summary;
            outputs = outcome.Outputs.Count > 0 ? JsonSerializer.Serialize(outcome.Outputs) : null;
            state = outcome.Succeeded ? "succeeded" : "failed";
            error = outcome.Succeeded ? null : outcome.Summary;
            attemptLog.Write(outcome.Succeeded ? $"Succeeded: {outcome.Summary}" : $"Failed (not retried: the task reported a finding): {outcome.Summary}");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host is stopping: hand the attempt back so the next start (or another host) runs it again.
            attemptLog.Write("Interrupted: the host is stopping; the attempt will run again.");
            await EndAttemptAsync(attemptId, "interrupted", attemptLog.Text, "The host stopped during the attempt.").ConfigureAwait(false);
            await ReleaseAsync(runId, taskId, attempt).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Either a user cancelled the run or the attempt ran past its timeout (a failure, retried by the policy).
            var timedOut = task.Timeout is not null && !await IsCancelledAsync(runId).ConfigureAwait(false);
            state = timedOut ? "error" : "cancelled";
            error = timedOut ? $"The attempt took longer than its timeout of {Durations.Format(task.Timeout!.Value)}." : "Cancelled while running.";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            state = "error";
            error = Reason(e);
        }
        finally
        {
            _running.TryRemove((runId, taskId), out _);
            await cancel.CancelAsync().ConfigureAwait(false);
            await beating.ConfigureAwait(false);
        }

        var ended = clock.GetUtcNow();
        if (state == "error" && attempt < task.Retry.MaxAttempts && !await IsCancelledAsync(runId).ConfigureAwait(false))
        {
            var delay = task.Retry.DelayBefore(attempt + 1);
            var due = ended + delay;
            var reason = $"Retry attempt {attempt + 1} of {task.Retry.MaxAttempts} in {Durations.Format(delay)}: {error}";
            attemptLog.Write(reason);
            await EndAttemptAsync(attemptId, "failed", attemptLog.Text, error).ConfigureAwait(false);
            await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await db.Set<PipelineTaskRunRecord>().Where(t => t.RunId == runId && t.TaskId == taskId)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, "retrying").SetProperty(t => t.NextAttemptAt, due).SetProperty(t => t.Error, reason)
                        .SetProperty(t => t.LeaseOwner, (string?)null).SetProperty(t => t.LeaseUntil, (DateTimeOffset?)null))
                    .ConfigureAwait(false);
            }

            dispatch.RunTaskAt(runId, taskId, attempt + 1, due);
            log.LogWarning("Pipeline run {RunId} task {Task}: {Reason}", runId, taskId, reason);
            return;
        }

        if (state == "error")
        {
            state = "failed";
            error = task.Retry.MaxAttempts > 1 ? $"Failed after {attempt} attempts: {error}" : error;
            attemptLog.Write(error!);
        }

        await EndAttemptAsync(attemptId, state, attemptLog.Text, error).ConfigureAwait(false);
        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None).ConfigureAwait(false))
        {
            await db.Set<PipelineTaskRunRecord>().Where(t => t.RunId == runId && t.TaskId == taskId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, state).SetProperty(t => t.EndedAt, ended).SetProperty(t => t.Summary, summary)
                    .SetProperty(t => t.Error, error).SetProperty(t => t.Outputs, outputs)
                    .SetProperty(t => t.LeaseOwner, (string?)null).SetProperty(t => t.LeaseUntil, (DateTimeOffset?)null))
                .ConfigureAwait(false);
        }

        await AdvanceAsync(runId, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Picks up work a stopped host left behind. At start (and always when the store is exclusive to this host)
    /// everything active is re-dispatched; later passes only reclaim tasks whose lease ran out.
    /// </summary>
    public async Task<int> RecoverAsync(bool atStart, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var runs = await db.Set<PipelineRunRecord>().AsNoTracking().Where(r => s_activeRun.Contains(r.State)).Select(r => r.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        var recovered = 0;
        foreach (var runId in runs)
        {
            var tasks = await db.Set<PipelineTaskRunRecord>().AsNoTracking().Where(t => t.RunId == runId).ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var task in tasks)
            {
                var orphaned = task.State == "running" && task.LeaseOwner != options.Worker
                    && ((atStart && options.ExclusiveStore) || task.LeaseUntil < now);
                if (orphaned)
                {
                    await db.Set<PipelineTaskAttemptRecord>().Where(a => a.RunId == runId && a.TaskId == task.TaskId && a.Attempt == task.Attempts && a.State == "running")
                        .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, "interrupted").SetProperty(a => a.EndedAt, now)
                            .SetProperty(a => a.Error, $"The host running it ({task.LeaseOwner}) stopped; the attempt runs again."), cancellationToken)
                        .ConfigureAwait(false);
                    if (await ReleaseAsync(runId, task.TaskId, task.Attempts, expectedOwner: task.LeaseOwner).ConfigureAwait(false))
                    {
                        recovered++;
                    }
                }
                else if (atStart && task.State == "queued")
                {
                    dispatch.RunTask(runId, task.TaskId, task.Attempts + 1);
                    recovered++;
                }
                else if (atStart && task.State == "retrying")
                {
                    dispatch.RunTaskAt(runId, task.TaskId, task.Attempts + 1, task.NextAttemptAt ?? now);
                    recovered++;
                }
            }

            await AdvanceAsync(runId, cancellationToken).ConfigureAwait(false);
        }

        if (recovered > 0)
        {
            log.LogInformation("Pipelines: recovered {Count} task(s) left by a stopped host", recovered);
        }

        return recovered;
    }

    private async Task<Guid> StartAsync(string pipelineId, string trigger, string triggeredBy, Guid? rerunOf, IReadOnlyDictionary<string, Guid> reuse, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var pipeline = await db.Set<PipelineRecord>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == pipelineId, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"No pipeline has the id '{pipelineId}'.");
        var definition = Parse(pipeline.Document);
        var now = clock.GetUtcNow();
        var run = new PipelineRunRecord
        {
            Id = Guid.NewGuid(),
            PipelineId = pipelineId,
            State = "queued",
            Trigger = trigger,
            TriggeredBy = triggeredBy,
            Document = pipeline.Document,
            RerunOf = rerunOf,
            QueuedAt = now,
        };
        db.Add(run);
        foreach (var task in definition.Tasks)
        {
            var reused = reuse.TryGetValue(task.TaskId, out var from);
            db.Add(new PipelineTaskRunRecord
            {
                RunId = run.Id,
                TaskId = task.TaskId,
                State = reused ? "succeeded" : "pending",
                Summary = reused ? $"Carried over: it succeeded in run {from}." : null,
                ReusedFrom = reused ? from : null,
                EndedAt = reused ? now : null,
            });
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        log.LogInformation("Pipeline {Pipeline} run {RunId} queued ({Trigger} by {User})", pipelineId, run.Id, trigger, triggeredBy);
        if (audit is not null)
        {
            await audit.RecordChangeAsync(rerunOf is null ? "pipeline.run_started" : "pipeline.rerun_started", pipelineId,
                rerunOf is null ? $"run {run.Id} ({trigger}, as {triggeredBy})" : $"run {run.Id} re-runs {rerunOf} ({reuse.Count} task(s) carried over)").ConfigureAwait(false);
        }

        await AdvanceAsync(run.Id, cancellationToken).ConfigureAwait(false);
        return run.Id;
    }

    /// <summary>Queues every task whose dependencies all succeeded, skips those below a failure, and ends the run when nothing is left.</summary>
    private async Task AdvanceAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var run = await db.Set<PipelineRunRecord>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return;
        }

        var tasks = (await db.Set<PipelineTaskRunRecord>().AsNoTracking().Where(t => t.RunId == runId).ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToDictionary(t => t.TaskId);
        if (s_activeRun.Contains(run.State))
        {
            var definition = Parse(run.Document);
            var now = clock.GetUtcNow();
            foreach (var task in definition.TopologicalOrder())
            {
                var record = tasks[task.TaskId];
                if (record.State != "pending")
                {
                    continue;
                }

                var blocked = task.DependsOn.FirstOrDefault(d => tasks[d].State is "failed" or "skipped" or "cancelled");
                if (blocked is not null)
                {
                    var summary = $"Not run: upstream task '{blocked}' {(tasks[blocked].State == "skipped" ? "was skipped" : tasks[blocked].State)}.";
                    if (await Transition(db, runId, task.TaskId, "pending", "skipped", now, summary, cancellationToken).ConfigureAwait(false))
                    {
                        record.State = "skipped";
                    }
                }
                else if (task.DependsOn.All(d => tasks[d].State == "succeeded")
                    && await Transition(db, runId, task.TaskId, "pending", "queued", null, null, cancellationToken).ConfigureAwait(false))
                {
                    record.State = "queued";
                    dispatch.RunTask(runId, task.TaskId, 1);
                }
            }
        }

        if (tasks.Values.All(t => s_terminalTask.Contains(t.State)))
        {
            var state = tasks.Values.All(t => t.State == "succeeded") ? "succeeded" : "failed";
            var failed = tasks.Values.Where(t => t.State == "failed").Select(t => t.TaskId).ToArray();
            var error = state == "failed" ? $"Task{(failed.Length == 1 ? "" : "s")} {string.Join(", ", failed.Select(f => $"'{f}'"))} failed." : null;
            var ended = clock.GetUtcNow();
            var flipped = await db.Set<PipelineRunRecord>().Where(r => r.Id == runId && s_activeRun.Contains(r.State))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, state).SetProperty(r => r.EndedAt, ended).SetProperty(r => r.Error, error)
                    .SetProperty(r => r.StartedAt, r => r.StartedAt ?? ended), cancellationToken)
                .ConfigureAwait(false);
            if (flipped == 1)
            {
                log.LogInformation("Pipeline {Pipeline} run {RunId} {State}", run.PipelineId, runId, state);
                await ReportAsync(runId, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private static async Task<bool> Transition(MetadataDbContext db, Guid runId, string taskId, string from, string to, DateTimeOffset? endedAt, string? summary, CancellationToken cancellationToken) =>
        await db.Set<PipelineTaskRunRecord>().Where(t => t.RunId == runId && t.TaskId == taskId && t.State == from)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, to).SetProperty(t => t.EndedAt, endedAt).SetProperty(t => t.Summary, summary), cancellationToken)
            .ConfigureAwait(false) == 1;

    /// <summary>Sends the run report to the pipeline's on_success or on_failure channel.</summary>
    private async Task ReportAsync(Guid runId, CancellationToken cancellationToken)
    {
        var view = await GetAsync(runId, cancellationToken).ConfigureAwait(false);
        if (view is null)
        {
            return;
        }

        var definition = Parse((await RunDocumentAsync(runId).ConfigureAwait(false))!);
        var target = view.State == "succeeded" ? definition.OnSuccess : definition.OnFailure;
        if (target is null)
        {
            return;
        }

        var link = new Uri($"{options.WorkbenchUrl.TrimEnd('/')}/pipelines/{Uri.EscapeDataString(view.PipelineId)}/runs/{view.RunId}");
        var lines = view.Tasks.Select(t => $"{Mark(t.State)} {t.TaskId} ({t.Type}): {t.State}{(t.Seconds is { } s ? $" in {s:0.0} s" : "")}"
            + ((t.Error ?? t.Summary) is { } detail ? $" - {detail}" : "")
            + (t.Attempts > 1 ? $" [{t.Attempts} attempts]" : ""));
        var headline = view.State == "succeeded"
            ? $"Pipeline '{definition.Name}' succeeded in {view.Seconds:0.0} s."
            : $"Pipeline '{definition.Name}' {view.State}: {view.Error}";
        var notification = new Notification(
            $"{definition.Name}: run {view.State}",
            headline + "\n" + string.Join("\n", lines),
            view.State == "succeeded" ? Severity.Info : Severity.Critical,
            link)
        {
            Fields = new Dictionary<string, string>
            {
                ["pipeline"] = view.PipelineId,
                ["run"] = view.RunId.ToString(),
                ["trigger"] = $"{view.Trigger} by {view.TriggeredBy}",
                ["tasks"] = $"{view.Tasks.Count(t => t.State == "succeeded")}/{view.Tasks.Count} succeeded",
            },
        };
        var delivery = await notifications.SendAsync(target.Channel, target.Target, notification, cancellationToken).ConfigureAwait(false);
        if (!delivery.Delivered)
        {
            log.LogWarning("Run report for pipeline {Pipeline} run {RunId} not delivered to {Channel}:{Target}: {Error}", view.PipelineId, runId, target.Channel, target.Target, delivery.Error);
        }

        static string Mark(string state) => state switch { "succeeded" => "[OK]", "failed" => "[FAILED]", "skipped" => "[SKIPPED]", _ => $"[{state.ToUpperInvariant()}]" };
    }

    private async Task<string?> RunDocumentAsync(Guid runId)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        return await db.Set<PipelineRunRecord>().Where(r => r.Id == runId).Select(r => r.Document).SingleOrDefaultAsync().ConfigureAwait(false);
    }

    private async Task HeartbeatAsync(PeriodicTimer timer, Guid runId, string taskId, long attemptId, AttemptLog attemptLog, CancellationTokenSource cancel)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancel.Token).ConfigureAwait(false))
            {
                var until = clock.GetUtcNow() + options.Lease;
                await using var db = await contexts.CreateDbContextAsync(CancellationToken.None).ConfigureAwait(false);
                await db.Set<PipelineTaskRunRecord>().Where(t => t.RunId == runId && t.TaskId == taskId && t.LeaseOwner == options.Worker)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.LeaseUntil, until)).ConfigureAwait(false);
                var text = attemptLog.Text;
                await db.Set<PipelineTaskAttemptRecord>().Where(a => a.Id == attemptId)
                    .ExecuteUpdateAsync(s => s.SetProperty(a => a.Log, text)).ConfigureAwait(false);

                // A run cancelled through another host shows up here.
                if (await db.Set<PipelineRunRecord>().AnyAsync(r => r.Id == runId && r.State == "cancelled").ConfigureAwait(false))
                {
                    await cancel.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The attempt ended.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            log.LogWarning(e, "Heartbeat of pipeline run {RunId} task {Task} failed", runId, taskId);
        }
    }

    private async Task<bool> IsCancelledAsync(Guid runId)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        return await db.Set<PipelineRunRecord>().AnyAsync(r => r.Id == runId && r.State == "cancelled").ConfigureAwait(false);
    }

    private async Task<long> RecordAttemptStartAsync(Guid runId, string taskId, int attempt, DateTimeOffset startedAt)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var record = new PipelineTaskAttemptRecord { RunId = runId, TaskId = taskId, Attempt = attempt, State = "running", Worker = options.Worker, StartedAt = startedAt };
        db.Add(record);
        await db.SaveChangesAsync().ConfigureAwait(false);
        return record.Id;
    }

    private async Task EndAttemptAsync(long attemptId, string state, string text, string? error)
    {
        var now = clock.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        await db.Set<PipelineTaskAttemptRecord>().Where(a => a.Id == attemptId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.State, state).SetProperty(a => a.EndedAt, now).SetProperty(a => a.Log, text).SetProperty(a => a.Error, error))
            .ConfigureAwait(false);
    }

    /// <summary>Puts an interrupted task back in the queue for the same attempt number and dispatches it.</summary>
    private async Task<bool> ReleaseAsync(Guid runId, string taskId, int attempt, string? expectedOwner = null)
    {
        var owner = expectedOwner ?? options.Worker;
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var released = await db.Set<PipelineTaskRunRecord>().Where(t => t.RunId == runId && t.TaskId == taskId && t.State == "running" && t.LeaseOwner == owner && t.Attempts == attempt)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, "queued").SetProperty(t => t.Attempts, attempt - 1)
                .SetProperty(t => t.LeaseOwner, (string?)null).SetProperty(t => t.LeaseUntil, (DateTimeOffset?)null))
            .ConfigureAwait(false);
        if (released == 1)
        {
            dispatch.RunTask(runId, taskId, attempt);
        }

        return released == 1;
    }

    private PipelineDefinition Parse(string document)
    {
        // Every attempt and every advance reads the run's document: parse each version once.
        if (_parsed.TryGetValue(document, out var cached))
        {
            return cached;
        }

        var (definition, problems) = PipelineDefinition.Parse(document, taskTypes.All);
        if (definition is not null)
        {
            if (_parsed.Count > 256)
            {
                _parsed.Clear();
            }

            _parsed[document] = definition;
        }

        return definition ?? throw new InvalidOperationException(
            $"The pipeline document no longer validates: {string.Join("; ", problems.Select(p => $"{p.Path}: {p.Message}"))}");
    }

    private static HashSet<string> Downstream(PipelineDefinition definition, IReadOnlyCollection<string> roots)
    {
        var result = new HashSet<string>(roots);
        foreach (var task in definition.TopologicalOrder())
        {
            if (task.DependsOn.Any(result.Contains))
            {
                result.Add(task.TaskId);
            }
        }

        return result;
    }

    private PipelineRunView View(PipelineRunRecord run, List<PipelineTaskRunRecord> tasks, List<PipelineTaskAttemptRecord> attempts)
    {
        var (definition, _) = PipelineDefinition.Parse(run.Document, taskTypes.All);
        var byAttempt = attempts.ToLookup(a => a.TaskId);
        var order = definition?.Tasks.Select(t => t.TaskId).ToList() ?? tasks.Select(t => t.TaskId).ToList();
        var views = tasks.OrderBy(t => order.IndexOf(t.TaskId)).Select(t =>
        {
            var spec = definition?.Tasks.FirstOrDefault(d => d.TaskId == t.TaskId);
            return new TaskRunView(
                t.TaskId,
                spec?.Type ?? "?",
                spec?.DependsOn ?? [],
                t.State,
                t.Attempts,
                spec?.Retry.MaxAttempts ?? 1,
                t.StartedAt,
                t.EndedAt,
                Seconds(t.StartedAt, t.EndedAt),
                t.NextAttemptAt,
                t.Summary,
                t.Error,
                t.Outputs is null ? null : JsonDocument.Parse(t.Outputs).RootElement.Clone(),
                t.ReusedFrom,
                byAttempt[t.TaskId].Select(a => new TaskAttemptView(a.Attempt, a.State, a.Worker, a.StartedAt, a.EndedAt, Seconds(a.StartedAt, a.EndedAt), a.Log, a.Error)).ToArray());
        }).ToArray();
        return new PipelineRunView(run.Id, run.PipelineId, run.State, run.Trigger, run.TriggeredBy, run.QueuedAt, run.StartedAt, run.EndedAt,
            Seconds(run.StartedAt ?? run.QueuedAt, run.EndedAt), run.Error, run.RerunOf, views);

        static double? Seconds(DateTimeOffset? from, DateTimeOffset? to) => from is { } f && to is { } t ? Math.Round((t - f).TotalSeconds, 3) : null;
    }

    private static string Reason(Exception e)
    {
        var message = e is AggregateException { InnerException: { } inner } ? inner.Message : e.Message;
        return message.EndsWith('.') ? message : message + ".";
    }
}
