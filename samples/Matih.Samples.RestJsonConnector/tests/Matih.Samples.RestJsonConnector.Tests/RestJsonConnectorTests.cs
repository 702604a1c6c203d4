using System.Globalization;
using System.Text.Json;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Testing;

namespace Matih.Samples.RestJsonConnector.Tests;

public sealed class RestJsonConnectorTests : IDisposable
{
    private const string PluginFolder = "Matih.Samples.RestJsonConnector";

    // 250 orders, served 100 per page by ?page=N&per_page=M, newest last.
    private static readonly object[] s_orders = Enumerable.Range(1, 250)
        .Select(i => (object)new
        {
            id = i,
            customer = $"c{i % 17}",
            amount = i * 1.5,
            paid = i % 3 != 0,
            updated_at = new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i).ToString("O", CultureInfo.InvariantCulture),
            tags = new[] { "web" },
        })
        .ToArray();

    private readonly JsonApi _api = new(Answer);
    private readonly LoadedPlugin _plugin = PluginHarness.LoadBuilt(PluginFolder);

    public void Dispose()
    {
        _plugin.Dispose();
        _api.Dispose();
    }

    [Fact]
    public void The_plugin_loads_as_a_connector_built_for_sdk_1()
    {
        Assert.Equal("rest-json", _plugin.Manifest.Id);
        Assert.Equal(PluginKind.Connector, _plugin.Manifest.Kind);
        Assert.Equal(1, _plugin.Manifest.SdkMajor);
        Assert.Equal(["RestJsonSettings -> RestJsonSettings", "IConnector -> RestJsonConnector"], _plugin.Contributions);
        Assert.Empty(_plugin.PackagingWarnings);
    }

    [Fact]
    public async Task A_paged_endpoint_is_read_to_the_last_page_and_committed_once()
    {
        var connector = _plugin.GetSingle<IConnector>();
        var config = Config(new { url = _api.Url("orders"), pagination = "page", page_size = 100, primary_key = new[] { "id" } });
        var sink = new RecordingSink();

        await connector.ReadAsync(config, new ReadRequest([new ConfiguredStream("orders", SyncMode.FullRefresh, null, ["id"])], null), sink, default);

        Assert.Equal(250, sink.Rows("orders").Count);
        Assert.Empty(sink.Uncommitted);
        Assert.Single(sink.Checkpoints);
        Assert.Equal(3, _api.Requests.Count);
        var schema = sink.Schemas["orders"];
        Assert.Equal(
            ["id:Int64", "customer:String", "amount:Double", "paid:Boolean", "updated_at:TimestampTz", "tags:Json"],
            schema.Columns.Select(c => $"{c.Name}:{c.Type}"));
        var last = sink.Records("orders")[^1];
        Assert.Equal(250L, last["id"]);
        Assert.Equal("[\"web\"]", last["tags"]);
    }

    [Fact]
    public async Task An_incremental_sync_reads_only_records_after_the_saved_cursor_and_sends_it_to_the_api()
    {
        var connector = _plugin.GetSingle<IConnector>();
        var config = Config(new { url = _api.Url("orders"), pagination = "page", page_size = 100, cursor_param = "updated_after" });
        var stream = new ConfiguredStream("orders", SyncMode.Incremental, "updated_at", ["id"]);
        var first = new RecordingSink();
        await connector.ReadAsync(config, new ReadRequest([stream], null), first, default);
        var state = first.LastState!;

        var second = new RecordingSink();
        await connector.ReadAsync(config, new ReadRequest([stream], state), second, default);

        Assert.Equal(250, first.Rows("orders").Count);
        Assert.Equal("2024-05-01T04:10:00.0000000+00:00", state.Streams["orders"].GetProperty("cursor").GetString());
        Assert.Empty(second.Rows("orders"));
        Assert.Contains(_api.Requests, r => r.Query.Contains("updated_after=2024-05-01T04%3A10%3A00.0000000%2B00%3A00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Next_links_in_the_body_are_followed_until_there_is_none()
    {
        var connector = _plugin.GetSingle<IConnector>();
        var config = Config(new { url = _api.Url("linked"), pagination = "next_link", records_path = "data", next_link_path = "links.next" });
        var sink = new RecordingSink();

        await connector.ReadAsync(config, new ReadRequest([new ConfiguredStream("linked", SyncMode.FullRefresh, null, [])], null), sink, default);

        Assert.Equal(250, sink.Rows("linked").Count);
        Assert.Equal(Enumerable.Range(1, 250).Select(i => (object?)(long)i), sink.Records("linked").Select(r => r["id"]));
    }

    [Fact]
    public async Task Check_names_the_records_path_to_set_when_the_response_is_an_object()
    {
        var connector = _plugin.GetSingle<IConnector>();

        var result = await connector.CheckAsync(Config(new { url = _api.Url("linked") }), default);

        Assert.False(result.Succeeded);
        Assert.Contains("set config.records_path to the property holding the array (it has: data, links)", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_reports_an_http_error_with_its_status()
    {
        var connector = _plugin.GetSingle<IConnector>();

        var result = await connector.CheckAsync(Config(new { url = _api.Url("private") }), default);

        Assert.False(result.Succeeded);
        Assert.Contains("answered 401 Unauthorized", result.Message, StringComparison.Ordinal);
        Assert.Contains("Check config.bearer_token", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_timeout_setting_faults_the_plugin_naming_the_setting()
    {
        var attempt = PluginHarness.TryLoad(Path.Combine(PluginHarness.BuiltPluginsDirectory, PluginFolder), """{ "timeout_seconds": 0 }""", expectedId: "rest-json");

        Assert.False(attempt.Succeeded);
        Assert.Equal("rest-json: registration failed: settings.timeout_seconds: expected a whole number from 1 to 600, got '0'.", attempt.Error);
        Assert.IsType<PluginSettingsException>(attempt.Exception);
    }

    private static JsonElement Config(object value) => JsonSerializer.SerializeToElement(value);

    private static (int Status, string Body, string? Link) Answer(System.Net.HttpListenerRequest request)
    {
        var query = System.Web.HttpUtility.ParseQueryString(request.Url!.Query);
        switch (request.Url!.AbsolutePath)
        {
            case "/orders":
            {
                var after = query["updated_after"] is { } cursor ? DateTimeOffset.Parse(cursor, CultureInfo.InvariantCulture) : DateTimeOffset.MinValue;
                var page = int.Parse(query["page"] ?? "1", CultureInfo.InvariantCulture);
                var size = int.Parse(query["per_page"] ?? "1000", CultureInfo.InvariantCulture);
                var matching = s_orders.Where(o => DateTimeOffset.Parse(JsonSerializer.SerializeToElement(o).GetProperty("updated_at").GetString()!, CultureInfo.InvariantCulture) > after);
                return (200, JsonSerializer.Serialize(matching.Skip((page - 1) * size).Take(size)), null);
            }

            case "/linked":
            {
                var offset = int.Parse(query["from"] ?? "0", CultureInfo.InvariantCulture);
                var next = offset + 80 < s_orders.Length ? $"/linked?from={offset + 80}" : null;
                return (200, JsonSerializer.Serialize(new { data = s_orders.Skip(offset).Take(80), links = new { next } }), null);
            }

            case "/private":
                return (401, """{ "error": "token required" }""", null);
            default:
                return (404, "{}", null);
        }
    }
}
