using Matih.Sdk.Data;
using Matih.Sdk.Pipelines;
using Matih.Sdk.Platform;
using Matih.Sdk.Plugins;
using Matih.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Company.MatihPlugin.Tests;

public sealed class SampleEntryTaskTests
{
    private const string PluginFolder = "Company.MatihPlugin";

    private static readonly TableRef s_features = new("analytics", "ml", "churn_features");

    [Fact]
    public void The_plugin_loads_as_a_pipeline_task_type_for_sdk_1_without_carrying_the_sdk()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);

        Assert.Equal("sample-plugin-id", plugin.Manifest.Id);
        Assert.Equal(PluginKind.PipelineTaskType, plugin.Manifest.Kind);
        Assert.Equal(SdkInfo.Major, plugin.Manifest.SdkMajor);
        Assert.Empty(plugin.PackagingWarnings);
    }

    [Theory]
    [InlineData(5, true, "analytics.ml.churn_features has 5 rows.")]
    [InlineData(2, false, "analytics.ml.churn_features has 2 rows, fewer than min_rows = 3.")]
    public async Task The_task_passes_or_fails_on_the_table_row_count(long rows, bool succeeds, string summary)
    {
        var warehouse = new ScriptedWarehouse().Answer("count(*)", new QueryResult([new ColumnSchema("row_count", ColumnType.Int64)], [[rows]]));
        using var plugin = PluginHarness.LoadBuilt(PluginFolder, platform: services => services.AddSingleton<IWarehouse>(warehouse));
        var task = plugin.GetSingle<IPipelineTaskType>();
        var log = new RecordingLogger();

        var outcome = await task.ExecuteAsync(
            new TaskContext("daily", "run-1", "gate", 1, TestJson.Parse("""{ "table": "analytics.ml.churn_features", "min_rows": 3 }"""), plugin.Services, log), default);

        Assert.Equal(succeeds, outcome.Succeeded);
        Assert.Equal(summary, outcome.Summary);
        Assert.Equal(rows, outcome.Outputs["row_count"]);
        Assert.Equal("SELECT count(*) AS row_count FROM \"analytics\".\"ml\".\"churn_features\"", Assert.Single(warehouse.Received));
        Assert.Single(log.Messages);
    }

    [Fact]
    public async Task Validation_names_the_table_entry_when_the_table_is_unknown()
    {
        var warehouse = new ScriptedWarehouse().AddTable(s_features, new TableSchema([new ColumnSchema("customer_id", ColumnType.Int64)]));
        using var plugin = PluginHarness.LoadBuilt(PluginFolder, platform: services => services.AddSingleton<IWarehouse>(warehouse));
        var task = plugin.GetSingle<IPipelineTaskType>();

        var known = await task.ValidateAsync(TestJson.Parse("""{ "table": "analytics.ml.churn_features" }"""), plugin.Services, default);
        var unknown = await task.ValidateAsync(TestJson.Parse("""{ "table": "analytics.ml.nope" }"""), plugin.Services, default);

        Assert.Empty(known);
        Assert.Equal(new ConfigProblem("table", "analytics.ml.nope does not exist in the warehouse."), Assert.Single(unknown));
    }
}
