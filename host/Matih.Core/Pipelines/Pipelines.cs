using System.Text.Json;
using Hangfire;
using Matih.Core.Connections;
using Matih.Core.Metadata;
using Matih.Sdk.Pipelines;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Pipelines;

/// <summary>A pipeline as lists and the designer show it.</summary>
public sealed record PipelineSummary(string Id, string Name, string? Schedule, int Tasks, string Owner, DateTimeOffset UpdatedAt, string? LastRunState, DateTimeOffset? LastRunAt, DateTimeOffset? NextRunAt);

/// <summary>A task type as the designer's palette and config form need it.</summary>
public sealed record TaskTypeView(string Type, string Description, IReadOnlyList<Sdk.Plugins.ParameterSpec> Config);

/// <summary>Why a pipeline document was refused: every problem, by JSON path.</summary>
public sealed class PipelineDocumentException(IReadOnlyList<DocumentProblem> problems)
    : Exception($"The pipeline document has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}: {string.Join("; ", problems.Select(p => $"{p.Path}: {p.Message}"))}")
{
    /// <summary>The problems.</summary>
    public IReadOnlyList<DocumentProblem> Problems { get; } = problems;
}

/// <summary>
/// Saved pipelines: validation of the document (shape, DAG, task configs as each task type checks them), storage of
/// the document as written, and the cron schedule as a Hangfire recurring job.
/// </summary>
public sealed class Pipelines(
    IDbContextFactory<MetadataDbContext> contexts,
    PipelineTaskTypes taskTypes,
    IServiceProvider platform,
    IRecurringJobManager recurring,
    TimeProvider clock,
    Audit.AuditLog? audit = null)
{
    /// <summary>The registered task types, by type.</summary>
    public IReadOnlyList<TaskTypeView> TaskTypes() =>
        taskTypes.All.Values.OrderBy(t => t.Type, StringComparer.Ordinal).Select(t => new TaskTypeView(t.Type, t.Description, t.Config)).ToArray();

    /// <summary>Checks <paramref name="json"/> fully (shape, DAG, each task type's own checks) without saving.</summary>
    public async Task<(PipelineDefinition? Definition, IReadOnlyList<DocumentProblem> Problems)> ValidateAsync(string json, CancellationToken cancellationToken)
    {
        var (definition, problems) = PipelineDefinition.Parse(json, taskTypes.All);
        if (definition is null)
        {
            return (null, problems);
        }

        var all = new List<DocumentProblem>();
        for (var i = 0; i < definition.Tasks.Count; i++)
        {
            var task = definition.Tasks[i];
            var config = JsonSerializer.SerializeToElement(task.Config);
            foreach (var problem in await taskTypes.All[task.Type].ValidateAsync(config, platform, cancellationToken).ConfigureAwait(false))
            {
                all.Add(new DocumentProblem($"$.tasks[{i}].config.{problem.Path}", problem.Message));
            }
        }

        return all.Count > 0 ? (null, all) : (definition, all);
    }

    /// <summary>Saves a new pipeline; throws <see cref="PipelineDocumentException"/> or <see cref="InvalidOperationException"/> when the id is taken.</summary>
    public async Task<PipelineDefinition> CreateAsync(string json, string owner, CancellationToken cancellationToken) =>
        await SaveAsync(json, owner, expectedId: null, create: true, cancellationToken).ConfigureAwait(false);

    /// <summary>Replaces pipeline <paramref name="id"/>; the document's pipeline_id must match. Runs in progress keep their version.</summary>
    public async Task<PipelineDefinition> ReplaceAsync(string id, string json, string owner, CancellationToken cancellationToken) =>
        await SaveAsync(json, owner, id, create: false, cancellationToken).ConfigureAwait(false);

    /// <summary>Stores the designer's node positions for <paramref name="id"/>.</summary>
    public async Task<bool> SaveLayoutAsync(string id, string layout, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = await db.Set<PipelineRecord>().SingleOrDefaultAsync(p => p.Id == id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return false;
        }

        record.Layout = layout;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The stored record (document as written), or null.</summary>
    public async Task<PipelineRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<PipelineRecord>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pipelines with their latest run, by name.</summary>
    public async Task<IReadOnlyList<PipelineSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var records = await db.Set<PipelineRecord>().AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        return await SummarizeAsync(db, records, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Summaries (with the latest run) of <paramref name="records"/>, in their order; for pages read from the database.</summary>
    public async Task<IReadOnlyList<PipelineSummary>> SummarizeAsync(IReadOnlyList<PipelineRecord> records, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await SummarizeAsync(db, records, records.Select(r => r.Id).ToArray(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<PipelineSummary>> SummarizeAsync(MetadataDbContext db, IReadOnlyList<PipelineRecord> records, string[]? only, CancellationToken cancellationToken)
    {
        var runs = db.Set<PipelineRunRecord>().AsNoTracking();
        if (only is not null)
        {
            runs = runs.Where(r => only.Contains(r.PipelineId));
        }

        var latest = await runs
            .GroupBy(r => r.PipelineId)
            .Select(g => g.OrderByDescending(r => r.QueuedAt).Select(r => new { r.PipelineId, r.State, r.QueuedAt }).First())
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var byPipeline = latest.ToDictionary(l => l.PipelineId);
        return records.Select(r =>
        {
            byPipeline.TryGetValue(r.Id, out var last);
            var tasks = JsonDocument.Parse(r.Document).RootElement.TryGetProperty("tasks", out var t) && t.ValueKind == JsonValueKind.Array ? t.GetArrayLength() : 0;
            return new PipelineSummary(r.Id, r.Name, r.Schedule, tasks, r.Owner, r.UpdatedAt, last?.State, last?.QueuedAt, NextRun(r.Schedule));
        }).ToArray();
    }

    /// <summary>Deletes a pipeline and its schedule; its run history stays. False when unknown.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var deleted = await db.Set<PipelineRecord>().Where(p => p.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        Schedule(recurring, id, null);
        if (deleted > 0 && audit is not null)
        {
            await audit.RecordChangeAsync("pipeline.deleted", id, "its schedule was removed; run history kept").ConfigureAwait(false);
        }

        return deleted > 0;
    }

    /// <summary>Registers every pipeline's schedule (at start).</summary>
    public async Task ScheduleAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        foreach (var p in await db.Set<PipelineRecord>().AsNoTracking().Select(p => new { p.Id, p.Schedule }).ToListAsync(cancellationToken).ConfigureAwait(false))
        {
            Schedule(recurring, p.Id, p.Schedule);
        }
    }

    /// <summary>Adds, changes or removes the recurring job that starts <paramref name="pipelineId"/> on its cron (UTC).</summary>
    public static void Schedule(IRecurringJobManager recurring, string pipelineId, string? cron)
    {
        var id = $"pipeline:{pipelineId}";
        if (cron is null)
        {
            recurring.RemoveIfExists(id);
        }
        else
        {
            recurring.AddOrUpdate<ScheduledPipelineJob>(id, job => job.RunAsync(pipelineId, CancellationToken.None), cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }
    }

    private DateTimeOffset? NextRun(string? cron) =>
        cron is null ? null : Cronos.CronExpression.Parse(cron).GetNextOccurrence(clock.GetUtcNow(), TimeZoneInfo.Utc);

    private async Task<PipelineDefinition> SaveAsync(string json, string owner, string? expectedId, bool create, CancellationToken cancellationToken)
    {
        var (definition, problems) = await ValidateAsync(json, cancellationToken).ConfigureAwait(false);
        if (definition is null)
        {
            throw new PipelineDocumentException(problems);
        }

        if (expectedId is not null && definition.Id != expectedId)
        {
            throw new PipelineDocumentException([new DocumentProblem("$.pipeline_id", $"The document's pipeline_id '{definition.Id}' differs from '{expectedId}' in the address.")]);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = await db.Set<PipelineRecord>().SingleOrDefaultAsync(p => p.Id == definition.Id, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        if (create && record is not null)
        {
            throw new InvalidOperationException($"A pipeline with pipeline_id '{definition.Id}' exists; change it with PUT /api/pipelines/{definition.Id}.");
        }

        if (!create && record is null)
        {
            throw new KeyNotFoundException($"No pipeline has the id '{expectedId}'.");
        }

        var scheduleBefore = record?.Schedule;
        var created = record is null;
        if (record is null)
        {
            record = new PipelineRecord { Id = definition.Id, Name = definition.Name, Document = json, Owner = owner, CreatedAt = now };
            db.Add(record);
        }

        record.Name = definition.Name;
        record.Document = json;
        record.Schedule = definition.Schedule;
        record.Owner = owner;
        record.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        Schedule(recurring, definition.Id, definition.Schedule);
        if (audit is not null)
        {
            var schedule = created || scheduleBefore == definition.Schedule
                ? $"schedule {definition.Schedule ?? "none"}"
                : $"schedule changed from {scheduleBefore ?? "none"} to {definition.Schedule ?? "none"}";
            await audit.RecordChangeAsync(created ? "pipeline.created" : "pipeline.updated", definition.Id, $"{definition.Tasks.Count} task(s); {schedule}").ConfigureAwait(false);
        }

        return definition;
    }
}

/// <summary>The task types the host and plugins registered, by their <c>type</c>.</summary>
public sealed class PipelineTaskTypes(IEnumerable<IPipelineTaskType> registered)
{
    /// <summary>By type; the first registration of a type wins.</summary>
    public IReadOnlyDictionary<string, IPipelineTaskType> All { get; } = registered
        .GroupBy(t => t.Type, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
}

/// <summary>Hangfire's recurring job for a pipeline's cron: starts a run (thin; the engine does the work).</summary>
public sealed class ScheduledPipelineJob(PipelineRuns runs)
{
    /// <summary>Starts a scheduled run.</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(string pipelineId, CancellationToken cancellationToken) => runs.StartScheduledAsync(pipelineId, cancellationToken);
}
