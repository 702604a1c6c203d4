using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.AbTests;

/// <summary>An A/B test: its document as posted and where it stands.</summary>
public sealed class AbTestRecord
{
    /// <summary>experiment_name.</summary>
    public required string Name { get; set; }

    /// <summary>The document as posted.</summary>
    public required string Document { get; set; }

    /// <summary>The deployment routing its traffic.</summary>
    public required string Deployment { get; set; }

    /// <summary>running | stopped | completed | promoted.</summary>
    public required string State { get; set; }

    /// <summary>Who started it.</summary>
    public required string Owner { get; set; }

    /// <summary>When traffic started to split.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When it is due to end (duration_days after the start).</summary>
    public DateTimeOffset EndsAt { get; set; }

    /// <summary>When it stopped splitting traffic.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Why it stopped (a guardrail, a promotion), in words.</summary>
    public string? Reason { get; set; }

    /// <summary>The promotion decision with its evidence (JSON), once promoted.</summary>
    public string? Decision { get; set; }
}

/// <summary>A metric defined by SQL: one row per unit (<c>unit_id</c>, <c>value</c>).</summary>
public sealed class AbMetricRecord
{
    /// <summary>The metric's name, as A/B documents write it.</summary>
    public required string Name { get; set; }

    /// <summary>proportion (value 0/1 per unit: z-test) or mean (Welch's t-test).</summary>
    public required string Kind { get; set; }

    /// <summary>The SQL returning unit_id and value.</summary>
    public required string Sql { get; set; }

    /// <summary>What it measures.</summary>
    public string? Description { get; set; }

    /// <summary>Whether a higher value is better (false for false positives and cost).</summary>
    public bool HigherIsBetter { get; set; } = true;
}

internal sealed class AbTestRecordConfiguration : IEntityTypeConfiguration<AbTestRecord>
{
    public void Configure(EntityTypeBuilder<AbTestRecord> t)
    {
        t.ToTable("ab_tests");
        t.HasKey(x => x.Name);
        t.HasIndex(x => new { x.Deployment, x.State });
    }
}

internal sealed class AbMetricRecordConfiguration : IEntityTypeConfiguration<AbMetricRecord>
{
    public void Configure(EntityTypeBuilder<AbMetricRecord> m)
    {
        m.ToTable("ab_metrics");
        m.HasKey(x => x.Name);
    }
}
