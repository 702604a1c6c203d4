using Matih.Sdk.Connectors;
using Matih.Sdk.Plugins;
using Matih.Sdk.Testing;

namespace Company.MatihPlugin.Tests;

public sealed class SampleEntryConnectorTests
{
    private const string PluginFolder = "Company.MatihPlugin";

    [Fact]
    public void The_plugin_loads_as_a_connector_for_sdk_1_without_carrying_the_sdk()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);

        Assert.Equal("sample-plugin-id", plugin.Manifest.Id);
        Assert.Equal(PluginKind.Connector, plugin.Manifest.Kind);
        Assert.Equal(SdkInfo.Major, plugin.Manifest.SdkMajor);
        Assert.Empty(plugin.PackagingWarnings);
    }

    [Fact]
    public async Task A_sync_writes_every_row_and_checkpoints_where_the_next_sync_resumes()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);
        var connector = plugin.GetSingle<IConnector>();
        var stream = new ConfiguredStream("greetings", SyncMode.Incremental, "id", ["id"]);
        var first = new RecordingSink();
        await connector.ReadAsync(TestJson.Parse("""{ "rows": 25 }"""), new ReadRequest([stream], null), first, default);

        var second = new RecordingSink();
        await connector.ReadAsync(TestJson.Parse("""{ "rows": 30 }"""), new ReadRequest([stream], first.LastState), second, default);

        Assert.Equal(25, first.Rows("greetings").Count);
        Assert.Empty(first.Uncommitted);
        Assert.Equal([26L, 27L, 28L, 29L, 30L], second.Records("greetings").Select(r => (long)r["id"]!));
    }

    [Fact]
    public void A_bad_max_rows_setting_faults_the_plugin_naming_the_setting()
    {
        var attempt = PluginHarness.TryLoad(Path.Combine(PluginHarness.BuiltPluginsDirectory, PluginFolder), """{ "max_rows": "lots" }""");

        Assert.False(attempt.Succeeded);
        Assert.Contains("settings.max_rows: expected a positive whole number, got 'lots'.", attempt.Error, StringComparison.Ordinal);
    }
}
