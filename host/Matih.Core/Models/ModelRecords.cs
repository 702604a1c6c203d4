using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.Models;

/// <summary>A registered model: a name grouping immutable versions. Created by its first version.</summary>
public sealed class RegisteredModelRecord
{
    /// <summary>The model's name (<c>customer-churn-predictor</c>).</summary>
    public required string Name { get; set; }

    /// <summary>Who registered its first version.</summary>
    public required string CreatedBy { get; set; }

    /// <summary>When its first version was registered.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When a version was last registered or changed stage.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One immutable model version: the registration as posted, the run it came from with the metrics the run measured,
/// and the registry's own copy of the artifact. Only <see cref="Stage"/> and <see cref="StageChangedAt"/> change.
/// </summary>
public sealed class ModelVersionRecord
{
    /// <summary>Row id.</summary>
    public Guid Id { get; set; }

    /// <summary>The model's name.</summary>
    public required string ModelName { get; set; }

    /// <summary>The semantic version (<c>1.0.0</c>).</summary>
    public required string Version { get; set; }

    /// <summary>none | staging | production | archived.</summary>
    public required string Stage { get; set; }

    /// <summary>The framework as registered (<c>lightgbm</c>).</summary>
    public required string Framework { get; set; }

    /// <summary>The run's name as registered (<c>source_experiment</c>: <c>churn-exp-003</c>).</summary>
    public required string SourceRun { get; set; }

    /// <summary>The experiment holding the run.</summary>
    public required string Experiment { get; set; }

    /// <summary>The run's id.</summary>
    public Guid RunId { get; set; }

    /// <summary>The trainer the run used (<c>lightgbm</c>).</summary>
    public required string Trainer { get; set; }

    /// <summary>The run's label column (<c>is_churned</c>).</summary>
    public required string Label { get; set; }

    /// <summary>Metrics as registered (JSON object of numbers).</summary>
    public required string MetricsJson { get; set; }

    /// <summary>Metrics the run measured on its held-out rows (JSON object).</summary>
    public required string RunMetricsJson { get; set; }

    /// <summary>The feature group the model's inputs come from (<c>customer_churn_features</c>).</summary>
    public string? FeatureSet { get; set; }

    /// <summary>The input schema in the registered order (JSON array of {name, type}).</summary>
    public required string InputSchemaJson { get; set; }

    /// <summary>Numeric inputs in training order (JSON array).</summary>
    public required string NumericFeatures { get; set; }

    /// <summary>Categorical inputs in training order (JSON array).</summary>
    public required string CategoricalFeatures { get; set; }

    /// <summary>Tags (JSON object of strings).</summary>
    public required string TagsJson { get; set; }

    /// <summary>Free text.</summary>
    public string? Description { get; set; }

    /// <summary>The registry's copy of the artifact: <c>artifacts/models/{name}/{version}/model.zip</c>.</summary>
    public required string ArtifactPath { get; set; }

    /// <summary>SHA-256 of the artifact, hex.</summary>
    public required string ArtifactSha256 { get; set; }

    /// <summary>Artifact size.</summary>
    public long ArtifactBytes { get; set; }

    /// <summary>The table the run trained on.</summary>
    public required string TrainingTable { get; set; }

    /// <summary>Rows the run read from it.</summary>
    public long? TrainingRows { get; set; }

    /// <summary>The run's content hash of those rows.</summary>
    public string? TrainingContentHash { get; set; }

    /// <summary>What the registry noticed but accepted (JSON array of {path, message}).</summary>
    public required string WarningsJson { get; set; }

    /// <summary>SHA-256 of the registration's content; equal hashes make a repeated registration idempotent.</summary>
    public required string DocumentHash { get; set; }

    /// <summary>Who registered it.</summary>
    public required string RegisteredBy { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset RegisteredAt { get; set; }

    /// <summary>When the stage last changed (the registration time until then).</summary>
    public DateTimeOffset StageChangedAt { get; set; }
}

/// <summary>One stage change of a version, kept as history.</summary>
public sealed class ModelStageChangeRecord
{
    /// <summary>Row id.</summary>
    public long Id { get; set; }

    /// <summary>The model.</summary>
    public required string ModelName { get; set; }

    /// <summary>The version.</summary>
    public required string Version { get; set; }

    /// <summary>The stage before.</summary>
    public required string FromStage { get; set; }

    /// <summary>The stage after.</summary>
    public required string ToStage { get; set; }

    /// <summary>Why, when the change was a consequence (<c>1.1.0 moved to production</c>).</summary>
    public string? Reason { get; set; }

    /// <summary>Who changed it.</summary>
    public required string ChangedBy { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>Maps <see cref="RegisteredModelRecord"/>.</summary>
public sealed class RegisteredModelRecordConfiguration : IEntityTypeConfiguration<RegisteredModelRecord>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<RegisteredModelRecord> builder)
    {
        builder.ToTable("registered_models");
        builder.HasKey(m => m.Name);
    }
}

/// <summary>Maps <see cref="ModelVersionRecord"/>; a version number is unique within its model.</summary>
public sealed class ModelVersionRecordConfiguration : IEntityTypeConfiguration<ModelVersionRecord>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<ModelVersionRecord> builder)
    {
        builder.ToTable("model_versions");
        builder.HasKey(v => v.Id);
        builder.HasIndex(v => new { v.ModelName, v.Version }).IsUnique();
        builder.HasIndex(v => new { v.ModelName, v.Stage });
    }
}

/// <summary>Maps <see cref="ModelStageChangeRecord"/>.</summary>
public sealed class ModelStageChangeRecordConfiguration : IEntityTypeConfiguration<ModelStageChangeRecord>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<ModelStageChangeRecord> builder)
    {
        builder.ToTable("model_stage_changes");
        builder.HasKey(c => c.Id);
        builder.HasIndex(c => new { c.ModelName, c.Version });
    }
}
