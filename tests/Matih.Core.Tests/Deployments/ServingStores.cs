using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.InMemory;
using Matih.Core.Deployments;
using Matih.Core.Experiments;
using Matih.Core.Features;
using Matih.Core.Hosting;
using Matih.Core.Models;
using Matih.Core.Plugins;
using Matih.Core.Query;
using Matih.Core.Users;
using Matih.Sdk.Serving;
using Matih.Sdk.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Tests.Deployments;

/// <summary>
/// Real stores, the mlnet plugin loaded as the host loads it, the experiments engine, the feature store, the
/// registry, the prediction log and the serving engine. Holds <c>analytics.derived.churn_features</c> with the seed's
/// registered inputs (3,000 customers; long absences, few sessions and Bronze churn more) and trains the seed's
/// <c>churn-exp-003</c> (LightGBM) and a logistic regression <c>churn-exp-001</c> on it.
/// </summary>
public sealed class ServingStores : IAsyncDisposable
{
    public const string Table = "analytics.derived.churn_features";
    public const string Experiment = "churn-prediction";

    /// <summary>The seed registration's inputs, in its order.</summary>
    public static readonly string[] SeedInputs =
        ["total_orders", "avg_order_value", "days_since_last_order", "customer_age_days", "total_sessions_90d", "product_views_90d", "return_rate", "segment"];

    /// <summary>The seed's inputs less days_since_last_order, as the demo trains (the seed's label is computed from it).</summary>
    public static readonly string[] DemoFeatures = SeedInputs.Where(f => f != "days_since_last_order").ToArray();

    private readonly ServiceProvider _plugins;

    private ServingStores()
    {
        var services = new ServiceCollection();
        var pluginsFile = Path.Combine(Stores.Folder, "plugins.json");
        File.WriteAllText(pluginsFile, """{ "plugins": [ { "id": "mlnet", "path": "Matih.Plugins.MlNet" } ] }""");
        var installed = PluginLoading.LoadAll(PluginsFile.Read(pluginsFile), Path.Combine(AppContext.BaseDirectory, "plugins"), services, NullLogger.Instance);
        var status = Assert.Single(installed.Statuses);
        Assert.True(status.State == PluginState.Loaded, status.Error);
        _plugins = services.BuildServiceProvider();
        Runtimes = _plugins.GetServices<IServingRuntime>().ToArray();
        var options = new MatihOptions { DataDirectory = Stores.Folder };
        Runs = new ExperimentRuns(Stores.Contexts, _plugins.GetServices<ITrainer>(), Stores.Warehouse, options, new BackgroundJobClient(Jobs), Stores.Clock,
            NullLogger<ExperimentRuns>.Instance)
        {
            TrainingThreads = 1,
        };
        Features = new FeatureStore(Stores.Warehouse, Stores.Contexts, Stores.Datasets, Stores.Lineage, Stores.Clock);
        Registry = new ModelRegistry(Stores.Contexts, Runs, Features, Stores.Lineage, Runtimes, options, Stores.Clock, NullLogger<ModelRegistry>.Instance, Stores.Audit);
        Log = new PredictionLog(Stores.Warehouse, Stores.Datasets, NullLogger<PredictionLog>.Instance);
        Engine = NewEngine();
    }

    public TestStores Stores { get; } = new();

    public InMemoryStorage Jobs { get; } = new();

    public IReadOnlyList<IServingRuntime> Runtimes { get; }

    public ExperimentRuns Runs { get; }

    public FeatureStore Features { get; }

    public ModelRegistry Registry { get; }

    public PredictionLog Log { get; }

    public ServingEngine Engine { get; private set; }

    /// <summary>The seed's documents from scripts/seed/, copied beside the tests.</summary>
    public static JsonObject Seed(string name) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seed", name)))!;

