using System.Text.Json.Nodes;
using Matih.Core.Connections;

namespace Matih.Core.Experiments;

/// <summary>An experiment in the list: its runs at a glance.</summary>
/// <param name="Name">The experiment's name.</param>
/// <param name="Runs">Runs in it.</param>
/// <param name="Succeeded">Runs that finished.</param>
/// <param name="Active">Runs queued or running.</param>
/// <param name="CreatedAt">When its first run was queued.</param>
/// <param name="LastRunAt">When its latest run was queued.</param>
/// <param name="BestAuc">The highest AUC of its runs.</param>
/// <param name="BestRun">The run with that AUC.</param>
public sealed record ExperimentSummary(string Name, int Runs, int Succeeded, int Active, DateTimeOffset CreatedAt, DateTimeOffset? LastRunAt, double? BestAuc, string? BestRun);

/// <summary>A run as the comparison table shows it.</summary>
/// <param name="RunId">The run id.</param>
/// <param name="Experiment">Its experiment.</param>
/// <param name="Name">The run's name (<c>churn-exp-003</c>).</param>
/// <param name="Trainer">Trainer id.</param>
/// <param name="Model">The trainer's display name (<c>Gradient Boosting (LightGBM)</c>).</param>
/// <param name="State">queued | running | succeeded | failed | cancelled.</param>
/// <param name="Stage">What it is doing while active: waiting, reading, training, evaluating, saving.</param>
/// <param name="Progress">0..1.</param>
/// <param name="Features">The features, numeric then categorical.</param>
/// <param name="Auc">Area under the ROC curve on held-out rows.</param>
/// <param name="Precision">At 0.5.</param>
/// <param name="Recall">At 0.5.</param>
/// <param name="F1">At 0.5.</param>
/// <param name="Accuracy">At 0.5.</param>
/// <param name="LogLoss">Mean log-loss.</param>
/// <param name="TrainingSeconds">How long the fit took.</param>
/// <param name="TrainRows">Rows trained on.</param>
/// <param name="TestRows">Rows the metrics come from.</param>
/// <param name="Tags">Tags.</param>
/// <param name="QueuedAt">When it was queued.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="Error">Why it failed or was cancelled.</param>
public sealed record ExperimentRunSummary(
    Guid RunId,
    string Experiment,
    string Name,
    string Trainer,
    string Model,
    string State,
    string? Stage,
    double Progress,
    IReadOnlyList<string> Features,
    double? Auc,
    double? Precision,
    double? Recall,
    double? F1,
    double? Accuracy,
    double? LogLoss,
    double? TrainingSeconds,
    long? TrainRows,
    long? TestRows,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    string? Error);

/// <summary>The data a run was trained on.</summary>
/// <param name="Table">The feature table.</param>
/// <param name="Rows">Rows read, skipped ones included.</param>
/// <param name="SkippedRows">Rows without a label, left out.</param>
/// <param name="ContentHash">An order-independent hash of the labelled rows; equal hashes mean equal data.</param>
public sealed record DataSnapshot(string Table, long? Rows, long? SkippedRows, string? ContentHash);

/// <summary>The saved model.</summary>
/// <param name="Path">The file, under the data directory.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Framework">The framework a serving runtime loads it by.</param>
public sealed record RunArtifact(string Path, long Bytes, string Framework);

/// <summary>Everything recorded about one run.</summary>
/// <param name="Summary">The headline figures.</param>
/// <param name="Framework">The framework recorded for the registry.</param>
/// <param name="Table">The feature table.</param>
/// <param name="Label">The label column.</param>
/// <param name="NumericFeatures">Numeric features in training order.</param>
/// <param name="CategoricalFeatures">Categorical features in training order.</param>
/// <param name="Params">Hyperparameters as given.</param>
/// <param name="Hyperparameters">Every hyperparameter in force, defaults included.</param>
/// <param name="Split">How rows were held out.</param>
/// <param name="Confusion">Counts at 0.5.</param>
/// <param name="Roc">ROC curve (about 100 points).</param>
/// <param name="PrecisionRecall">Precision-recall curve (about 100 points).</param>
/// <param name="FeatureImportance">Importance per feature, shares summing to 1, largest first.</param>
/// <param name="Artifact">The saved model, once saved.</param>
/// <param name="Snapshot">The data trained on.</param>
/// <param name="CreatedBy">Who started the run.</param>
public sealed record ExperimentRunView(
    ExperimentRunSummary Summary,
    string Framework,
    string Table,
    string Label,
    IReadOnlyList<string> NumericFeatures,
    IReadOnlyList<string> CategoricalFeatures,
    JsonObject Params,
    JsonObject Hyperparameters,
    RunSplit Split,
    ConfusionMatrix? Confusion,
    IReadOnlyList<RocPoint> Roc,
    IReadOnlyList<PrecisionRecallPoint> PrecisionRecall,
    IReadOnlyDictionary<string, double> FeatureImportance,
    RunArtifact? Artifact,
    DataSnapshot Snapshot,
    string CreatedBy);

/// <summary>One page of runs.</summary>
/// <param name="Total">Runs matching.</param>
/// <param name="Page">1-based page number.</param>
/// <param name="PageSize">Runs per page.</param>
/// <param name="Sort">The sort key in force.</param>
/// <param name="Order">asc or desc.</param>
/// <param name="Items">The runs on this page.</param>
public sealed record ExperimentRunPage(int Total, int Page, int PageSize, string Sort, string Order, IReadOnlyList<ExperimentRunSummary> Items);

/// <summary>What starting a run gave.</summary>
/// <param name="RunId">The new run, when queued.</param>
/// <param name="State">Its state (<c>queued</c>).</param>
/// <param name="Problems">What is wrong with the request, each naming its JSON path.</param>
/// <param name="Conflict">Set when a run of that name already exists in the experiment.</param>
public sealed record ExperimentRunStart(Guid? RunId, string? State, IReadOnlyList<DocumentProblem> Problems, string? Conflict);
