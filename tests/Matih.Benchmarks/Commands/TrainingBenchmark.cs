using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.InMemory;
using Matih.Core.Demo;
using Matih.Core.Experiments;
using Matih.Core.Hosting;
using Matih.Core.Query;
using Matih.Plugins.MlNet;
using Matih.Plugins.SourceFaker;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Matih.Sdk.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Microsoft.ML.Transforms;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// <c>training</c>: the demo's three churn runs (logistic regression, random forest, LightGBM, with the demo's
/// hyperparameters) on the churn training set at a scale, through Matih's experiment engine (read from the
/// warehouse, split, fit, evaluate, save), side by side with the same algorithms in a bare ML.NET pipeline on the same
/// rows. The seed reports 12 s / 2m 18s / 4m 42s; the issue's target is LightGBM under 60 s on 2 cores. The NovaMart
/// data is generated once into a folder that is reused (the same folder <c>churn-sql</c> uses).
/// </summary>
public sealed class TrainingBenchmark : IBenchmarkCommand
{
    private const string NumbersColumn = "Numbers";
    private const string CategoriesColumn = "Categories";

    /// <inheritdoc />
    public string Name => "training";

    /// <inheritdoc />
    public string Description => "The demo's LR / random forest / LightGBM churn runs via the experiment engine vs bare ML.NET; times and AUCs.";

    /// <inheritdoc />
    public string Usage => "[--scale 1.0] [--data DIR (kept between runs)] [--threads 2] [--features demo|all] [--trainers logistic_regression,random_forest,lightgbm] [--bare true]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var scale = options.Number("scale", 1.0);
        var threads = (int)options.Integer("threads", Environment.ProcessorCount);
        var featureSet = options.Text("features") ?? "demo";
        var bare = options.Text("bare") is not ("false" or "no" or "0");
        var chosen = (options.Text("trainers") ?? string.Join(",", DemoExperiments.Runs.Select(r => r.Trainer))).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var data = options.Text("data") ?? Path.Combine(Path.GetTempPath(), $"matih-churn-{scale.ToString(CultureInfo.InvariantCulture)}");
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        if (featureSet is not ("demo" or "all") || threads < 1)
        {
            throw new ArgumentException($"--features is demo or all and --threads at least 1. {Usage}");
        }

        if (chosen.FirstOrDefault(t => DemoExperiments.Runs.All(r => r.Trainer != t)) is { } other)
        {
            throw new ArgumentException($"--trainers: '{other}' is not one of the demo's trainers ({string.Join(", ", DemoExperiments.Runs.Select(r => r.Trainer))}).");
        }

        // What the user exported, if anything: the mlnet plugin sets PASSIVE itself when nothing was chosen.
        var chosenPolicy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        using var stores = new BenchStores(data);
        await PrepareAsync(stores, scale, cancellationToken);

