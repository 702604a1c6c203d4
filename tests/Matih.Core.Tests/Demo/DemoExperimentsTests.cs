using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.InMemory;
using Matih.Core.Demo;
using Matih.Core.Experiments;
using Matih.Core.Hosting;
using Matih.Core.Plugins;
using Matih.Core.Query;
using Matih.Sdk.Connectors;
using Matih.Sdk.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Matih.Core.Tests.Demo;

/// <summary>
/// The NovaMart demo at its default scale (0.01: ~20,500 labelled customers), the saved churn query, and the demo
/// experiments queued and trained to the end as the jobs would, once for the class.
/// </summary>
public sealed class DemoExperimentsFixture : IAsyncLifetime
{
    public const double Scale = 0.01;

    private ServiceProvider _plugins = null!;

    public TestStores Stores { get; } = new();

    public InMemoryStorage Jobs { get; } = new();

    public ExperimentRuns Runs { get; private set; } = null!;

    public DemoExperiments Demo { get; private set; } = null!;

    public SavedQueries Saved { get; private set; } = null!;

    public DemoExperimentsResult First { get; private set; } = null!;

    public IReadOnlyDictionary<string, ExperimentRunView> Trained { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var path = Path.Combine(Stores.Folder, "plugins.json");
        await File.WriteAllTextAsync(path, """
            { "plugins": [ { "id": "mlnet", "path": "Matih.Plugins.MlNet" }, { "id": "source-faker", "path": "Matih.Plugins.SourceFaker" } ] }
            """);
        var services = new ServiceCollection();
        var installed = PluginLoading.LoadAll(PluginsFile.Read(path), Path.Combine(AppContext.BaseDirectory, "plugins"), services, NullLogger.Instance);
        Assert.All(installed.Statuses, s => Assert.True(s.State == PluginState.Loaded, s.Error));
        _plugins = services.BuildServiceProvider();

        var novaMart = new NovaMartDemo(Stores.Warehouse, _plugins.GetServices<IConnector>(), Stores.Datasets, Stores.Lineage, NullLogger<NovaMartDemo>.Instance);
        var loaded = await novaMart.LoadAsync(Scale, seed: 42, default);
        Assert.True(loaded.Loaded, loaded.Message);
        Saved = new SavedQueries(Stores.Contexts, Stores.Clock);
        await ChurnFeatureQuery.EnsureSavedAsync(Saved, default);

        Runs = new ExperimentRuns(Stores.Contexts, _plugins.GetServices<ITrainer>(), Stores.Warehouse, new MatihOptions { DataDirectory = Stores.Folder },
            new BackgroundJobClient(Jobs), Stores.Clock, NullLogger<ExperimentRuns>.Instance);
        Demo = new DemoExperiments(Stores.Queries, Saved, Runs, Stores.Warehouse, NullLogger<DemoExperiments>.Instance);

        First = await Demo.EnsureAsync(default);
        foreach (var id in First.Started)
        {
            await Runs.ExecuteAsync(id, default);
        }

        var trained = new Dictionary<string, ExperimentRunView>();
        foreach (var run in DemoExperiments.Runs)
        {
            trained[run.Name] = (await Runs.GetRunAsync(DemoExperiments.Experiment, run.Name, default))!;
        }

        Trained = trained;
    }