    /// <summary>The stores with churn-exp-003 (LightGBM) and churn-exp-001 (logistic regression) trained and the log running.</summary>
    public static async Task<ServingStores> StartAsync()
    {
        var stores = new ServingStores();
        await stores.Stores.Warehouse.ExecuteAsync("CREATE SCHEMA IF NOT EXISTS analytics.derived", default);
        await stores.Stores.Warehouse.ExecuteAsync("CREATE SCHEMA IF NOT EXISTS analytics.raw", default);
        await stores.Stores.Warehouse.ExecuteAsync("""
            CREATE TABLE analytics.raw.customer_activity AS
            SELECT 1000000 + i AS customer_id,
                   (1 + hash(i * 3 + 1) % 40)::INTEGER AS total_orders,
                   (5 + (hash(i * 5 + 2) % 20000) / 100.0)::DOUBLE AS avg_order_value,
                   (hash(i * 7 + 3) % 200)::INTEGER AS days_since_last_order,
                   (100 + hash(i * 11 + 4) % 1500)::INTEGER AS customer_age_days,
                   (hash(i * 13 + 5) % 30)::INTEGER AS total_sessions_90d,
                   (hash(i * 17 + 6) % 80)::INTEGER AS product_views_90d,
                   ((hash(i * 19 + 7) % 50) / 100.0)::DOUBLE AS return_rate,
                   ['Gold', 'Silver', 'Bronze'][1 + (hash(i * 23 + 8) % 3)::INTEGER] AS segment,
                   DATE '2025-12-01' - (hash(i * 7 + 3) % 200)::INTEGER AS last_order_date,
                   (hash(i * 29 + 9) % 100)::INTEGER AS dice
            FROM range(3000) t(i)
            """, default);
        // Through the query service, so the feature table's lineage (from analytics.raw.customer_activity) is recorded.
        var created = await stores.Stores.Queries.RunAsync($"""
            CREATE TABLE {Table} AS
            SELECT customer_id, total_orders, avg_order_value, days_since_last_order, customer_age_days, total_sessions_90d,
                   product_views_90d, return_rate, segment, last_order_date,
                   (dice < CASE WHEN days_since_last_order > 90 THEN 80 ELSE 10 END
                          + CASE WHEN total_sessions_90d < 5 THEN 10 ELSE 0 END
                          + CASE segment WHEN 'Bronze' THEN 8 WHEN 'Gold' THEN -8 ELSE 0 END)::INTEGER AS is_churned
            FROM analytics.raw.customer_activity
            """, new SqlCaller("priya", Role.Analyst), 10, default);
        Assert.True(created.Fault is null, created.Fault?.Message);
        await stores.Log.StartAsync(default);
        await stores.TrainAsync("churn-exp-003", "lightgbm", new JsonObject { ["num_iterations"] = 40, ["num_leaves"] = 8 });
        await stores.TrainAsync("churn-exp-001", "logistic_regression", new JsonObject());
        return stores;
    }

    /// <summary>Trains a run on the churn table with the seed's eight inputs.</summary>
    public async Task<ExperimentRunView> TrainAsync(string name, string trainer, JsonObject parameters, string experiment = Experiment, string[]? features = null)
    {
        var request = new JsonObject
        {
            ["name"] = name,
            ["trainer"] = trainer,
            ["table"] = Table,
            ["label"] = "is_churned",
            ["features"] = new JsonArray((features ?? SeedInputs).Select(f => (JsonNode)f).ToArray()),
            ["params"] = parameters,
            ["split"] = new JsonObject { ["fraction"] = 0.25, ["seed"] = 7 },
        };
        var started = await Runs.StartAsync(experiment, request, "priya", default);
        Assert.True(started.RunId is not null, string.Join("; ", started.Problems.Select(p => $"{p.Path}: {p.Message}")) + started.Conflict);
        await Runs.ExecuteAsync(started.RunId!.Value, default);
        var run = (await Runs.GetRunAsync(experiment, started.RunId.Value.ToString(), default))!;
        Assert.True(run.Summary.State == "succeeded", run.Summary.Error);
        return run;
    }

    /// <summary>The seed's registration with <paramref name="change"/> applied.</summary>
    public static JsonObject Registration(Action<JsonObject>? change = null)
    {
        var document = Seed("model-registration.json");
        change?.Invoke(document);
        return document;
    }

    /// <summary>Registers a version and fails the test when it is refused.</summary>
    public async Task<ModelVersionView> RegisterAsync(Action<JsonObject>? change = null)
    {
        var result = await Registry.RegisterAsync(Registration(change), "priya", default);
        Assert.True(result.Version is not null, string.Join("; ", result.Problems.Select(p => $"{p.Path}: {p.Message}")) + result.Conflict);
        return result.Version!;
    }

    /// <summary>Syncs the feature group the seed's registration names from the churn table.</summary>
    public Task<FeatureGroupVersion> SyncFeatureGroupAsync() =>
        Features.SyncAsync(new FeatureGroupSync("customer_churn_features", Table, "customer_id", "last_order_date"), default);

    /// <summary>A new engine over the same stores, as after a restart.</summary>
    public ServingEngine NewEngine() =>
        new(Stores.Contexts, Registry, Features, Runtimes, Log, Stores.Clock, NullLogger<ServingEngine>.Instance, audit: Stores.Audit);

    /// <summary>Replaces the engine (the old one is disposed), as a restart does.</summary>
    public async Task<int> RestartEngineAsync()
    {
        Engine.Dispose();
        Engine = NewEngine();
        return await Engine.RestoreAsync(default);
    }

    public async ValueTask DisposeAsync()
    {
        Engine.Dispose();
        await Log.StopAsync(default);
        Log.Dispose();
        _plugins.Dispose();
        Jobs.Dispose();
        Stores.Dispose();
    }
}