        var services = new ServiceCollection();
        new MlNetPlugin().Register(services, new ConfigurationBuilder().Build());
        Console.WriteLine($"OpenMP wait policy: {Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")} ({(chosenPolicy is null ? "set by the mlnet plugin" : "exported by the user")})");
        using var plugins = services.BuildServiceProvider();
        using var jobs = new InMemoryStorage();
        var runs = new ExperimentRuns(stores.Contexts, plugins.GetServices<ITrainer>(), stores.Warehouse, new MatihOptions { DataDirectory = data },
            new BackgroundJobClient(jobs), TimeProvider.System, NullLogger<ExperimentRuns>.Instance)
        {
            TrainingThreads = threads,
        };
        var saved = new SavedQueries(stores.Contexts, TimeProvider.System);
        await ChurnFeatureQuery.EnsureSavedAsync(saved, cancellationToken);
        var demo = new DemoExperiments(stores.Queries, saved, runs, stores.Warehouse, NullLogger<DemoExperiments>.Instance);

        var clock = Stopwatch.StartNew();
        var written = await stores.Queries.RunAsync(await demo.TrainingSetSqlAsync(cancellationToken), new SqlCaller("bench", Matih.Core.Users.Role.Analyst), 1, cancellationToken);
        if (written.Fault is { } fault)
        {
            throw new InvalidOperationException($"Writing {DemoExperiments.Table} failed: {fault.Message}");
        }

        var schema = (await stores.Warehouse.GetSchemaAsync(DemoExperiments.Table, cancellationToken))!;
        var features = featureSet == "demo"
            ? DemoExperiments.Features.ToArray()
            : schema.Columns.Where(c => c.Name is not ("customer_id" or DemoExperiments.Label) && (c.Type.IsNumeric() || c.Type == ColumnType.String)).Select(c => c.Name).ToArray();
        var categorical = features.Where(f => schema.Find(f)!.Type == ColumnType.String).ToArray();
        var numeric = features.Except(categorical).ToArray();
        var rows = Convert.ToInt64((await stores.Warehouse.QueryAsync($"SELECT count(*) FROM {DemoExperiments.Table}", cancellationToken)).Rows[0][0], CultureInfo.InvariantCulture);
        Console.WriteLine($"Wrote {DemoExperiments.Table} ({rows:N0} rows) from {ChurnFeatureQuery.Name} in {clock.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"Features ({features.Length}): {string.Join(", ", features)}; label {DemoExperiments.Label}; {threads} thread(s); 20% held out (seed 42)");

        var experiment = $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        var results = new List<(string Trainer, double Fit, double Run, double? Auc, double? BareFit, double? BareAuc, string Seed)>();
        string[] seed = ["12s (0.823)", "2m 18s (0.856)", "4m 42s (0.871)"];
        foreach (var (run, seedFigures) in DemoExperiments.Runs.Zip(seed).Where(r => chosen.Contains(r.First.Trainer)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var document = DemoExperiments.Document(run);
            document["features"] = new JsonArray(features.Select(f => (JsonNode)f).ToArray());
            var started = await runs.StartAsync(experiment, document, "bench", cancellationToken);
            if (started.RunId is not { } id)
            {
                throw new InvalidOperationException(string.Join("; ", started.Problems.Select(p => $"{p.Path}: {p.Message}")) + started.Conflict);
            }

            var wall = Stopwatch.StartNew();
            await runs.ExecuteAsync(id, cancellationToken);
            var seconds = wall.Elapsed.TotalSeconds;
            var view = (await runs.GetRunAsync(experiment, id.ToString(), cancellationToken))!.Summary;
            if (view.State != "succeeded")
            {
                throw new InvalidOperationException($"{run.Name} {view.State}: {view.Error}");
            }

            Console.WriteLine($"Matih {run.Trainer}: fit {view.TrainingSeconds:F1} s, whole run {seconds:F1} s, AUC {view.Auc:F3}");
            double? bareFit = null, bareAuc = null;
            if (bare)
            {
                (bareFit, bareAuc) = await BareAsync(stores, run, numeric, categorical, threads, cancellationToken);
                Console.WriteLine($"bare ML.NET {run.Trainer}: fit {bareFit:F1} s, AUC {bareAuc:F3}");
            }

            results.Add((run.Trainer, view.TrainingSeconds!.Value, seconds, view.Auc, bareFit, bareAuc, seedFigures));
        }

        Console.WriteLine();
        Console.WriteLine($"churn training at scale {scale.ToString(CultureInfo.InvariantCulture)} ({rows:N0} rows x {features.Length} features, {threads} threads)");
        Console.WriteLine($"{"trainer",-22} {"Matih fit",10} {"Matih run",10} {"AUC",7} {"ML.NET fit",11} {"AUC",7}   seed");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Trainer,-22} {r.Fit,9:F1}s {r.Run,9:F1}s {r.Auc,7:F3} {(r.BareFit is { } f ? f.ToString("F1", CultureInfo.InvariantCulture) + "s" : "-"),11} {(r.BareAuc is { } a ? a.ToString("F3", CultureInfo.InvariantCulture) : "-"),7}   {r.Seed}"));
        }

        Console.WriteLine("Matih fit = the trainer's fit (the run's training_time); Matih run = read from the warehouse, split, fit, evaluate on held-out rows, save the model.");
        return 0;
    }

    private static async Task PrepareAsync(BenchStores stores, double scale, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        IConnector faker = new FakerConnector(new FakerSettings());
        var demo = new NovaMartDemo(stores.Warehouse, [faker], stores.Datasets, stores.Lineage, NullLogger<NovaMartDemo>.Instance);
        // Does nothing when the folder already holds NovaMart (at whatever scale it was generated).
        var result = await demo.LoadAsync(scale, 42, cancellationToken);
        Console.WriteLine(result.Loaded
            ? $"Generated and loaded NovaMart at scale {scale} into {stores.Folder} in {clock.Elapsed.TotalSeconds:F1} s: {result.Rows.Values.Sum():N0} rows"
            : $"Reusing the NovaMart data in {stores.Folder}");
    }

    /// <summary>
    /// The same rows, algorithm, hyperparameters and thread count in a plain ML.NET pipeline: one-hot encoding of the
    /// categories, and for logistic regression mean imputation and scaling. Only the fit is timed.
    /// </summary>
    private static async Task<(double Fit, double Auc)> BareAsync(BenchStores stores, DemoRun run, string[] numeric, string[] categorical, int threads, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(stores, numeric, categorical, cancellationToken);
        var ml = new MLContext(seed: 42);
        var definition = SchemaDefinition.Create(typeof(ChurnRow));
        definition[nameof(ChurnRow.Numbers)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, numeric.Length);
        definition[nameof(ChurnRow.Categories)].ColumnType = new VectorDataViewType(TextDataViewType.Instance, Math.Max(1, categorical.Length));
        var data = ml.Data.LoadFromEnumerable(rows, definition);
        var split = ml.Data.TrainTestSplit(data, 0.2, seed: 42);

        IEstimator<ITransformer> prepare = ml.Transforms.Categorical.OneHotEncoding("CategoryVector", CategoriesColumn);
        var numbers = NumbersColumn;
        if (run.Trainer == "logistic_regression")
        {
            prepare = prepare
                .Append(ml.Transforms.ReplaceMissingValues("NumbersFilled", NumbersColumn, MissingValueReplacingEstimator.ReplacementMode.Mean))
                .Append(ml.Transforms.NormalizeMeanVariance("NumbersScaled", "NumbersFilled"));
            numbers = "NumbersScaled";
        }

        prepare = prepare.Append(ml.Transforms.Concatenate("Features", categorical.Length > 0 ? [numbers, "CategoryVector"] : [numbers]));
        var p = run.Params;
        IEstimator<ITransformer> trainer = run.Trainer switch
        {
            "logistic_regression" => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
            {
                L1Regularization = 0,
                L2Regularization = 1,
                MaximumNumberOfIterations = 100,
                OptimizationTolerance = 1e-7f,
                NumberOfThreads = threads,
            }),
            "random_forest" => ml.BinaryClassification.Trainers.FastForest(new FastForestBinaryTrainer.Options
            {
                NumberOfTrees = 100,
                NumberOfLeaves = 32,
                MinimumExampleCountPerLeaf = 10,
                FeatureFraction = 0.7,
                BaggingExampleFraction = 0.7,
                NumberOfThreads = threads,
                Seed = 42,
            }),
            "lightgbm" => ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
            {
                NumberOfIterations = p["num_iterations"]?.GetValue<int>() ?? 100,
                NumberOfLeaves = p["num_leaves"]?.GetValue<int>() ?? 31,
                LearningRate = p["learning_rate"]?.GetValue<double>() ?? 0.1,
                MinimumExampleCountPerLeaf = 20,
                NumberOfThreads = threads,
                Seed = 42,
                HandleMissingValue = true,
                Silent = true,
                Booster = new GradientBooster.Options { L2Regularization = 0.01 },
            }),
            _ => throw new ArgumentException($"No bare pipeline for {run.Trainer}."),
        };

        var clock = Stopwatch.StartNew();
        var model = prepare.Append(trainer).Fit(split.TrainSet);
        var fit = clock.Elapsed.TotalSeconds;
        var scored = model.Transform(split.TestSet);
        var auc = run.Trainer == "random_forest"
            ? ml.BinaryClassification.EvaluateNonCalibrated(scored).AreaUnderRocCurve
            : ml.BinaryClassification.Evaluate(scored).AreaUnderRocCurve;
        return (fit, auc);
    }

    private static async Task<List<ChurnRow>> ReadAsync(BenchStores stores, string[] numeric, string[] categorical, CancellationToken cancellationToken)
    {
        var columns = numeric.Select(n => $"CAST({TableRef.Quote(n)} AS DOUBLE)")
            .Concat(categorical.Select(c => $"CAST({TableRef.Quote(c)} AS VARCHAR)"))
            .Append(DemoExperiments.Label);
        var rows = new List<ChurnRow>();
        using var connection = stores.Warehouse.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", columns)} FROM {DemoExperiments.Table} WHERE {DemoExperiments.Label} IS NOT NULL";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new float[numeric.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? float.NaN : (float)reader.GetDouble(i);
            }

            var categories = new string[Math.Max(1, categorical.Length)];
            Array.Fill(categories, "");
            for (var i = 0; i < categorical.Length; i++)
            {
                categories[i] = reader.IsDBNull(numeric.Length + i) ? "" : reader.GetString(numeric.Length + i);
            }

            rows.Add(new ChurnRow
            {
                Numbers = values,
                Categories = categories,
                Label = Convert.ToInt64(reader.GetValue(numeric.Length + categorical.Length), CultureInfo.InvariantCulture) == 1,
            });
        }

        return rows;
    }

    /// <summary>One row for ML.NET: numeric features as a vector, categorical ones as a text vector, the label.</summary>
    private sealed class ChurnRow
    {
        public float[] Numbers { get; set; } = [];

        public string[] Categories { get; set; } = [];

        public bool Label { get; set; }
    }
}
