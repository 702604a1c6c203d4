using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Matih.Core.Connections;
using Matih.Core.Hosting;
using Matih.Core.Metadata;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Matih.Sdk.Training;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Experiments;

/// <summary>
/// Experiment tracking: queues training runs as background jobs, runs them (read the feature table, split, train
/// with the trainer plugin, measure on the held-out rows, save the model), and answers the comparison table.
/// One run trains at a time so each fit has the machine's cores to itself.
/// </summary>
public sealed class ExperimentRuns(
    IDbContextFactory<MetadataDbContext> contexts,
    IEnumerable<ITrainer> trainers,
    DuckDbWarehouse warehouse,
    MatihOptions options,
    IBackgroundJobClient jobs,
    TimeProvider clock,
    ILogger<ExperimentRuns> log)
{
    /// <summary>Largest page of runs.</summary>
    public const int MaxPageSize = 500;

    private const string Queued = "queued";
    private const string Running = "running";
    private static readonly string[] s_active = [Queued, Running];
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, (string Key, Expression<Func<ExperimentRunRecord, object?>> By)> s_sorts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["queued_at"] = ("queued_at", r => r.QueuedAt),
        ["name"] = ("name", r => r.Name),
        ["trainer"] = ("trainer", r => r.Trainer),
        ["model"] = ("model", r => r.Model),
        ["state"] = ("state", r => r.State),
        ["features"] = ("features", r => r.FeatureCount),
        ["auc"] = ("auc", r => r.Auc),
        ["precision"] = ("precision", r => r.Precision),
        ["recall"] = ("recall", r => r.Recall),
        ["f1"] = ("f1", r => r.F1),
        ["accuracy"] = ("accuracy", r => r.Accuracy),
        ["log_loss"] = ("log_loss", r => r.LogLoss),
        ["training_time"] = ("training_time", r => r.TrainingSeconds),
        ["training_seconds"] = ("training_time", r => r.TrainingSeconds),
    };

    private readonly ITrainer[] _trainers = trainers.ToArray();
    private readonly SemaphoreSlim _trainingSlot = new(1, 1);
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<Guid, (string Stage, double Progress)> _live = new();

    /// <summary>The trainers runs can use.</summary>
    public IReadOnlyList<ITrainer> Trainers => _trainers;

    /// <summary>Threads each fit may use; defaults to every core.</summary>
    public int TrainingThreads { get; init; } = Environment.ProcessorCount;

    /// <summary>Where run <paramref name="run"/> of <paramref name="experiment"/> keeps its model.</summary>
    public string ArtifactPath(string experiment, string run) =>
        Path.Combine(options.DataPath, "artifacts", "experiments", experiment, run, "model.zip");

    /// <summary>Checks the request and queues the run. Problems and name conflicts are answers, not exceptions.</summary>
    public async Task<ExperimentRunStart> StartAsync(string experiment, JsonNode? document, string? user, CancellationToken cancellationToken)
    {
        if (!ExperimentRunRequests.IsValidName(experiment))
        {
            return new ExperimentRunStart(null, null, [new DocumentProblem("experiment", $"'{experiment}' is not an experiment name: use {ExperimentRunRequests.NameRule}.")], null);
        }

        var (request, problems) = await ExperimentRunRequests.CheckAsync(document, _trainers, warehouse, cancellationToken).ConfigureAwait(false);
        if (request is null)
        {
            return new ExperimentRunStart(null, null, problems, null);
        }

        var trainer = _trainers.Single(t => t.Id == request.Trainer);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Set<ExperimentRunRecord>().AnyAsync(r => r.Experiment == experiment && r.Name == request.Name, cancellationToken).ConfigureAwait(false))
        {
            return new ExperimentRunStart(null, null, [], $"Experiment '{experiment}' already has a run named '{request.Name}'; runs are kept as recorded, so choose another name.");
        }

        var now = clock.GetUtcNow();
        var by = string.IsNullOrEmpty(user) ? "system" : user;
        if (await db.Set<ExperimentRecord>().FindAsync([experiment], cancellationToken).ConfigureAwait(false) is null)
        {
            db.Add(new ExperimentRecord { Name = experiment, CreatedBy = by, CreatedAt = now });
        }

        var run = new ExperimentRunRecord
        {
            Id = Guid.NewGuid(),
            Experiment = experiment,
            Name = request.Name,
            Trainer = trainer.Id,
            Model = trainer.DisplayName,
            Framework = trainer.Framework,
            Table = request.Table.ToString(),
            Label = request.Label,
            NumericFeatures = JsonSerializer.Serialize(request.NumericFeatures),
            CategoricalFeatures = JsonSerializer.Serialize(request.CategoricalFeatures),
            FeatureCount = request.NumericFeatures.Count + request.CategoricalFeatures.Count,
            Params = request.Params.ToJsonString(),
            Hyperparameters = ExperimentRunRequests.Resolve(trainer, request.Params).ToJsonString(),
            Split = JsonSerializer.Serialize(request.Split, s_json),
            Tags = JsonSerializer.Serialize(request.Tags),
            State = Queued,
            Stage = "queued",
            CreatedBy = by,
            QueuedAt = now,
        };
        db.Add(run);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Two requests raced for the same name (or experiment); the unique index let one through.
            if (await NameTakenAsync(experiment, request.Name, cancellationToken).ConfigureAwait(false))
            {
                return new ExperimentRunStart(null, null, [], $"Experiment '{experiment}' already has a run named '{request.Name}'.");
            }

            throw;
        }

        jobs.Enqueue<ExperimentRunJob>(job => job.RunAsync(run.Id, CancellationToken.None));
        log.LogInformation("Queued run {Run} of experiment {Experiment}: {Trainer} on {Table}", run.Name, experiment, trainer.Id, run.Table);
        return new ExperimentRunStart(run.Id, Queued, [], null);
    }

    /// <summary>Experiments with their run counts and best AUC, newest activity first.</summary>
    public async Task<IReadOnlyList<ExperimentSummary>> ListExperimentsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var experiments = await db.Set<ExperimentRecord>().AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var summaries = await SummarizeAsync(experiments, cancellationToken).ConfigureAwait(false);
        return summaries.OrderByDescending(s => s.LastRunAt ?? s.CreatedAt).ToArray();
    }

    /// <summary>
    /// The summaries (run counts, best AUC, last run) of <paramref name="experiments"/>, in their order: list routes page
    /// the experiments in the database and summarize only the page.
    /// </summary>
    public async Task<IReadOnlyList<ExperimentSummary>> SummarizeAsync(IReadOnlyList<ExperimentRecord> experiments, CancellationToken cancellationToken)
    {
        if (experiments.Count == 0)
        {
            return [];
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var names = experiments.Select(e => e.Name).ToArray();
        var stats = await db.Set<ExperimentRunRecord>().AsNoTracking()
            .Where(r => names.Contains(r.Experiment))
            .GroupBy(r => r.Experiment)
            .Select(g => new
            {
                Experiment = g.Key,
                Runs = g.Count(),
                Succeeded = g.Count(r => r.State == "succeeded"),
                Active = g.Count(r => r.State == Queued || r.State == Running),
                BestAuc = g.Max(r => r.Auc),
            })
            .ToDictionaryAsync(s => s.Experiment, cancellationToken).ConfigureAwait(false);

        var summaries = new List<ExperimentSummary>();
        foreach (var experiment in experiments)
        {
            var stat = stats.GetValueOrDefault(experiment.Name);
            var best = stat?.BestAuc is { } auc
                ? await db.Set<ExperimentRunRecord>().AsNoTracking().Where(r => r.Experiment == experiment.Name && r.Auc == auc)
                    .Select(r => r.Name).FirstAsync(cancellationToken).ConfigureAwait(false)
                : null;
            // SQLite cannot take the max of a converted DateTimeOffset in SQL; the newest run is one indexed lookup.
            var last = await db.Set<ExperimentRunRecord>().AsNoTracking().Where(r => r.Experiment == experiment.Name)
                .OrderByDescending(r => r.QueuedAt).Select(r => (DateTimeOffset?)r.QueuedAt).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            summaries.Add(new ExperimentSummary(experiment.Name, stat?.Runs ?? 0, stat?.Succeeded ?? 0, stat?.Active ?? 0, experiment.CreatedAt, last, stat?.BestAuc, best));
        }

        return summaries;
    }

    /// <summary>A page of an experiment's runs; null when there is no such experiment.</summary>
    /// <param name="experiment">The experiment.</param>
    /// <param name="page">1-based.</param>
    /// <param name="pageSize">1..<see cref="MaxPageSize"/>.</param>
    /// <param name="sort">A column (<c>auc</c>, <c>f1</c>, <c>training_time</c>, <c>queued_at</c>, ...); null = newest first.</param>
    /// <param name="order"><c>asc</c> or <c>desc</c>; null = desc for figures and dates, asc for names.</param>
    /// <param name="cancellationToken">Stops the query.</param>
    /// <exception cref="ArgumentException">An unknown sort column or order; the message names the parameter.</exception>
    public async Task<ExperimentRunPage?> ListRunsAsync(string experiment, int page, int pageSize, string? sort, string? order, CancellationToken cancellationToken)
    {
        var key = (sort ?? "queued_at").Replace("-", "_", StringComparison.Ordinal);
        if (!s_sorts.TryGetValue(key, out var by))
        {
            throw new ArgumentException($"sort: '{sort}' is not a run column; use one of {string.Join(", ", s_sorts.Keys.Where(k => k != "training_seconds"))}.");
        }

        var descending = order?.ToLowerInvariant() switch
        {
            null => by.Key is not ("name" or "trainer" or "model" or "state" or "log_loss"),
            "desc" => true,
            "asc" => false,
            _ => throw new ArgumentException($"order: '{order}' must be asc or desc."),
        };
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);

        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        if (await db.Set<ExperimentRecord>().FindAsync([experiment], cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var runs = db.Set<ExperimentRunRecord>().AsNoTracking().Where(r => r.Experiment == experiment);
        var total = await runs.CountAsync(cancellationToken).ConfigureAwait(false);
        var sorted = descending
            ? runs.OrderByDescending(by.By).ThenByDescending(r => r.QueuedAt)
            : runs.OrderBy(by.By).ThenBy(r => r.QueuedAt);
        var items = await sorted.Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        return new ExperimentRunPage(total, page, pageSize, by.Key, descending ? "desc" : "asc", items.Select(Summary).ToArray());
    }

    /// <summary>One run by name or id, with curves and importances; null when unknown.</summary>
    public async Task<ExperimentRunView?> GetRunAsync(string experiment, string run, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = await Find(db, experiment, run).AsNoTracking().SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        var details = await db.Set<ExperimentRunDetailsRecord>().AsNoTracking().SingleOrDefaultAsync(d => d.RunId == record.Id, cancellationToken).ConfigureAwait(false);
        return View(record, details);
    }

    /// <summary>
    /// Runs of any experiment with this name, newest first: the registry's <c>source_experiment</c> names a run
    /// without its experiment. Empty when none; more than one when experiments reuse a run name.
    /// </summary>
    public async Task<IReadOnlyList<ExperimentRunView>> FindRunsByNameAsync(string runName, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var records = await db.Set<ExperimentRunRecord>().AsNoTracking().Where(r => r.Name == runName)
            .OrderByDescending(r => r.QueuedAt).Take(20).ToListAsync(cancellationToken).ConfigureAwait(false);
        var ids = records.Select(r => r.Id).ToArray();
        var details = await db.Set<ExperimentRunDetailsRecord>().AsNoTracking().Where(d => ids.Contains(d.RunId))
            .ToDictionaryAsync(d => d.RunId, cancellationToken).ConfigureAwait(false);
        return records.Select(r => View(r, details.GetValueOrDefault(r.Id))).ToArray();
    }

    /// <summary>Asks a queued or running run to stop. False when there is no such run or it has ended.</summary>
    public async Task<bool> CancelAsync(string experiment, string run, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = await Find(db, experiment, run).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (record is null || !s_active.Contains(record.State))
        {
            return false;
        }

        if (_running.TryGetValue(record.Id, out var running))
        {
            await running.CancelAsync().ConfigureAwait(false);
            return true;
        }

        record.State = "cancelled";
        record.Stage = null;
        record.EndedAt = clock.GetUtcNow();
        record.Error = "Cancelled before it started.";
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Runs a queued run (the Hangfire job's body). Does nothing for a run that is not queued.</summary>
    public async Task ExecuteAsync(Guid runId, CancellationToken stopping)
    {
        ExperimentRunRecord run;
        await using (var db = await contexts.CreateDbContextAsync(stopping).ConfigureAwait(false))
        {
            // Claim the run atomically, so a job enqueued twice (recovery, retries) trains it once.
            var now = clock.GetUtcNow();
            var claimed = await db.Set<ExperimentRunRecord>().Where(r => r.Id == runId && r.State == Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, Running).SetProperty(r => r.StartedAt, now).SetProperty(r => r.Stage, "waiting"), stopping)
                .ConfigureAwait(false);
            if (claimed == 0)
            {
                return;
            }

            run = await db.Set<ExperimentRunRecord>().AsNoTracking().SingleAsync(r => r.Id == runId, stopping).ConfigureAwait(false);
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _running[runId] = cancel;
        _live[runId] = ("waiting", 0);
        try
        {
            await TrainAsync(run, cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            await FinishAsync(runId, "cancelled", "Cancelled by a user.").ConfigureAwait(false);
            log.LogInformation("Run {Run} of {Experiment} was cancelled", run.Name, run.Experiment);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host is stopping: queue the run again so the next start trains it from the beginning.
            await UpdateAsync(runId, r =>
            {
                r.State = Queued;
                r.Stage = "queued";
                r.Progress = 0;
                r.Error = "The host stopped during the run; it starts again at the next start.";
            }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TrainingDataException or ArgumentException)
        {
            // The data or the request cannot be trained on; trying again would not help.
            await FinishAsync(runId, "failed", Sentence(e.Message)).ConfigureAwait(false);
            log.LogWarning("Run {Run} of {Experiment} failed: {Reason}", run.Name, run.Experiment, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await FinishAsync(runId, "failed", Sentence(e is AggregateException { InnerException: { } inner } ? inner.Message : e.Message)).ConfigureAwait(false);
            log.LogError(e, "Run {Run} of {Experiment} failed", run.Name, run.Experiment);
        }
        finally
        {
            _running.TryRemove(runId, out _);
            _live.TryRemove(runId, out _);
        }
    }

    /// <summary>Queues again the runs a stopped host left queued or running (called at start).</summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var runs = await db.Set<ExperimentRunRecord>().Where(r => s_active.Contains(r.State)).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var run in runs)
        {
            if (run.State == Running)
            {
                run.State = Queued;
                run.Stage = "queued";
                run.Progress = 0;
                run.Error = "The host stopped during the run; it was started again.";
            }
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var run in runs)
        {
            jobs.Enqueue<ExperimentRunJob>(job => job.RunAsync(run.Id, CancellationToken.None));
        }

        return runs.Count;
    }

    private async Task TrainAsync(ExperimentRunRecord run, CancellationToken cancellationToken)
    {
        var trainer = _trainers.FirstOrDefault(t => t.Id == run.Trainer)
            ?? throw new TrainingDataException($"The trainer '{run.Trainer}' is no longer loaded; see the Plugins page.");
        var request = Request(run);

        await _trainingSlot.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StageAsync(run.Id, "reading", 0).ConfigureAwait(false);
            var data = await TrainingDataReader.ReadAsync(warehouse, request, Scaled(run.Id, "reading", 0, 0.2), cancellationToken).ConfigureAwait(false);
            var (trainIndexes, testIndexes) = TrainingDataReader.Split(data.Rows.RowCount, request.Split);
            var train = TrainingDataReader.Take(data.Rows, trainIndexes);
            var test = TrainingDataReader.Take(data.Rows, testIndexes);

            await StageAsync(run.Id, "training", 0.2).ConfigureAwait(false);
            var parameters = JsonNode.Parse(run.Params)!.AsObject().ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value), StringComparer.Ordinal);
            var fit = Stopwatch.StartNew();
            var model = await trainer.TrainAsync(
                new TrainingRequest(train, parameters, request.Split.Seed, Math.Max(1, TrainingThreads)),
                Scaled(run.Id, "training", 0.2, 0.9),
                cancellationToken).ConfigureAwait(false);
            var trainingSeconds = fit.Elapsed.TotalSeconds;

            await StageAsync(run.Id, "evaluating", 0.9).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var metrics = ClassifierEvaluation.Evaluate(model.Score(test with { Label = null }), test.Label!);
            var importance = model.FeatureImportance().OrderByDescending(p => p.Value).ToDictionary(p => p.Key, p => p.Value);

            await StageAsync(run.Id, "saving", 0.95).ConfigureAwait(false);
            var path = ArtifactPath(run.Experiment, run.Name);
            var bytes = await SaveAsync(model, path, cancellationToken).ConfigureAwait(false);

            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None).ConfigureAwait(false);
            var record = await db.Set<ExperimentRunRecord>().SingleAsync(r => r.Id == run.Id).ConfigureAwait(false);
            record.State = "succeeded";
            record.Stage = null;
            record.Progress = 1;
            record.Error = null;
            record.EndedAt = clock.GetUtcNow();
            record.Auc = metrics.Auc;
            record.Precision = metrics.Precision;
            record.Recall = metrics.Recall;
            record.F1 = metrics.F1;
            record.Accuracy = metrics.Accuracy;
            record.LogLoss = metrics.LogLoss;
            record.TrainingSeconds = trainingSeconds;
            record.TrainRows = train.RowCount;
            record.TestRows = test.RowCount;
            db.Add(new ExperimentRunDetailsRecord
            {
                RunId = run.Id,
                Confusion = JsonSerializer.Serialize(metrics.Confusion, s_json),
                Roc = JsonSerializer.Serialize(metrics.Roc, s_json),
                PrecisionRecall = JsonSerializer.Serialize(metrics.PrecisionRecall, s_json),
                FeatureImportance = JsonSerializer.Serialize(importance),
                ArtifactPath = path,
                ArtifactBytes = bytes,
                SnapshotRows = data.RowsRead,
                SkippedRows = data.SkippedRows,
                ContentHash = data.ContentHash,
            });
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            log.LogInformation("Run {Run} of {Experiment} succeeded: AUC {Auc:F3} in {Seconds:F1} s on {Rows} rows",
                run.Name, run.Experiment, metrics.Auc, trainingSeconds, train.RowCount);
        }
        finally
        {
            _trainingSlot.Release();
        }
    }

    private static async Task<long> SaveAsync(ITrainedModel model, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var partial = path + ".partial";
        await using (var file = File.Create(partial))
        {
            await model.SaveAsync(file, cancellationToken).ConfigureAwait(false);
        }

        // A reader never sees a half-written model.
        File.Move(partial, path, overwrite: true);
        return new FileInfo(path).Length;
    }

    private IProgress<double> Scaled(Guid runId, string stage, double from, double to) =>
        new SynchronousProgress(fraction => _live[runId] = (stage, from + (to - from) * Math.Clamp(fraction, 0, 1)));

    private async Task StageAsync(Guid runId, string stage, double progress)
    {
        _live[runId] = (stage, progress);
        await UpdateAsync(runId, r =>
        {
            r.Stage = stage;
            r.Progress = progress;
        }).ConfigureAwait(false);
    }

    private Task FinishAsync(Guid runId, string state, string error) => UpdateAsync(runId, r =>
    {
        r.State = state;
        r.Stage = null;
        r.Error = error;
        r.EndedAt = clock.GetUtcNow();
    });

    private async Task UpdateAsync(Guid runId, Action<ExperimentRunRecord> change)
    {
        await using var db = await contexts.CreateDbContextAsync().ConfigureAwait(false);
        var record = await db.Set<ExperimentRunRecord>().SingleAsync(r => r.Id == runId).ConfigureAwait(false);
        change(record);
        await db.SaveChangesAsync().ConfigureAwait(false);
    }

    private async Task<bool> NameTakenAsync(string experiment, string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<ExperimentRunRecord>().AnyAsync(r => r.Experiment == experiment && r.Name == name, cancellationToken).ConfigureAwait(false);
    }

    private static IQueryable<ExperimentRunRecord> Find(MetadataDbContext db, string experiment, string run) =>
        Guid.TryParse(run, out var id)
            ? db.Set<ExperimentRunRecord>().Where(r => r.Experiment == experiment && r.Id == id)
            : db.Set<ExperimentRunRecord>().Where(r => r.Experiment == experiment && r.Name == run);

    private static ExperimentRunRequest Request(ExperimentRunRecord run) => new(
        run.Name,
        run.Trainer,
        TableRef.Parse(run.Table),
        run.Label,
        JsonSerializer.Deserialize<string[]>(run.NumericFeatures)!,
        JsonSerializer.Deserialize<string[]>(run.CategoricalFeatures)!,
        JsonNode.Parse(run.Params)!.AsObject(),
        JsonSerializer.Deserialize<RunSplit>(run.Split, s_json)!,
        JsonSerializer.Deserialize<Dictionary<string, string>>(run.Tags)!);

    private ExperimentRunSummary Summary(ExperimentRunRecord run)
    {
        var (stage, progress) = _live.TryGetValue(run.Id, out var live) && s_active.Contains(run.State) ? live : (run.Stage, run.Progress);
        return new ExperimentRunSummary(
            run.Id, run.Experiment, run.Name, run.Trainer, run.Model, run.State, stage, progress,
            JsonSerializer.Deserialize<string[]>(run.NumericFeatures)!.Concat(JsonSerializer.Deserialize<string[]>(run.CategoricalFeatures)!).ToArray(),
            run.Auc, run.Precision, run.Recall, run.F1, run.Accuracy, run.LogLoss, run.TrainingSeconds, run.TrainRows, run.TestRows,
            JsonSerializer.Deserialize<Dictionary<string, string>>(run.Tags)!, run.QueuedAt, run.StartedAt, run.EndedAt, run.Error);
    }

    private ExperimentRunView View(ExperimentRunRecord run, ExperimentRunDetailsRecord? details) => new(
        Summary(run),
        run.Framework,
        run.Table,
        run.Label,
        JsonSerializer.Deserialize<string[]>(run.NumericFeatures)!,
        JsonSerializer.Deserialize<string[]>(run.CategoricalFeatures)!,
        JsonNode.Parse(run.Params)!.AsObject(),
        JsonNode.Parse(run.Hyperparameters)!.AsObject(),
        JsonSerializer.Deserialize<RunSplit>(run.Split, s_json)!,
        details?.Confusion is { } confusion ? JsonSerializer.Deserialize<ConfusionMatrix>(confusion, s_json) : null,
        details?.Roc is { } roc ? JsonSerializer.Deserialize<RocPoint[]>(roc, s_json)! : [],
        details?.PrecisionRecall is { } pr ? JsonSerializer.Deserialize<PrecisionRecallPoint[]>(pr, s_json)! : [],
        details?.FeatureImportance is { } importance ? JsonSerializer.Deserialize<Dictionary<string, double>>(importance)! : new Dictionary<string, double>(),
        details?.ArtifactPath is { } path ? new RunArtifact(path, details.ArtifactBytes ?? 0, run.Framework) : null,
        new DataSnapshot(run.Table, details?.SnapshotRows, details?.SkippedRows, details?.ContentHash),
        run.CreatedBy);

    private static string Sentence(string message) => message.EndsWith('.') ? message : message + ".";

    /// <summary>Progress reported on the caller's thread, not posted to a synchronization context.</summary>
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}

/// <summary>The Hangfire job for one run: takes the run id and calls the engine.</summary>
public sealed class ExperimentRunJob(ExperimentRuns runs)
{
    /// <summary>Trains the run. A failed run is recorded as failed, not retried: the data would fail again.</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(Guid runId, CancellationToken cancellationToken) => runs.ExecuteAsync(runId, cancellationToken);
}
