using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.Monitoring;

/// <summary>A saved monitor: its document as posted.</summary>
public sealed class MonitorRecord
{
    /// <summary>monitor_name.</summary>
    public required string Name { get; set; }

    /// <summary>The deployment watched.</summary>
    public required string Deployment { get; set; }

    /// <summary>The monitor JSON as posted.</summary>
    public required string Document { get; set; }

    /// <summary>Who saved it.</summary>
    public required string Owner { get; set; }

    /// <summary>When it was saved last.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One evaluated figure: a check on one subject (a feature, the prediction column) over one window.</summary>
public sealed class MonitorMeasurementRecord
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The monitor.</summary>
    public required string Monitor { get; set; }

    /// <summary>The check's key (<c>feature_drift:psi</c>).</summary>
    public required string Check { get; set; }

    /// <summary>The feature or column, or the metric for accuracy.</summary>
    public required string Subject { get; set; }

    /// <summary>When it was evaluated.</summary>
    public DateTimeOffset EvaluatedAt { get; set; }

    /// <summary>The current window's start.</summary>
    public DateTimeOffset WindowStart { get; set; }

    /// <summary>The current window's end.</summary>
    public DateTimeOffset WindowEnd { get; set; }

    /// <summary>The statistic (PSI, KS D, precision@k), or null without data.</summary>
    public double? Value { get; set; }

    /// <summary>The p-value when the method has one.</summary>
    public double? PValue { get; set; }

    /// <summary>The threshold in force.</summary>
    public double Threshold { get; set; }

    /// <summary>ok | alert | no_data | error.</summary>
    public required string Status { get; set; }

    /// <summary>Rows in the current and reference windows, and the error when there was one.</summary>
    public string? Detail { get; set; }
}

/// <summary>The alert state of one check and subject, so repeated evaluations do not repeat alerts.</summary>
public sealed class MonitorAlertStateRecord
{
    /// <summary>The monitor.</summary>
    public required string Monitor { get; set; }

    /// <summary>The check's key.</summary>
    public required string Check { get; set; }

    /// <summary>The feature or column.</summary>
    public required string Subject { get; set; }

    /// <summary>Whether it is alerting.</summary>
    public bool Alerting { get; set; }

    /// <summary>Since when.</summary>
    public DateTimeOffset Since { get; set; }

    /// <summary>When people were last told.</summary>
    public DateTimeOffset? LastNotified { get; set; }
}

internal sealed class MonitorRecordConfiguration : IEntityTypeConfiguration<MonitorRecord>
{
    public void Configure(EntityTypeBuilder<MonitorRecord> m)
    {
        m.ToTable("monitors");
        m.HasKey(x => x.Name);
        m.HasIndex(x => x.Deployment);
    }
}

internal sealed class MonitorMeasurementRecordConfiguration : IEntityTypeConfiguration<MonitorMeasurementRecord>
{
    public void Configure(EntityTypeBuilder<MonitorMeasurementRecord> m)
    {
        m.ToTable("monitor_measurements");
        m.HasKey(x => x.Id);
        m.HasIndex(x => new { x.Monitor, x.Check, x.Subject, x.WindowEnd });
    }
}

internal sealed class MonitorAlertStateRecordConfiguration : IEntityTypeConfiguration<MonitorAlertStateRecord>
{
    public void Configure(EntityTypeBuilder<MonitorAlertStateRecord> s)
    {
        s.ToTable("monitor_alert_states");
        s.HasKey(x => new { x.Monitor, x.Check, x.Subject });
    }
}
