using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.Experiments;

/// <summary>An experiment: a named group of runs, created by its first run.</summary>
public sealed class ExperimentRecord
{
    /// <summary>The experiment's name, as in <c>/api/experiments/{name}</c>.</summary>
    public required string Name { get; set; }

    /// <summary>Who started its first run.</summary>
    public required string CreatedBy { get; set; }

    /// <summary>When its first run was queued.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One training run: what was asked, where it is, and the headline figures the comparison table sorts on. Kept
/// narrow so listing and sorting many runs stays fast; curves and importances live in <see cref="ExperimentRunDetailsRecord"/>.
/// </summary>
public sealed class ExperimentRunRecord
{
    /// <summary>The run id.</summary>
    public Guid Id { get; set; }

    /// <summary>The experiment.</summary>
    public required string Experiment { get; set; }

    /// <summary>The run's name, unique within the experiment (<c>churn-exp-003</c>).</summary>
    public required string Name { get; set; }

    /// <summary>Trainer id (<c>lightgbm</c>).</summary>
    public required string Trainer { get; set; }

    /// <summary>The trainer's display name at the time (<c>Gradient Boosting (LightGBM)</c>).</summary>
    public required string Model { get; set; }

    /// <summary>The framework the artifact belongs to (<c>lightgbm</c>, <c>mlnet</c>).</summary>
    public required string Framework { get; set; }

    /// <summary>The feature table, <c>catalog.schema.table</c>.</summary>
    public required string Table { get; set; }

    /// <summary>The label column.</summary>
    public required string Label { get; set; }

    /// <summary>Numeric feature columns, in training order (JSON array).</summary>
    public required string NumericFeatures { get; set; }

    /// <summary>Categorical feature columns, in training order (JSON array).</summary>
    public required string CategoricalFeatures { get; set; }

    /// <summary>Number of features.</summary>
    public int FeatureCount { get; set; }

    /// <summary>Hyperparameters as given (JSON object).</summary>
    public required string Params { get; set; }

    /// <summary>Every hyperparameter in force, defaults included (JSON object).</summary>
    public required string Hyperparameters { get; set; }

    /// <summary>The split (JSON: fraction, seed, time_column).</summary>
    public required string Split { get; set; }

    /// <summary>Tags (JSON object of strings).</summary>
    public required string Tags { get; set; }

    /// <summary>queued | running | succeeded | failed | cancelled.</summary>
    public required string State { get; set; }

    /// <summary>What the run is doing (<c>reading</c>, <c>training</c>, <c>evaluating</c>, <c>saving</c>).</summary>
    public string? Stage { get; set; }

    /// <summary>0..1, as last saved; live progress is kept in memory while the run runs.</summary>
    public double Progress { get; set; }

    /// <summary>Who started it.</summary>
    public required string CreatedBy { get; set; }

    /// <summary>When it was queued.</summary>
    public DateTimeOffset QueuedAt { get; set; }

    /// <summary>When it started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Why it failed or was cancelled, in words.</summary>
    public string? Error { get; set; }

    /// <summary>Area under the ROC curve on the held-out rows.</summary>
    public double? Auc { get; set; }

    /// <summary>Precision at the 0.5 threshold.</summary>
    public double? Precision { get; set; }

    /// <summary>Recall at the 0.5 threshold.</summary>
    public double? Recall { get; set; }

    /// <summary>F1 at the 0.5 threshold.</summary>
    public double? F1 { get; set; }

    /// <summary>Accuracy at the 0.5 threshold.</summary>
    public double? Accuracy { get; set; }

    /// <summary>Mean log-loss.</summary>
    public double? LogLoss { get; set; }

    /// <summary>Seconds the fit took.</summary>
    public double? TrainingSeconds { get; set; }

    /// <summary>Rows trained on.</summary>
    public long? TrainRows { get; set; }

    /// <summary>Held-out rows the metrics come from.</summary>
    public long? TestRows { get; set; }
}

/// <summary>The bulky parts of a finished run: curves, confusion matrix, importances, artifact and data snapshot.</summary>
public sealed class ExperimentRunDetailsRecord
{
    /// <summary>The run.</summary>
    public Guid RunId { get; set; }

    /// <summary>Confusion matrix at 0.5 (JSON).</summary>
    public string? Confusion { get; set; }

    /// <summary>ROC curve points (JSON array).</summary>
    public string? Roc { get; set; }

    /// <summary>Precision-recall curve points (JSON array).</summary>
    public string? PrecisionRecall { get; set; }

    /// <summary>Importance per feature (JSON object).</summary>
    public string? FeatureImportance { get; set; }

    /// <summary>The saved model file.</summary>
    public string? ArtifactPath { get; set; }

    /// <summary>Its size in bytes.</summary>
    public long? ArtifactBytes { get; set; }

    /// <summary>Rows read from the table (labelled rows used plus rows skipped).</summary>
    public long? SnapshotRows { get; set; }

    /// <summary>Rows skipped because their label was empty.</summary>
    public long? SkippedRows { get; set; }

    /// <summary>An order-independent hash of the rows trained and tested on.</summary>
    public string? ContentHash { get; set; }
}

/// <summary>Maps <see cref="ExperimentRecord"/>.</summary>
public sealed class ExperimentRecordConfiguration : IEntityTypeConfiguration<ExperimentRecord>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<ExperimentRecord> builder)
    {
        builder.ToTable("experiments");
        builder.HasKey(e => e.Name);
    }
}

/// <summary>Maps <see cref="ExperimentRunRecord"/> with the indexes the comparison table sorts by.</summary>
public sealed class ExperimentRunRecordConfiguration : IEntityTypeConfiguration<ExperimentRunRecord>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<ExperimentRunRecord> builder)
    {
        builder.ToTable("experiment_runs");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.Experiment, r.Name }).IsUnique();
        builder.HasIndex(r => new { r.Experiment, r.QueuedAt });
        // Each column the comparison table sorts by, so a page of 100,000 runs is an index walk, not a sort.
        builder.HasIndex(r => new { r.Experiment, r.Auc });
        builder.HasIndex(r => new { r.Experiment, r.Precision });
        builder.HasIndex(r => new { r.Experiment, r.Recall });
        builder.HasIndex(r => new { r.Experiment, r.F1 });
        builder.HasIndex(r => new { r.Experiment, r.Accuracy });
        builder.HasIndex(r => new { r.Experiment, r.LogLoss });
        builder.HasIndex(r => new { r.Experiment, r.TrainingSeconds });
        builder.HasIndex(r => r.State);
    }
}

/// <summary>Maps <see cref="ExperimentRunDetailsRecord"/>.</summary>
public sealed class ExperimentRunDetailsRecordConfiguration : IEntityTypeConfiguration<ExperimentRunDetailsRecord>
{
    /// <inheritdoc />
    public void Configure(EntityTypeBuilder<ExperimentRunDetailsRecord> builder)
    {
        builder.ToTable("experiment_run_details");
        builder.HasKey(d => d.RunId);
    }
}