    public Task DisposeAsync()
    {
        _plugins.Dispose();
        Jobs.Dispose();
        Stores.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class DemoExperimentsTests(DemoExperimentsFixture demo, ITestOutputHelper output) : IClassFixture<DemoExperimentsFixture>
{
    [Fact]
    public void The_demo_trains_the_seeds_three_runs_and_their_AUCs_order_logistic_regression_below_random_forest_below_LightGBM()
    {
        Assert.Equal(3, demo.First.Started.Count);
        var (lr, rf, gbm) = (demo.Trained["churn-exp-001"].Summary, demo.Trained["churn-exp-002"].Summary, demo.Trained["churn-exp-003"].Summary);
        Assert.All(new[] { lr, rf, gbm }, r => Assert.True(r.State == "succeeded", $"{r.Name}: {r.Error}"));
        Assert.Equal(("Logistic Regression", "Random Forest", "Gradient Boosting (LightGBM)"), (lr.Model, rf.Model, gbm.Model));

        var aucs = $"LR {lr.Auc:F3}, RF {rf.Auc:F3}, LightGBM {gbm.Auc:F3}";
        output.WriteLine($"{aucs} on {lr.TestRows:N0} held-out customers");
        Assert.True(lr.Auc < rf.Auc && rf.Auc < gbm.Auc, aucs);
        // Meaningful: well above chance, and far from the AUC of 1.0 the label column itself would give.
        Assert.All(new[] { lr, rf, gbm }, r => Assert.InRange(r.Auc!.Value, 0.75, 0.95));
        Assert.True(gbm.Precision > lr.Precision && gbm.F1 > lr.F1, $"precision {lr.Precision:F2} / {gbm.Precision:F2}, F1 {lr.F1:F2} / {gbm.F1:F2}");
    }

    [Fact]
    public void The_runs_train_on_the_registrations_inputs_less_the_column_the_label_is_computed_from()
    {
        foreach (var run in demo.Trained.Values)
        {
            Assert.Equal(DemoExperiments.Table.ToString(), run.Table);
            Assert.Equal("is_churned", run.Label);
            Assert.Equal(["total_orders", "avg_order_value", "customer_age_days", "total_sessions_90d", "product_views_90d", "return_rate", "segment"], run.Summary.Features);
            Assert.Equal(["segment"], run.CategoricalFeatures);
            Assert.DoesNotContain("days_since_last_order", run.FeatureImportance.Keys);
            Assert.Equal("days_since_last_order: is_churned is days_since_last_order > 90", run.Summary.Tags["left_out"]);
            Assert.Equal(DemoExperiments.User, run.CreatedBy);
        }

        Assert.Contains("days_since_last_order > 90", DemoExperiments.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Given_days_since_last_order_a_model_reads_the_label_off_it()
    {
        var document = DemoExperiments.Document(DemoExperiments.Runs[0]);
        document["name"] = "with-the-label-source";
        document["features"] = new JsonArray(DemoExperiments.InputSchema.Select(f => (JsonNode)f).ToArray());

        var started = await demo.Runs.StartAsync("leak-check", document, "priya", default);
        await demo.Runs.ExecuteAsync(started.RunId!.Value, default);
        var run = (await demo.Runs.GetRunAsync("leak-check", "with-the-label-source", default))!.Summary;

        Assert.True(run.State == "succeeded", run.Error);
        Assert.True(run.Auc > 0.99, $"AUC {run.Auc:F4}");
        Assert.True(run.Auc > demo.Trained["churn-exp-003"].Summary.Auc + 0.1);
    }

    [Fact]
    public async Task The_training_set_holds_the_saved_querys_rows_in_customer_order_with_lineage_to_the_sources()
    {
        var table = DemoExperiments.Table;
        var counted = await demo.Stores.Warehouse.QueryAsync($"""
            SELECT count(*), count(DISTINCT customer_id), count(avg_order_value), sum(is_churned),
                   bool_and(customer_id > coalesce(previous, -1))
            FROM (SELECT *, lag(customer_id) OVER (ORDER BY rowid) AS previous FROM {table})
            """, default);
        var seed = await demo.Stores.Warehouse.QueryAsync(
            $"SELECT count(*), sum(is_churned) FROM ({ChurnFeatureQuery.Sql[ChurnFeatureQuery.Sql.IndexOf("WITH order_features", StringComparison.Ordinal)..].TrimEnd().TrimEnd(';')})", default);

        var row = counted.Rows[0];
        Assert.Equal(Convert.ToInt64(seed.Rows[0][0]), Convert.ToInt64(row[0]));
        Assert.Equal(Convert.ToInt64(row[0]), Convert.ToInt64(row[1]));
        Assert.Equal(Convert.ToInt64(row[0]), Convert.ToInt64(row[2]));
        Assert.Equal(Convert.ToInt64(seed.Rows[0][1]), Convert.ToInt64(row[3]));
        Assert.True((bool)row[4]!);
        Assert.Equal(demo.Trained["churn-exp-001"].Snapshot.Rows, Convert.ToInt64(row[0]));

        var lineage = await demo.Stores.Lineage.GetAsync(table.ToString(), 1, default);
        Assert.Contains(lineage.Edges, e => e.From == "postgresql.novamart.orders" && e.To == table.ToString());
        Assert.Contains(lineage.Edges, e => e.From == "snowflake.analytics.clickstream" && e.To == table.ToString());
    }

    [Fact]
    public async Task Starting_again_leaves_the_existing_runs_alone()
    {
        var again = await demo.Demo.EnsureAsync(default);
        var page = await demo.Runs.ListRunsAsync(DemoExperiments.Experiment, 1, 10, "auc", "desc", default);

        Assert.Empty(again.Started);
        Assert.Equal(["churn-exp-001", "churn-exp-002", "churn-exp-003"], again.Existing);
        Assert.Equal(["churn-exp-003", "churn-exp-002", "churn-exp-001"], page!.Items.Select(r => r.Name));
    }
}
