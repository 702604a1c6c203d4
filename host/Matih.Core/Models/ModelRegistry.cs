using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Core.Experiments;
using Matih.Core.Features;
using Matih.Core.Hosting;
using Matih.Core.Lineage;
using Matih.Core.Metadata;
using Matih.Sdk.Serving;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Models;

/// <summary>
/// The model registry: registers immutable versions of models trained by experiment runs (copying the artifact into
/// the registry), moves versions between stages, resolves references (<c>name/1.0.0</c>, <c>name@production</c>)
/// and answers each version's lineage back to its run, feature table and that table's sources.
/// </summary>
/// <remarks>
/// Stages follow MLflow: none, staging, production, archived; moving a version into staging or production archives
/// the versions already there unless <c>archive_existing_versions</c> is false, and production holds one version at
/// a time either way.
/// </remarks>
public sealed class ModelRegistry(
    IDbContextFactory<MetadataDbContext> contexts,
    ExperimentRuns runs,
    FeatureStore features,
    LineageGraph lineage,
    IEnumerable<IServingRuntime> runtimes,
    MatihOptions options,
    TimeProvider clock,
    ILogger<ModelRegistry> log,
    Audit.AuditLog? audit = null)
{
    /// <summary>Registered and measured metrics further apart than this are flagged in the registration's warnings.</summary>
    public const double MetricTolerance = 0.05;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    // Registered metric names (and common spellings) that the run measured too.
    private static readonly Dictionary<string, string> s_measured = new(StringComparer.OrdinalIgnoreCase)
    {
        ["auc"] = "auc",
        ["roc_auc"] = "auc",
        ["precision"] = "precision",
        ["recall"] = "recall",
        ["f1"] = "f1",
        ["f1_score"] = "f1",
        ["accuracy"] = "accuracy",
        ["log_loss"] = "log_loss",
        ["logloss"] = "log_loss",
    };

    private readonly IServingRuntime[] _runtimes = runtimes.ToArray();

    // Registrations and stage changes of one host go one at a time: both read, then write, several rows.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Raised after a version is registered or changes stage (the workbench refreshes).</summary>
    public event Action? Changed;

    /// <summary>Where version <paramref name="version"/> of <paramref name="model"/> keeps its artifact.</summary>
    public string ArtifactPath(string model, string version) =>
        Path.Combine(options.DataPath, "artifacts", "models", model, version, "model.zip");

    /// <summary>
    /// Registers a version from the seed's registration document. Checks the run (it exists and succeeded), the
    /// framework and the input schema against it (every feature the run trained on, of the same kind; inputs the run
    /// did not train on are accepted with a warning), records the metrics as given beside the run's measured ones, and
    /// copies the artifact. Problems, warnings and conflicts are answers, not exceptions.
    /// </summary>
    public async Task<ModelRegistrationResult> RegisterAsync(JsonNode? document, string? user, CancellationToken cancellationToken)
    {
        var (request, problems) = ModelRegistrations.Parse(document);
        if (request is null)
        {
            return new ModelRegistrationResult(null, false, problems, null);
        }

        var (run, runProblems) = await FindRunAsync(request.SourceExperiment, cancellationToken).ConfigureAwait(false);
        if (run is null)
        {
            return new ModelRegistrationResult(null, false, runProblems, null);
        }

        var checks = CheckAgainstRun(request, run);
        if (checks.Count > 0)
        {
            return new ModelRegistrationResult(null, false, checks, null);
        }

        var warnings = await WarningsAsync(request, run, cancellationToken).ConfigureAwait(false);
        var parts = Parts(run.Summary.RunId, request.Framework, request.Metrics, request.FeatureSet, request.InputSchema, request.Tags, request.Description);
        var hash = Hash(parts);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var existing = await db.Set<ModelVersionRecord>().AsNoTracking()
                .SingleOrDefaultAsync(v => v.ModelName == request.ModelName && v.Version == request.Version, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                if (existing.DocumentHash == hash)
                {
                    return new ModelRegistrationResult(View(existing), false, [], null);
                }

                var differing = Parts(existing).Where(p => parts[p.Key] != p.Value).Select(p => p.Key).ToArray();
                return new ModelRegistrationResult(null, false, [],
                    $"Version {request.Version} of {request.ModelName} is already registered with a different {string.Join(", ", differing)}; " +
                    "versions are immutable, so register the change as a new version (e.g. a higher patch number).");
            }

            var now = Now();
            var by = string.IsNullOrEmpty(user) ? "system" : user;
            var (path, sha256, bytes) = await CopyArtifactAsync(run.Artifact!.Path, ArtifactPath(request.ModelName, request.Version), cancellationToken).ConfigureAwait(false);
            var model = await db.Set<RegisteredModelRecord>().FindAsync([request.ModelName], cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                db.Add(new RegisteredModelRecord { Name = request.ModelName, CreatedBy = by, CreatedAt = now, UpdatedAt = now });
            }
            else
            {
                model.UpdatedAt = now;
            }

            var record = new ModelVersionRecord
            {
                Id = Guid.NewGuid(),
                ModelName = request.ModelName,
                Version = request.Version,
                Stage = Names.NoStage,
                Framework = request.Framework,
                SourceRun = request.SourceExperiment,
                Experiment = run.Summary.Experiment,
                RunId = run.Summary.RunId,
                Trainer = run.Summary.Trainer,
                Label = run.Label,
                MetricsJson = parts["metrics"],
                RunMetricsJson = JsonSerializer.Serialize(RunMetrics(run)),
                FeatureSet = request.FeatureSet,
                InputSchemaJson = parts["input_schema"],
                NumericFeatures = JsonSerializer.Serialize(run.NumericFeatures),
                CategoricalFeatures = JsonSerializer.Serialize(run.CategoricalFeatures),
                TagsJson = parts["tags"],
                Description = request.Description,
                ArtifactPath = path,
                ArtifactSha256 = sha256,
                ArtifactBytes = bytes,
                TrainingTable = run.Snapshot.Table,
                TrainingRows = run.Snapshot.Rows,
                TrainingContentHash = run.Snapshot.ContentHash,
                WarningsJson = JsonSerializer.Serialize(warnings, s_json),
                DocumentHash = hash,
                RegisteredBy = by,
                RegisteredAt = now,
                StageChangedAt = now,
            };
            db.Add(record);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            log.LogInformation("Registered {Model} {Version} from run {Run} of {Experiment} ({Framework}, {Bytes} bytes, sha256 {Sha})",
                request.ModelName, request.Version, run.Summary.Name, run.Summary.Experiment, request.Framework, bytes, sha256[..12]);
            Changed?.Invoke();
            if (audit is not null)
            {
                await audit.RecordChangeAsync("model.created", $"{request.ModelName}/{request.Version}", $"registered from run {run.Summary.Name} of {run.Summary.Experiment} ({request.Framework})").ConfigureAwait(false);
            }

            return new ModelRegistrationResult(View(record), true, [], null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every registered model, by name.</summary>
    public async Task<IReadOnlyList<RegisteredModelSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var models = await db.Set<RegisteredModelRecord>().AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return await SummarizeAsync(db, models.OrderBy(m => m.Name, StringComparer.Ordinal).ToArray(), null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Summaries of <paramref name="models"/>, in their order; for pages read from the database.</summary>
    public async Task<IReadOnlyList<RegisteredModelSummary>> SummarizeAsync(IReadOnlyList<RegisteredModelRecord> models, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await SummarizeAsync(db, models, models.Select(m => m.Name).ToArray(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the API shows of a stored version; for pages read from the database.</summary>
    public static ModelVersionView Describe(ModelVersionRecord record) => View(record);

    private static async Task<IReadOnlyList<RegisteredModelSummary>> SummarizeAsync(MetadataDbContext db, IReadOnlyList<RegisteredModelRecord> models, string[]? only, CancellationToken cancellationToken)
    {
        var query = db.Set<ModelVersionRecord>().AsNoTracking();
        if (only is not null)
        {
            query = query.Where(v => only.Contains(v.ModelName));
        }

        var versions = (await query
                .Select(v => new { v.ModelName, v.Version, v.Stage, v.Framework, v.TagsJson })
                .ToListAsync(cancellationToken).ConfigureAwait(false))
            .ToLookup(v => v.ModelName, StringComparer.Ordinal);
        return models.Select(m =>
        {
            var own = versions[m.Name].OrderByDescending(v => Semver(v.Version)).ToArray();
            var latest = own[0];
            return new RegisteredModelSummary(
                m.Name,
                own.Length,
                latest.Version,
                own.FirstOrDefault(v => v.Stage == Names.Production)?.Version,
                own.Where(v => v.Stage == Names.Staging).Select(v => v.Version).ToArray(),
                latest.Framework,
                JsonSerializer.Deserialize<Dictionary<string, string>>(latest.TagsJson)!,
                m.CreatedBy,
                m.CreatedAt,
                m.UpdatedAt);
        }).ToArray();
    }

    /// <summary>The versions of <paramref name="model"/>, highest first; null when there is no such model.</summary>
    public async Task<IReadOnlyList<ModelVersionView>?> VersionsAsync(string model, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var records = await db.Set<ModelVersionRecord>().AsNoTracking().Where(v => v.ModelName == model).ToListAsync(cancellationToken).ConfigureAwait(false);
        return records.Count == 0 ? null : records.OrderByDescending(r => Semver(r.Version)).Select(View).ToArray();
    }

    /// <summary>
    /// One version by number, or by stage alias (<c>production</c>, <c>staging</c>: the highest version in it;
    /// <c>latest</c>: the highest version); null when there is none.
    /// </summary>
    public async Task<ModelVersionView?> GetVersionAsync(string model, string version, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var candidates = db.Set<ModelVersionRecord>().AsNoTracking().Where(v => v.ModelName == model);
        List<ModelVersionRecord> found = version switch
        {
            Names.Production or Names.Staging => await candidates.Where(v => v.Stage == version).ToListAsync(cancellationToken).ConfigureAwait(false),
            "latest" => await candidates.ToListAsync(cancellationToken).ConfigureAwait(false),
            _ => await candidates.Where(v => v.Version == version).ToListAsync(cancellationToken).ConfigureAwait(false),
        };
        return found.OrderByDescending(r => Semver(r.Version)).Select(View).FirstOrDefault();
    }

    /// <summary>
    /// Resolves a reference as deployments write it: <c>name/version</c>, or <c>name@production</c>,
    /// <c>name@staging</c>, <c>name@latest</c>. Returns the version or a sentence saying why not.
    /// </summary>
    public async Task<(ModelVersionView? Version, string? Problem)> ResolveAsync(string? reference, CancellationToken cancellationToken)
    {
        if (!TryParseReference(reference, out var model, out var version, out var alias))
        {
            return (null, $"'{reference}' is not a model reference: write name/version (customer-churn-predictor/1.0.0) or name@production, name@staging, name@latest.");
        }

        var found = await GetVersionAsync(model, alias ?? version!, cancellationToken).ConfigureAwait(false);
        if (found is not null)
        {
            return (found, null);
        }

        var versions = await VersionsAsync(model, cancellationToken).ConfigureAwait(false);
        return (null, versions is null
            ? $"No model is registered as '{model}'; register it with POST /api/models."
            : alias is not null
                ? $"No version of {model} is in {alias}; its versions are {string.Join(", ", versions.Select(v => $"{v.Version} ({v.Stage})"))}."
                : $"{model} has no version {version}; its versions are {string.Join(", ", versions.Select(v => v.Version))}.");
    }

    /// <summary>Splits <c>name/version</c> or <c>name@alias</c>.</summary>
    public static bool TryParseReference(string? reference, out string model, out string? version, out string? alias)
    {
        model = "";
        version = null;
        alias = null;
        if (string.IsNullOrWhiteSpace(reference))
        {
            return false;
        }

        var at = reference.LastIndexOf('@');
        if (at > 0)
        {
            model = reference[..at];
            alias = reference[(at + 1)..];
            return ExperimentRunRequests.IsValidName(model) && alias is Names.Production or Names.Staging or "latest";
        }

        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            return false;
        }

        model = reference[..slash];
        version = reference[(slash + 1)..];
        return ExperimentRunRequests.IsValidName(model) && SemanticVersion.TryParse(version, out _);
    }

    /// <summary>
    /// Moves a version to <paramref name="stage"/>. With <paramref name="archiveExisting"/> (MLflow's
    /// archive_existing_versions, default true) the versions already in staging or production are archived; production
    /// never holds two versions, so without it a second production version is a conflict.
    /// </summary>
    public async Task<ModelStageChange?> SetStageAsync(string model, string version, string? stage, bool archiveExisting, string? user, CancellationToken cancellationToken)
    {
        var target = stage?.Trim().ToLowerInvariant();
        if (target is null || !Names.Stages.Contains(target))
        {
            return new ModelStageChange(null, [], new DocumentProblem("stage", $"'{stage}' is not a stage: use {string.Join(", ", Names.Stages)}."), null);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
            var all = await db.Set<ModelVersionRecord>().Where(v => v.ModelName == model).ToListAsync(cancellationToken).ConfigureAwait(false);
            var record = all.SingleOrDefault(v => v.Version == version);
            if (record is null)
            {
                return null;
            }

            if (record.Stage == target)
            {
                return new ModelStageChange(View(record), [], null, null);
            }

            var others = target is Names.Production or Names.Staging
                ? all.Where(v => v != record && v.Stage == target).ToArray()
                : [];
            if (target == Names.Production && others.Length > 0 && !archiveExisting)
            {
                return new ModelStageChange(null, [], null,
                    $"{model} {others[0].Version} is in production, and a model has one production version at a time: archive it first or pass archive_existing_versions: true.");
            }

            var now = Now();
            var by = string.IsNullOrEmpty(user) ? "system" : user;
            var from = record.Stage;
            // The change asked for first, then its consequences: the history reads in that order.
            db.Add(Change(record, target, null, by, now));
            record.Stage = target;
            record.StageChangedAt = now;
            var archived = new List<string>();
            if (archiveExisting)
            {
                foreach (var other in others)
                {
                    db.Add(Change(other, Names.Archived, $"{version} moved to {target}", by, now));
                    other.Stage = Names.Archived;
                    other.StageChangedAt = now;
                    archived.Add(other.Version);
                }
            }
            if (await db.Set<RegisteredModelRecord>().FindAsync([model], cancellationToken).ConfigureAwait(false) is { } registered)
            {
                registered.UpdatedAt = now;
            }

            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            log.LogInformation("{Model} {Version} moved to {Stage}{Archived}", model, version, target,
                archived.Count > 0 ? $"; archived {string.Join(", ", archived)}" : "");
            Changed?.Invoke();
            if (audit is not null)
            {
                await audit.RecordChangeAsync("model.stage_changed", $"{model}/{version}",
                    $"{from} -> {target}{(archived.Count > 0 ? $"; archived {string.Join(", ", archived)}" : "")}").ConfigureAwait(false);
            }

            return new ModelStageChange(View(record), archived, null, null);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The stage changes of a model's versions, newest first.</summary>
    public async Task<IReadOnlyList<ModelStageHistoryEntry>> StageHistoryAsync(string model, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var changes = await db.Set<ModelStageChangeRecord>().AsNoTracking().Where(c => c.ModelName == model)
            .OrderByDescending(c => c.Id).Take(200).ToListAsync(cancellationToken).ConfigureAwait(false);
        return changes.Select(c => new ModelStageHistoryEntry(c.Version, c.FromStage, c.ToStage, c.Reason, c.ChangedBy, c.ChangedAt)).ToArray();
    }

    /// <summary>A version's lineage: its run, the table the run trained on, the feature group, and the table's upstream.</summary>
    public async Task<ModelLineage?> LineageAsync(string model, string version, CancellationToken cancellationToken)
    {
        var found = await GetVersionAsync(model, version, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return null;
        }

        var run = await runs.GetRunAsync(found.Source.Experiment, found.Source.RunId.ToString(), cancellationToken).ConfigureAwait(false);
        LineageFeatureSet? featureSet = null;
        if (found.FeatureSet is { } name)
        {
            var group = await features.GetAsync(name, cancellationToken).ConfigureAwait(false);
            featureSet = group is null
                ? new LineageFeatureSet(name, false, null, null, null, null)
                : new LineageFeatureSet(name, true, group.SourceTable.ToString(), group.OfflineTable.ToString(), group.EntityKey, group.LatestVersion);
        }

        var graph = await lineage.GetAsync(found.TrainingData.Table, 10, cancellationToken).ConfigureAwait(false);
        // Upstream only: what the model depends on, not what else reads the same table.
        var upstream = new LineageView(
            graph.Table,
            graph.Nodes.Where(n => n.Depth <= 0).ToArray(),
            graph.Edges.Where(e => graph.Nodes.Any(n => n.Id == e.To && n.Depth <= 0)).ToArray());
        return new ModelLineage(
            found.Reference,
            run is null ? null : new LineageRun(run.Summary.Experiment, run.Summary.Name, run.Summary.RunId, run.Summary.Trainer, run.Summary.Model, run.Summary.State, run.Summary.Auc, run.Summary.EndedAt),
            found.TrainingData.Table,
            featureSet,
            upstream);
    }

    private async Task<(ExperimentRunView? Run, IReadOnlyList<DocumentProblem> Problems)> FindRunAsync(string source, CancellationToken cancellationToken)
    {
        const string Field = "source_experiment";
        IReadOnlyList<ExperimentRunView> found;
        var slash = source.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var run = await runs.GetRunAsync(source[..slash], source[(slash + 1)..], cancellationToken).ConfigureAwait(false);
            found = run is null ? [] : [run];
        }
        else
        {
            found = await runs.FindRunsByNameAsync(source, cancellationToken).ConfigureAwait(false);
        }

        if (found.Count == 0)
        {
            return (null, [new DocumentProblem(Field, $"No experiment run is named '{source}'; train one with POST /api/experiments/{{experiment}}/runs.")]);
        }

        if (found.Count > 1)
        {
            return (null, [new DocumentProblem(Field,
                $"Runs of several experiments are named '{source}' ({string.Join(", ", found.Select(r => r.Summary.Experiment))}); write experiment/run, e.g. {found[0].Summary.Experiment}/{source}.")]);
        }

        var view = found[0];
        var state = view.Summary.State;
        if (state != "succeeded")
        {
            return (null, [new DocumentProblem(Field, state is "queued" or "running"
                ? $"Run '{source}' is {state}; register it once it has succeeded."
                : $"Run '{source}' {state}{(view.Summary.Error is { } error ? $" ({error.TrimEnd('.')})" : "")}; only a succeeded run has a model to register.")]);
        }

        if (view.Artifact is null || !File.Exists(view.Artifact.Path))
        {
            return (null, [new DocumentProblem(Field, $"Run '{source}' succeeded, but its model file {view.Artifact?.Path ?? "(none recorded)"} is missing.")]);
        }

        return (view, []);
    }

    private static List<DocumentProblem> CheckAgainstRun(ModelRegistrationRequest request, ExperimentRunView run)
    {
        var problems = new List<DocumentProblem>();
        var name = run.Summary.Name;
        if (!request.Framework.Equals(run.Framework, StringComparison.OrdinalIgnoreCase)
            && !request.Framework.Equals(run.Summary.Trainer, StringComparison.OrdinalIgnoreCase))
        {
            problems.Add(new DocumentProblem("framework",
                $"'{request.Framework}' does not match run '{name}', which trained {run.Summary.Model} (framework {run.Framework})."));
        }

        var numeric = run.NumericFeatures.ToHashSet(StringComparer.Ordinal);
        var categorical = run.CategoricalFeatures.ToHashSet(StringComparer.Ordinal);
        foreach (var input in request.InputSchema)
        {
            if (numeric.Contains(input.Name))
            {
                if (!input.IsNumeric)
                {
                    problems.Add(new DocumentProblem($"input_schema.{input.Name}",
                        $"is declared {input.TypeName}, but run '{name}' used it as a number: declare int, float or bool."));
                }
            }
            else if (categorical.Contains(input.Name))
            {
                if (input.IsNumeric)
                {
                    problems.Add(new DocumentProblem($"input_schema.{input.Name}",
                        $"is declared {input.TypeName}, but run '{name}' used it as a category: declare string."));
                }
            }
        }

        var declared = request.InputSchema.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var missing = run.NumericFeatures.Concat(run.CategoricalFeatures).Where(f => !declared.Contains(f)).ToArray();
        if (missing.Length > 0)
        {
            problems.Add(new DocumentProblem("input_schema",
                $"lacks {string.Join(", ", missing)}, which run '{name}' trained on; the model needs every input it was trained with."));
        }

        return problems;
    }

    private async Task<List<DocumentProblem>> WarningsAsync(ModelRegistrationRequest request, ExperimentRunView run, CancellationToken cancellationToken)
    {
        var warnings = new List<DocumentProblem>();
        var trained = run.NumericFeatures.Concat(run.CategoricalFeatures).ToHashSet(StringComparer.Ordinal);
        foreach (var input in request.InputSchema.Where(i => !trained.Contains(i.Name)))
        {
            // The serving contract may carry more than the model reads (the demo leaves out the column its label is
            // computed from): such inputs are still required, checked and logged, so monitors can watch them.
            warnings.Add(new DocumentProblem($"input_schema.{input.Name}",
                $"is not a feature of run '{run.Summary.Name}' (it trained on {string.Join(", ", trained)}): requests must still carry it and it is "
                + "checked and logged with each prediction, but the model does not read it."));
        }

        var measured = RunMetrics(run);
        foreach (var (metric, given) in request.Metrics)
        {
            if (s_measured.TryGetValue(metric, out var key) && measured.GetValueOrDefault(key) is { } actual && Math.Abs(given - actual) > MetricTolerance)
            {
                warnings.Add(new DocumentProblem($"metrics.{metric}",
                    string.Create(CultureInfo.InvariantCulture,
                        $"registered as {given:0.###}, but run '{run.Summary.Name}' measured {actual:0.###} on {run.Summary.TestRows:N0} held-out rows; both are kept.")));
            }
        }

        if (request.FeatureSet is { } featureSet)
        {
            var group = await features.GetAsync(featureSet, cancellationToken).ConfigureAwait(false);
            if (group is null)
            {
                warnings.Add(new DocumentProblem("feature_set",
                    $"no feature group is named '{featureSet}' yet; requests carrying only the entity key answer 404 until it is synced."));
            }
            else
            {
                var columns = group.Schema.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var absent = request.InputSchema.Where(i => !columns.Contains(i.Name)).Select(i => i.Name).ToArray();
                if (absent.Length > 0)
                {
                    warnings.Add(new DocumentProblem("feature_set",
                        $"feature group '{featureSet}' has no column {string.Join(", ", absent)}; online lookups cannot fill those inputs."));
                }
            }
        }

        if (!_runtimes.Any(r => r.Frameworks.Contains(request.Framework, StringComparer.OrdinalIgnoreCase)))
        {
            warnings.Add(new DocumentProblem("framework",
                $"no loaded serving runtime loads '{request.Framework}'; the version is registered but cannot be deployed until one is."));
        }

        return warnings;
    }

    private static Dictionary<string, double?> RunMetrics(ExperimentRunView run) => new(StringComparer.Ordinal)
    {
        ["auc"] = run.Summary.Auc,
        ["precision"] = run.Summary.Precision,
        ["recall"] = run.Summary.Recall,
        ["f1"] = run.Summary.F1,
        ["accuracy"] = run.Summary.Accuracy,
        ["log_loss"] = run.Summary.LogLoss,
        ["training_seconds"] = run.Summary.TrainingSeconds,
        ["train_rows"] = run.Summary.TrainRows,
        ["test_rows"] = run.Summary.TestRows,
    };

    /// <summary>The registration's content, part by part, in a canonical form: equal parts mean an identical registration.</summary>
    private static Dictionary<string, string> Parts(Guid runId, string framework, IReadOnlyDictionary<string, double> metrics, string? featureSet,
        IReadOnlyList<InputFeature> inputs, IReadOnlyDictionary<string, string> tags, string? description) => new(StringComparer.Ordinal)
    {
        ["source_experiment"] = runId.ToString("N"),
        ["framework"] = framework,
        ["metrics"] = JsonSerializer.Serialize(new SortedDictionary<string, double>(metrics.ToDictionary(), StringComparer.Ordinal)),
        ["feature_set"] = featureSet ?? "",
        ["input_schema"] = JsonSerializer.Serialize(inputs.Select(i => new[] { i.Name, i.TypeName })),
        ["tags"] = JsonSerializer.Serialize(new SortedDictionary<string, string>(tags.ToDictionary(), StringComparer.Ordinal)),
        ["description"] = description ?? "",
    };

    private static Dictionary<string, string> Parts(ModelVersionRecord record) => Parts(
        record.RunId, record.Framework, JsonSerializer.Deserialize<Dictionary<string, double>>(record.MetricsJson)!, record.FeatureSet,
        Inputs(record.InputSchemaJson), JsonSerializer.Deserialize<Dictionary<string, string>>(record.TagsJson)!, record.Description);

    private static string Hash(Dictionary<string, string> parts)
    {
        var text = string.Join("\n", parts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static InputFeature[] Inputs(string json) =>
        JsonSerializer.Deserialize<string[][]>(json)!.Select(p => new InputFeature(p[0], Names.TryParseInputType(p[1], out var t) ? t : InputFeatureType.Float)).ToArray();

    private static async Task<(string Path, string Sha256, long Bytes)> CopyArtifactAsync(string source, string target, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        string sha256;
        await using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true))
        await using (var output = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[81920];
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.AppendData(buffer, 0, read);
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            sha256 = Convert.ToHexStringLower(hasher.GetHashAndReset());
        }

        // Deployments never see a half-copied model.
        File.Move(partial, target, overwrite: true);
        return (target, sha256, new FileInfo(target).Length);
    }

    private static ModelStageChangeRecord Change(ModelVersionRecord record, string to, string? reason, string by, DateTimeOffset at) => new()
    {
        ModelName = record.ModelName,
        Version = record.Version,
        FromStage = record.Stage,
        ToStage = to,
        Reason = reason,
        ChangedBy = by,
        ChangedAt = at,
    };

    /// <summary>Now, to the millisecond: what the metadata store keeps, so a version reads back equal to what was returned.</summary>
    private DateTimeOffset Now()
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    private static SemanticVersion? Semver(string version) => SemanticVersion.TryParse(version, out var parsed) ? parsed : null;

    private static ModelVersionView View(ModelVersionRecord r) => new(
        r.ModelName,
        r.Version,
        r.Stage,
        r.Framework,
        new ModelSource(r.Experiment, r.SourceRun, r.RunId, r.Trainer, r.Label),
        JsonSerializer.Deserialize<Dictionary<string, double>>(r.MetricsJson)!,
        JsonSerializer.Deserialize<Dictionary<string, double?>>(r.RunMetricsJson)!,
        r.FeatureSet,
        Inputs(r.InputSchemaJson),
        JsonSerializer.Deserialize<string[]>(r.NumericFeatures)!,
        JsonSerializer.Deserialize<string[]>(r.CategoricalFeatures)!,
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.TagsJson)!,
        r.Description,
        new ModelArtifactFile(r.ArtifactPath, r.ArtifactSha256, r.ArtifactBytes),
        new TrainingData(r.TrainingTable, r.TrainingRows, r.TrainingContentHash),
        JsonSerializer.Deserialize<DocumentProblem[]>(r.WarningsJson, s_json)!,
        r.RegisteredBy,
        r.RegisteredAt,
        r.StageChangedAt);
}
