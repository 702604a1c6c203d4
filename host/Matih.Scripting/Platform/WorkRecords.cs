using System.Text.Json;
using System.Text.Json.Serialization;

namespace Matih.Scripting;

/// <summary>A pipeline in the list.</summary>
/// <param name="Id">The pipeline id (<c>churn-feature-refresh</c>).</param>
/// <param name="Name">Its name.</param>
/// <param name="Schedule">Its cron schedule.</param>
/// <param name="Tasks">Number of tasks.</param>
/// <param name="Owner">Who saved it (tasks run as this user).</param>
/// <param name="UpdatedAt">When it was saved.</param>
/// <param name="LastRunState">The last run's state.</param>
/// <param name="LastRunAt">When it last ran.</param>
/// <param name="NextRunAt">When it runs next.</param>
public sealed record PipelineSummary(string Id, string Name, string? Schedule, int Tasks, string Owner, DateTimeOffset UpdatedAt, string? LastRunState, DateTimeOffset? LastRunAt, DateTimeOffset? NextRunAt);

/// <summary>A saved pipeline.</summary>
/// <param name="Id">The pipeline id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Tasks">Number of tasks.</param>
/// <param name="Schedule">Its cron schedule.</param>
public sealed record PipelineRef(string Id, string Name, int Tasks, string? Schedule);

/// <summary>A pipeline run with its tasks.</summary>
/// <param name="RunId">The run id.</param>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="State">queued, running, retrying, succeeded, failed or cancelled.</param>
/// <param name="Trigger">manual, schedule or rerun.</param>
/// <param name="TriggeredBy">Who started it.</param>
/// <param name="QueuedAt">When it was queued.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="Seconds">How long it took.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="RerunOf">The run this one re-runs.</param>
/// <param name="Tasks">Its tasks.</param>
public sealed record PipelineRun(
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
    IReadOnlyList<PipelineTaskRun> Tasks)
{
    /// <summary>True once the run succeeded, failed or was cancelled.</summary>
    public bool Finished => Runs.IsFinished(State);

    /// <summary>The task <paramref name="taskId"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    public PipelineTaskRun this[string taskId] => Tasks.FirstOrDefault(t => t.TaskId == taskId)
        ?? throw new KeyNotFoundException($"The run has no task '{taskId}'. Tasks: {string.Join(", ", Tasks.Select(t => t.TaskId))}.");
}

/// <summary>One task of a pipeline run.</summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Type">Its type (<c>sql_execute</c>, ...).</param>
/// <param name="DependsOn">The tasks it waits for.</param>
/// <param name="State">Its state (also skipped, upstream_failed, ...).</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="MaxAttempts">Attempts allowed.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="Seconds">How long it took.</param>
/// <param name="Summary">What it did, in words.</param>
/// <param name="Error">Why it failed.</param>
/// <param name="Outputs">Figures it reported (rows, elapsed_ms, ...).</param>
public sealed record PipelineTaskRun(
    string TaskId,
    string Type,
    IReadOnlyList<string> DependsOn,
    string State,
    int Attempts,
    int MaxAttempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double? Seconds,
    string? Summary,
    string? Error,
    JsonElement? Outputs);

/// <summary>A saved expectation suite.</summary>
/// <param name="SuiteName">The suite name.</param>
/// <param name="Dataset">The table it validates.</param>
/// <param name="Expectations">Number of expectations.</param>
/// <param name="Created">True when new, false when it replaced a suite of that name.</param>
public sealed record SuiteRef(
    [property: JsonPropertyName("suite_name")] string SuiteName,
    [property: JsonPropertyName("dataset")] string? Dataset,
    [property: JsonPropertyName("expectations")] int Expectations,
    [property: JsonPropertyName("created")] bool Created);

