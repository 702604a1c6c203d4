using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Core.Plugins;
using Matih.PluginKit.Tests.Support;
using Matih.Sdk.Connectors;
using Matih.Sdk.Testing;
using Matih.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.PluginKit.Tests.Samples;

/// <summary>
/// samples/Matih.Samples.RestJsonConnector built outside the repository against the packed Matih.Sdk (a package, not a
/// project reference), dropped into a folder that a plugins.json names, and loaded by the host.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class OutOfTreeSampleTests : IDisposable
{
    private readonly PackedSdk _sdk;
    private readonly string _install = Directory.CreateTempSubdirectory("matih-install-").FullName;

    public OutOfTreeSampleTests(PackedSdk sdk)
    {
        _sdk = sdk;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_install, recursive: true);
        }
        catch (IOException)
        {
            // A host process still exiting; the temp folder is cleaned by the OS eventually.
        }
    }

    [Fact]
    public async Task The_sample_built_against_the_packed_sdk_is_loaded_by_the_hosts_loader_and_reads_a_local_api()
    {
        var pluginsFile = await InstallSampleAsync();
        var services = new ServiceCollection();

        var installed = PluginLoading.LoadAll(PluginsFile.Read(pluginsFile), Path.Combine(_install, "no-built-ins"), services, NullLogger.Instance);

        var status = Assert.Single(installed.Statuses);
        Assert.True(status.State == PluginState.Loaded, status.Error);
        Assert.Equal("rest-json", status.Id);
        Assert.Equal("connector", status.Kind);
        Assert.Equal("1.0.0", status.Version);
        Assert.Equal(1, status.SdkMajor);
        Assert.Contains("IConnector -> RestJsonConnector", status.Contributions);
        await using var api = await OrdersApi.StartAsync();
        using var provider = services.BuildServiceProvider();
        var connector = Assert.Single(provider.GetServices<IConnector>());
        var config = JsonSerializer.SerializeToElement(new { url = api.OrdersUrl, pagination = "page", page_size = 100, primary_key = new[] { "order_id" } });
        var check = await connector.CheckAsync(config, default);
        var sink = new RecordingSink();

        await connector.ReadAsync(config, new ReadRequest([new ConfiguredStream("orders", SyncMode.FullRefresh, null, ["order_id"])], null), sink, default);

        Assert.True(check.Succeeded, check.Message);
        Assert.Equal(OrdersApi.Count, sink.Rows("orders").Count);
        Assert.Empty(sink.Uncommitted);
        Assert.Equal(["order_id", "customer_id", "amount", "status", "ordered_at"], sink.Schemas["orders"].Columns.Select(c => c.Name));
        // The batch_rows setting from plugins.json reached the plugin: 250 rows in batches of 40.
        Assert.Equal(7, sink.Committed.Count);
        // page_size 100 over 250 orders: pages of 100, 100 and 50, the short one being the last (plus the check's page).
        Assert.Equal(4, api.Requests.Count);
    }

    [Fact]
    public async Task The_unchanged_host_process_lists_the_sample_as_loaded_and_syncs_it_into_the_warehouse()
    {
        var pluginsFile = await InstallSampleAsync();
        await using var api = await OrdersApi.StartAsync();
        await using var host = await MatihHost.StartAsync(extraArgs: ["--plugins", pluginsFile]);
        using var client = await host.SignedInAsync();

        var plugins = await client.GetFromJsonAsync<JsonElement[]>("api/plugins");
        var created = await client.PostAsJsonAsync("api/connections", new
        {
            name = "Orders API",
            connector = "rest-json",
            config = new { url = api.OrdersUrl, pagination = "page", page_size = 100, primary_key = new[] { "order_id" } },
            streams = new object[] { new { name = "orders", sync_mode = "full_refresh" } },
            destination = new { catalog = "shop", schema = "orders_api" },
        });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var run = await client.SyncAsync(id);
        var counts = await client.PostAsJsonAsync("api/sql", new { sql = "SELECT count(*), sum(amount) FROM shop.orders_api.orders" });

        var plugin = Assert.Single(plugins!, p => p.GetProperty("id").GetString() == "rest-json");
        Assert.Equal("loaded", plugin.GetProperty("state").GetString());
        Assert.Equal("connector", plugin.GetProperty("kind").GetString());
        Assert.Equal("1.0.0", plugin.GetProperty("version").GetString());
        Assert.True(run.GetProperty("state").GetString() == "succeeded", run.ToString());
        var row = (await counts.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0];
        Assert.Equal(OrdersApi.Count, row[0].GetInt64());
        Assert.Equal(Enumerable.Range(1, OrdersApi.Count).Sum(i => Math.Round(i * 3.25, 2)), row[1].GetDouble(), precision: 6);
    }

    // The built plugin copied into <install>/extra-plugins/rest-json (a folder named unlike its assembly, found by its
    // .deps.json) and a plugins.json beside extra-plugins/ naming it with settings.
    private async Task<string> InstallSampleAsync()
    {
        var build = await _sdk.SamplePluginAsync();
        var folder = Path.Combine(_install, "extra-plugins", "rest-json");
        PackedSdk.CopyDirectory(build, folder);
        Assert.False(File.Exists(Path.Combine(folder, "Matih.Sdk.dll")), "The plugin folder must not carry its own Matih.Sdk.dll.");
        var pluginsFile = Path.Combine(_install, "plugins.json");
        File.WriteAllText(pluginsFile, """
            { "plugins": [
              { "id": "rest-json", "path": "extra-plugins/rest-json", "enabled": true, "settings": { "batch_rows": 40, "timeout_seconds": 20 } }
            ] }
            """);
        return pluginsFile;
    }
}
