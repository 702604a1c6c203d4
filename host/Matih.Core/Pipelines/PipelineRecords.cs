using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.Pipelines;

/// <summary>A saved pipeline: its document exactly as posted, so it reads back as written.</summary>
public sealed class PipelineRecord
{
    /// <summary>pipeline_id.</summary>
    public required string Id { get; set; }

    /// <summary>Display name.</summary>
    public required string Name { get; set; }

    /// <summary>The pipeline JSON as posted.</summary>
    public required string Document { get; set; }

    /// <summary>Cron, or null.</summary>
    public string? Schedule { get; set; }

    /// <summary>Node positions from the designer (JSON), kept apart from the document.</summary>
    public string? Layout { get; set; }

    /// <summary>Who saved it last; runs act as this user.</summary>
    public required string Owner { get; set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was saved last.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One run of a pipeline.</summary>
public sealed class PipelineRunRecord
{
    /// <summary>The run id.</summary>
    public Guid Id { get; set; }

    /// <summary>The pipeline.</summary>
    public required string PipelineId { get; set; }

    /// <summary>queued | running | succeeded | failed | cancelled.</summary>
    public required string State { get; set; }

    /// <summary>manual | schedule | rerun.</summary>
    public required string Trigger { get; set; }

    /// <summary>Who started it (the owner for scheduled runs).</summary>
    public required string TriggeredBy { get; set; }

    /// <summary>The pipeline document the run executes (a later edit does not change a running run).</summary>
    public required string Document { get; set; }

    /// <summary>The failed run this one re-runs, if any.</summary>
    public Guid? RerunOf { get; set; }

    /// <summary>When it was queued.</summary>
    public DateTimeOffset QueuedAt { get; set; }

    /// <summary>When its first task started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Why it failed or was cancelled, in words.</summary>
    public string? Error { get; set; }
}

/// <summary>The state of one task within a run.</summary>
public sealed class PipelineTaskRunRecord
{
    /// <summary>The run.</summary>
    public Guid RunId { get; set; }

    /// <summary>The task.</summary>
    public required string TaskId { get; set; }

    /// <summary>pending | queued | running | retrying | succeeded | failed | cancelled | skipped.</summary>
    public required string State { get; set; }

    /// <summary>Attempts started so far.</summary>
    public int Attempts { get; set; }

    /// <summary>When the first attempt started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When the task ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>When the next attempt is due (retrying tasks).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>The outcome's one line.</summary>
    public string? Summary { get; set; }

    /// <summary>Why it failed, in words.</summary>
    public string? Error { get; set; }

    /// <summary>Figures the task reported (JSON).</summary>
    public string? Outputs { get; set; }

    /// <summary>The host running the current attempt.</summary>
    public string? LeaseOwner { get; set; }

    /// <summary>Until when that host holds the task; it renews while it runs.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }

    /// <summary>Set when the task's success was carried over from the run this one re-runs.</summary>
    public Guid? ReusedFrom { get; set; }
}

/// <summary>One attempt of a task, with its log.</summary>
public sealed class PipelineTaskAttemptRecord
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The run.</summary>
    public Guid RunId { get; set; }

    /// <summary>The task.</summary>
    public required string TaskId { get; set; }

    /// <summary>1 for the first attempt.</summary>
    public int Attempt { get; set; }

    /// <summary>running | succeeded | failed | interrupted | cancelled.</summary>
    public required string State { get; set; }

    /// <summary>The host that ran it.</summary>
    public required string Worker { get; set; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>What the task logged.</summary>
    public string Log { get; set; } = "";

    /// <summary>Why it failed, in words.</summary>
    public string? Error { get; set; }
}

internal sealed class PipelineRecordConfiguration : IEntityTypeConfiguration<PipelineRecord>
{
    public void Configure(EntityTypeBuilder<PipelineRecord> p)
    {
        p.ToTable("pipelines");
        p.HasKey(x => x.Id);
        p.HasIndex(x => x.Name);
    }
}

internal sealed class PipelineRunRecordConfiguration : IEntityTypeConfiguration<PipelineRunRecord>
{
    public void Configure(EntityTypeBuilder<PipelineRunRecord> r)
    {
        r.ToTable("pipeline_runs");
        r.HasKey(x => x.Id);
        r.HasIndex(x => new { x.PipelineId, x.QueuedAt });
        r.HasIndex(x => x.State);
    }
}

internal sealed class PipelineTaskRunRecordConfiguration : IEntityTypeConfiguration<PipelineTaskRunRecord>
{
    public void Configure(EntityTypeBuilder<PipelineTaskRunRecord> t)
    {
        t.ToTable("pipeline_task_runs");
        t.HasKey(x => new { x.RunId, x.TaskId });
        t.HasIndex(x => x.State);
    }
}

internal sealed class PipelineTaskAttemptRecordConfiguration : IEntityTypeConfiguration<PipelineTaskAttemptRecord>
{
    public void Configure(EntityTypeBuilder<PipelineTaskAttemptRecord> a)
    {
        a.ToTable("pipeline_task_attempts");
        a.HasKey(x => x.Id);
        a.HasIndex(x => new { x.RunId, x.TaskId, x.Attempt });
    }
}