/// <summary>A validation of a suite over a table, with each expectation's result.</summary>
/// <param name="RunId">The validation id.</param>
/// <param name="Suite">The suite.</param>
/// <param name="Dataset">The table validated.</param>
/// <param name="RunAt">When.</param>
/// <param name="State">succeeded or failed.</param>
/// <param name="Success">Whether every expectation was met.</param>
/// <param name="Statistics">Great Expectations' statistics (evaluated, successful, success_percent).</param>
/// <param name="Results">Great Expectations' per-expectation results.</param>
/// <param name="Text">The report in the seed's words (<c>[PASS] Row count: ...</c>).</param>
/// <param name="FailedErrors">Failed expectations of severity error.</param>
/// <param name="FailedWarnings">Failed expectations of severity warning.</param>
/// <param name="TriggeredBy">Who or what started it.</param>
/// <param name="ElapsedMs">How long it took.</param>
public sealed record Validation(
    Guid RunId,
    string Suite,
    string Dataset,
    DateTimeOffset RunAt,
    string State,
    bool Success,
    JsonElement Statistics,
    JsonElement Results,
    string Text,
    int FailedErrors,
    int FailedWarnings,
    string TriggeredBy,
    double ElapsedMs)
{
    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>A validation in a suite's history.</summary>
/// <param name="RunId">The validation id.</param>
/// <param name="Suite">The suite.</param>
/// <param name="Dataset">The table.</param>
/// <param name="RunAt">When.</param>
/// <param name="State">succeeded or failed.</param>
/// <param name="Success">Whether every expectation was met.</param>
/// <param name="Evaluated">Expectations evaluated.</param>
/// <param name="Successful">Expectations met.</param>
/// <param name="FailedErrors">Failed expectations of severity error.</param>
/// <param name="FailedWarnings">Failed expectations of severity warning.</param>
/// <param name="TriggeredBy">Who or what started it.</param>
/// <param name="ElapsedMs">How long it took.</param>
public sealed record ValidationSummary(Guid RunId, string Suite, string Dataset, DateTimeOffset RunAt, string State, bool Success, int Evaluated, int Successful,
    int FailedErrors, int FailedWarnings, string TriggeredBy, double ElapsedMs);

/// <summary>A numeric feature's distribution in buckets, with the label's distribution (the seed's Stage 5 figures).</summary>
/// <param name="Table">The table.</param>
/// <param name="Column">The column.</param>
/// <param name="Rows">Rows in the table.</param>
/// <param name="Count">Non-null values.</param>
/// <param name="Mean">Mean.</param>
/// <param name="Median">Median.</param>
/// <param name="StdDev">Standard deviation.</param>
/// <param name="Min">Minimum.</param>
/// <param name="Max">Maximum.</param>
/// <param name="Buckets">The buckets with counts and shares.</param>
/// <param name="Label">The label column, if asked.</param>
/// <param name="LabelDistribution">The label's values with counts and shares.</param>
/// <param name="Text">The figures in the seed's words.</param>
public sealed record Distribution(
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("column")] string Column,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("mean")] double? Mean,
    [property: JsonPropertyName("median")] double? Median,
    [property: JsonPropertyName("std_dev")] double? StdDev,
    [property: JsonPropertyName("min")] double? Min,
    [property: JsonPropertyName("max")] double? Max,
    [property: JsonPropertyName("buckets")] IReadOnlyList<DistributionBucket> Buckets,
    [property: JsonPropertyName("label")] string? Label,
    [property: JsonPropertyName("label_distribution")] IReadOnlyList<LabelShare>? LabelDistribution,
    [property: JsonPropertyName("text")] string Text)
{
    /// <summary>The buckets' shares as a bar chart.</summary>
    public Series ToSeries() => new Series(Column, Buckets.Select(b => b.Label).ToArray(), Buckets.Select(b => b.Share * 100).ToArray()).AsBars();

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>A distribution bucket.</summary>
/// <param name="Label">The bucket (<c>0-30</c>).</param>
/// <param name="Count">Values in it.</param>
/// <param name="Share">Its share, from 0 to 1.</param>
public sealed record DistributionBucket(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("share")] double Share);

