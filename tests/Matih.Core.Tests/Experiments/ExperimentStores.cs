using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.InMemory;
using Matih.Core.Experiments;
using Matih.Core.Hosting;
using Matih.Core.Plugins;
using Matih.Sdk.Serving;
using Matih.Sdk.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Tests.Experiments;

/// <summary>
/// Real stores, an in-memory job queue, the experiments engine, and the mlnet plugin's trainers loaded from the
/// plugin folder the way the host loads them. Holds <c>analytics.ml.churn</c>: 3,000 customers with a known
/// signal (<c>recency</c> above 90 days mostly churns, Bronze churns more than Gold) and 40 rows without a label.
/// </summary>
public sealed class ExperimentStores : IDisposable
{
    public const string Table = "analytics.ml.churn";
    public const int LabelledRows = 3_000;
    public const int UnlabelledRows = 40;

    private readonly ServiceProvider _plugins;

    public ExperimentStores()
    {
        var services = new ServiceCollection();
        var file = PluginsFile.Read(WritePluginsFile());
        var installed = PluginLoading.LoadAll(file, Path.Combine(AppContext.BaseDirectory, "plugins"), services, NullLogger.Instance);
        var status = Assert.Single(installed.Statuses);
        Assert.True(status.State == PluginState.Loaded, status.Error);
        _plugins = services.BuildServiceProvider();
        Trainers = _plugins.GetServices<ITrainer>().ToArray();
        Serving = _plugins.GetRequiredService<IServingRuntime>();

        Stores.Warehouse.ExecuteAsync("CREATE SCHEMA IF NOT EXISTS analytics.ml", default).GetAwaiter().GetResult();
        Stores.Warehouse.ExecuteAsync($"""
            CREATE TABLE {Table} AS
            WITH base AS (
                SELECT i AS customer_id,
                       (hash(i * 3 + 1) % 200)::INTEGER AS recency,
                       CASE WHEN hash(i * 5 + 2) % 20 = 0 THEN NULL ELSE (hash(i * 7 + 3) % 12)::INTEGER END AS sessions,
                       ((hash(i * 11 + 4) % 1000) / 10.0)::DOUBLE AS noise,
                       CASE WHEN hash(i * 13 + 5) % 30 = 0 THEN NULL ELSE ['Gold', 'Silver', 'Bronze'][1 + (hash(i * 17 + 6) % 3)::INTEGER] END AS segment,
                       DATE '2024-01-01' + (i % 365)::INTEGER AS signup_date,
                       (hash(i * 19 + 7) % 100)::INTEGER AS dice
                FROM range({LabelledRows + UnlabelledRows}) t(i)
            )
            SELECT customer_id, recency, sessions, noise, segment, signup_date,
                   CASE WHEN customer_id >= {LabelledRows} THEN NULL
                        WHEN recency > 90 THEN (dice < CASE segment WHEN 'Gold' THEN 75 WHEN 'Bronze' THEN 95 ELSE 85 END)::INTEGER
                        ELSE (dice < CASE segment WHEN 'Gold' THEN 5 WHEN 'Bronze' THEN 25 ELSE 15 END)::INTEGER END AS churned
            FROM base
            """, default).GetAwaiter().GetResult();

        Runs = new ExperimentRuns(Stores.Contexts, Trainers, Stores.Warehouse, new MatihOptions { DataDirectory = Stores.Folder },
            new BackgroundJobClient(Jobs), Stores.Clock, NullLogger<ExperimentRuns>.Instance)
        {
            TrainingThreads = 1,
        };
    }

    public TestStores Stores { get; } = new();

    public InMemoryStorage Jobs { get; } = new();

    public IReadOnlyList<ITrainer> Trainers { get; }

    public IServingRuntime Serving { get; }

    public ExperimentRuns Runs { get; }

    /// <summary>A run request on the churn table; change fields with <paramref name="change"/>.</summary>
    public static JsonObject Request(string name, string trainer = "logistic_regression", Action<JsonObject>? change = null)
    {
        var request = new JsonObject
        {
            ["name"] = name,
            ["trainer"] = trainer,
            ["table"] = Table,
            ["label"] = "churned",
            ["features"] = new JsonArray("recency", "sessions", "noise", "segment"),
            ["split"] = new JsonObject { ["fraction"] = 0.25, ["seed"] = 7 },
            ["tags"] = new JsonObject { ["team"] = "data-science" },
        };
        change?.Invoke(request);
        return request;
    }

    /// <summary>Starts and runs a run to its end, as the job would.</summary>
    public async Task<ExperimentRunView> TrainAsync(string experiment, JsonObject request)
    {
        var started = await Runs.StartAsync(experiment, request, "priya", default);
        Assert.True(started.RunId is not null, string.Join("; ", started.Problems.Select(p => $"{p.Path}: {p.Message}")) + started.Conflict);
        await Runs.ExecuteAsync(started.RunId!.Value, default);
        return (await Runs.GetRunAsync(experiment, started.RunId.Value.ToString(), default))!;
    }

    public void Dispose()
    {
        _plugins.Dispose();
        Jobs.Dispose();
        Stores.Dispose();
    }

    private string WritePluginsFile()
    {
        var path = Path.Combine(Stores.Folder, "plugins.json");
        File.WriteAllText(path, """{ "plugins": [ { "id": "mlnet", "path": "Matih.Plugins.MlNet" } ] }""");
        return path;
    }
}
