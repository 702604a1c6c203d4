using Matih.Core.Connections;
using Matih.Core.Lineage;

namespace Matih.Core.Models;

/// <summary>Where a version came from.</summary>
/// <param name="Experiment">The experiment.</param>
/// <param name="Run">The run's name (<c>churn-exp-003</c>).</param>
/// <param name="RunId">The run's id.</param>
/// <param name="Trainer">The trainer (<c>lightgbm</c>).</param>
/// <param name="Label">The label column the model predicts (<c>is_churned</c>).</param>
public sealed record ModelSource(string Experiment, string Run, Guid RunId, string Trainer, string Label);

/// <summary>The registry's copy of a model artifact.</summary>
/// <param name="Path">The file: <c>{data}/artifacts/models/{name}/{version}/model.zip</c>.</param>
/// <param name="Sha256">Its SHA-256, lower-case hex.</param>
/// <param name="Bytes">Its size.</param>
public sealed record ModelArtifactFile(string Path, string Sha256, long Bytes);

/// <summary>The data a version was trained on, as its run recorded it.</summary>
/// <param name="Table">The feature table.</param>
/// <param name="Rows">Rows read.</param>
/// <param name="ContentHash">The run's hash of those rows.</param>
public sealed record TrainingData(string Table, long? Rows, string? ContentHash);

/// <summary>One registered, immutable model version.</summary>
/// <param name="ModelName">The model.</param>
/// <param name="Version">The semantic version.</param>
/// <param name="Stage">none | staging | production | archived.</param>
/// <param name="Framework">The framework as registered.</param>
/// <param name="Source">The run it came from.</param>
/// <param name="Metrics">Metrics as registered.</param>
/// <param name="RunMetrics">Metrics the run measured on its held-out rows, kept beside the registered ones.</param>
/// <param name="FeatureSet">The feature group its inputs come from.</param>
/// <param name="InputSchema">The inputs in the registered order.</param>
/// <param name="NumericFeatures">Numeric inputs in training order.</param>
/// <param name="CategoricalFeatures">Categorical inputs in training order.</param>
/// <param name="Tags">Tags.</param>
/// <param name="Description">Free text.</param>
/// <param name="Artifact">The registry's copy of the artifact.</param>
/// <param name="TrainingData">The data the run trained on.</param>
/// <param name="Warnings">What the registry noticed at registration but accepted.</param>
/// <param name="RegisteredBy">Who registered it.</param>
/// <param name="RegisteredAt">When.</param>
/// <param name="StageChangedAt">When its stage last changed.</param>
public sealed record ModelVersionView(
    string ModelName,
    string Version,
    string Stage,
    string Framework,
    ModelSource Source,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, double?> RunMetrics,
    string? FeatureSet,
    IReadOnlyList<InputFeature> InputSchema,
    IReadOnlyList<string> NumericFeatures,
    IReadOnlyList<string> CategoricalFeatures,
    IReadOnlyDictionary<string, string> Tags,
    string? Description,
    ModelArtifactFile Artifact,
    TrainingData TrainingData,
    IReadOnlyList<DocumentProblem> Warnings,
    string RegisteredBy,
    DateTimeOffset RegisteredAt,
    DateTimeOffset StageChangedAt)
{
    /// <summary><c>name/version</c>, the form deployments refer to it by.</summary>
    public string Reference => $"{ModelName}/{Version}";
}

/// <summary>A registered model in the list.</summary>
/// <param name="Name">The model.</param>
/// <param name="Versions">How many versions it has.</param>
/// <param name="LatestVersion">The highest version.</param>
/// <param name="ProductionVersion">The version in production, if any.</param>
/// <param name="StagingVersions">Versions in staging.</param>
/// <param name="Framework">The latest version's framework.</param>
/// <param name="Tags">The latest version's tags.</param>
/// <param name="CreatedBy">Who registered the first version.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="UpdatedAt">When a version was last registered or changed stage.</param>
public sealed record RegisteredModelSummary(
    string Name,
    int Versions,
    string LatestVersion,
    string? ProductionVersion,
    IReadOnlyList<string> StagingVersions,
    string Framework,
    IReadOnlyDictionary<string, string> Tags,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>What a registration gave.</summary>
/// <param name="Version">The version, when registered now or before with identical content.</param>
/// <param name="Created">True when this call registered it; false for an identical repeat.</param>
/// <param name="Problems">Why it was refused, each naming its JSON path.</param>
/// <param name="Conflict">Set when the version exists with different content (versions are immutable).</param>
public sealed record ModelRegistrationResult(ModelVersionView? Version, bool Created, IReadOnlyList<DocumentProblem> Problems, string? Conflict);

/// <summary>What a stage change gave.</summary>
/// <param name="Version">The version after the change.</param>
/// <param name="Archived">Other versions archived by it (<c>archive_existing_versions</c>).</param>
/// <param name="Problem">Why the request is wrong (an unknown stage), naming the field.</param>
/// <param name="Conflict">Why it cannot happen now (another version is in production).</param>
public sealed record ModelStageChange(ModelVersionView? Version, IReadOnlyList<string> Archived, DocumentProblem? Problem, string? Conflict);

/// <summary>One recorded stage change.</summary>
/// <param name="Version">The version.</param>
/// <param name="From">The stage before.</param>
/// <param name="To">The stage after.</param>
/// <param name="Reason">Why, when it followed from another change.</param>
/// <param name="ChangedBy">Who.</param>
/// <param name="ChangedAt">When.</param>
public sealed record ModelStageHistoryEntry(string Version, string From, string To, string? Reason, string ChangedBy, DateTimeOffset ChangedAt);

/// <summary>The run behind a version, as it is now.</summary>
/// <param name="Experiment">The experiment.</param>
/// <param name="Name">The run's name.</param>
/// <param name="RunId">Its id.</param>
/// <param name="Trainer">The trainer.</param>
/// <param name="Model">The trainer's display name.</param>
/// <param name="State">Its state.</param>
/// <param name="Auc">Its AUC.</param>
/// <param name="EndedAt">When it finished.</param>
public sealed record LineageRun(string Experiment, string Name, Guid RunId, string Trainer, string Model, string State, double? Auc, DateTimeOffset? EndedAt);

/// <summary>The feature group a version names.</summary>
/// <param name="Name">The group.</param>
/// <param name="Exists">False when no group of that name has been synced.</param>
/// <param name="SourceTable">The table it is synced from.</param>
/// <param name="OfflineTable">Its offline store.</param>
/// <param name="EntityKey">Its entity key.</param>
/// <param name="LatestVersion">Its latest version.</param>
public sealed record LineageFeatureSet(string Name, bool Exists, string? SourceTable, string? OfflineTable, string? EntityKey, int? LatestVersion);

/// <summary>Where a model version comes from: the run, the table it trained on, and that table's upstream.</summary>
/// <param name="Model">The version, <c>name/version</c>.</param>
/// <param name="Run">The run, or null when it has been deleted.</param>
/// <param name="FeatureTable">The table the run trained on.</param>
/// <param name="FeatureSet">The feature group the registration names, if any.</param>
/// <param name="Upstream">The feature table's upstream lineage (tables, sources, files), depth 0 = the table, negative = upstream.</param>
public sealed record ModelLineage(string Model, LineageRun? Run, string FeatureTable, LineageFeatureSet? FeatureSet, LineageView Upstream);
