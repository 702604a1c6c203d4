using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.Deployments;

/// <summary>A deployment as stored, so it is loaded again after a restart.</summary>
public sealed class DeploymentRecord
{
    /// <summary>deployment_name.</summary>
    public required string Name { get; set; }

    /// <summary>model_ref as given (<c>customer-churn-predictor/1.0.0</c> or <c>...@production</c>).</summary>
    public required string ModelRef { get; set; }

    /// <summary>The model it serves.</summary>
    public required string ModelName { get; set; }

    /// <summary>The version it serves (an alias is resolved when deployed or updated).</summary>
    public required string ModelVersion { get; set; }

    /// <summary>runtime as given (<c>ray_serve</c>).</summary>
    public required string Runtime { get; set; }

    /// <summary>The serving runtime plugin answering it (<c>mlnet</c>).</summary>
    public required string ServedBy { get; set; }

    /// <summary>The deployment document in force (JSON).</summary>
    public required string SpecJson { get; set; }

    /// <summary>running | failed.</summary>
    public required string State { get; set; }

    /// <summary>Why it failed.</summary>
    public string? Error { get; set; }

    /// <summary>Who deployed it.</summary>
    public required string CreatedBy { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Who changed it last.</summary>
    public required string UpdatedBy { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Something that happened to a deployment: deployed, updated, scaled, replica replaced, failed, undeployed.</summary>
public sealed class DeploymentEventRecord
{
    /// <summary>Row id.</summary>
    public long Id { get; set; }

    /// <summary>The deployment.</summary>
    public required string Deployment { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>deployed | updated | scaled_up | scaled_down | replica_replaced | restored | failed | undeployed.</summary>
    public required string Kind { get; set; }

    /// <summary>What happened, in words.</summary>
    public required string Message { get; set; }

    /// <summary>Replicas before.</summary>
    public int? FromReplicas { get; set; }

    /// <summary>Replicas after.</summary>
    public int? ToReplicas { get; set; }

    /// <summary>The model version served after it.</summary>
    public string? ModelVersion { get; set; }
}

/// <summary>Maps <see cref="DeploymentRecord"/>.</summary>
public sealed class DeploymentRecordConfiguration : IEntityTypeConfiguration<DeploymentRecord>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<DeploymentRecord> builder)
    {
        builder.ToTable("deployments");
        builder.HasKey(d => d.Name);
    }
}

/// <summary>Maps <see cref="DeploymentEventRecord"/>.</summary>
public sealed class DeploymentEventRecordConfiguration : IEntityTypeConfiguration<DeploymentEventRecord>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<DeploymentEventRecord> builder)
    {
        builder.ToTable("deployment_events");
        builder.HasKey(e => e.Id);
        builder.HasIndex(e => new { e.Deployment, e.Id });
    }
}