/// <summary>A label value's share.</summary>
/// <param name="Value">The label value.</param>
/// <param name="Count">Rows with it.</param>
/// <param name="Share">Its share, from 0 to 1.</param>
public sealed record LabelShare(
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("count")] long Count,
    [property: JsonPropertyName("share")] double Share);

/// <summary>An experiment in the list.</summary>
/// <param name="Name">The experiment.</param>
/// <param name="Runs">Runs in it.</param>
/// <param name="Succeeded">Runs that succeeded.</param>
/// <param name="Active">Runs queued or running.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="LastRunAt">When it last ran.</param>
/// <param name="BestAuc">The best AUC of its runs.</param>
/// <param name="BestRun">The run with the best AUC.</param>
public sealed record ExperimentSummary(string Name, int Runs, int Succeeded, int Active, DateTimeOffset CreatedAt, DateTimeOffset? LastRunAt, double? BestAuc, string? BestRun);

/// <summary>An experiment run: what was trained, its state and metrics.</summary>
/// <param name="RunId">The run id.</param>
/// <param name="Experiment">The experiment.</param>
/// <param name="Name">The run name (<c>churn-exp-003</c>).</param>
/// <param name="Trainer">The trainer id.</param>
/// <param name="Model">The model in words (<c>Gradient Boosting (LightGBM)</c>).</param>
/// <param name="State">queued, running, succeeded, failed or cancelled.</param>
/// <param name="Stage">What it is doing now.</param>
/// <param name="Progress">From 0 to 1.</param>
/// <param name="Features">The features used.</param>
/// <param name="Metrics">AUC, precision, recall, F1, accuracy, log loss, training time, rows.</param>
/// <param name="Error">Why it failed.</param>
public sealed record ExperimentRun(
    Guid RunId,
    string Experiment,
    string Name,
    string Trainer,
    string Model,
    string State,
    string? Stage,
    double Progress,
    IReadOnlyList<string> Features,
    ExperimentMetrics? Metrics,
    string? Error)
{
    /// <summary>True once the run succeeded, failed or was cancelled.</summary>
    public bool Finished => Runs.IsFinished(State);
}

/// <summary>The metrics of an experiment run.</summary>
/// <param name="Auc">Area under the ROC curve.</param>
/// <param name="Precision">Precision.</param>
/// <param name="Recall">Recall.</param>
/// <param name="F1">F1.</param>
/// <param name="Accuracy">Accuracy.</param>
/// <param name="LogLoss">Log loss.</param>
/// <param name="TrainingSeconds">Training time.</param>
/// <param name="TrainRows">Training rows.</param>
/// <param name="TestRows">Test rows.</param>
public sealed record ExperimentMetrics(double? Auc, double? Precision, double? Recall, double? F1, double? Accuracy, double? LogLoss, double? TrainingSeconds, long? TrainRows, long? TestRows);

/// <summary>A row of an experiment's comparison table.</summary>
/// <param name="RunId">The run id.</param>
/// <param name="Experiment">The experiment.</param>
/// <param name="Name">The run name.</param>
/// <param name="Trainer">The trainer id.</param>
/// <param name="Model">The model in words.</param>
/// <param name="State">Its state.</param>
/// <param name="Features">Features used.</param>
/// <param name="Auc">AUC.</param>
/// <param name="Precision">Precision.</param>
/// <param name="Recall">Recall.</param>
/// <param name="F1">F1.</param>
/// <param name="TrainingSeconds">Training time.</param>
/// <param name="Error">Why it failed.</param>
public sealed record ExperimentRunRow(Guid RunId, string Experiment, string Name, string Trainer, string Model, string State, IReadOnlyList<string> Features,
    double? Auc, double? Precision, double? Recall, double? F1, double? TrainingSeconds, string? Error);
