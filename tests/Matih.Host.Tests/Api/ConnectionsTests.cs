using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

public sealed class ConnectionsTests : IAsyncLifetime
{
    private MatihHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await MatihHost.StartAsync(environment: new Dictionary<string, string> { ["MATIH_TEST_SEED"] = "7" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_connection_document_with_problems_is_refused_with_each_one_by_json_path()
    {
        using var client = await _host.SignedInAsync();

        var response = await client.PostAsJsonAsync("api/connections", new
        {
            connector = "source-faker",
            config = new { scale = -1 },
            streams = new object[] { new { name = "orders", sync_mode = "incremental" }, new { name = "orders", sync_mode = "sometimes" } },
            schedule = new { type = "cron", expression = "0 25 * * *" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("$.config.scale", errors.EnumerateObject().Select(e => e.Name));
        Assert.Equal("Incremental streams need a cursor_field unless the connection uses CDC.", errors.GetProperty("$.streams[0].cursor_field")[0].GetString());
        Assert.StartsWith("'sometimes' is not a sync mode", errors.GetProperty("$.streams[1].sync_mode")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("Stream 'orders' is listed twice.", errors.GetProperty("$.streams[1].name")[0].GetString());
        Assert.StartsWith("'0 25 * * *' is not a valid cron expression", errors.GetProperty("$.schedule.expression")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("api/connections")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_sync_lands_full_refresh_and_incremental_streams_and_a_second_sync_does_not_double_rows()
    {
        using var client = await _host.SignedInAsync();
        var created = await client.PostAsJsonAsync("api/connections", new
        {
            name = "NovaMart faker",
            connector = "source-faker",
            config = new { scale = 0.002, seed = "${MATIH_TEST_SEED}" },
            streams = new object[]
            {
                new { name = "customers", sync_mode = "full_refresh" },
                new { name = "orders", sync_mode = "incremental", cursor_field = "updated_at" },
            },
            schedule = new { type = "cron", expression = "0 * * * *" },
            destination = new { catalog = "postgresql", schema = "novamart" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var connection = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = connection.GetProperty("id").GetString();
        Assert.Equal("novamart-faker", id);
        Assert.Equal("${MATIH_TEST_SEED}", connection.GetProperty("config").GetProperty("seed").GetString());
        Assert.Equal("incremental", connection.GetProperty("streams")[1].GetProperty("sync_mode").GetString());

        var first = await client.SyncAsync(id!);
        var second = await client.SyncAsync(id!);

        Assert.Equal("succeeded", first.GetProperty("state").GetString());
        Assert.Equal(1.0, first.GetProperty("progressFraction").GetDouble());
        var orders = first.GetProperty("rows").GetProperty("orders").GetInt64();
        Assert.True(orders > 10_000, $"orders: {orders}");
        Assert.Equal("succeeded", second.GetProperty("state").GetString());
        var counts = await client.PostAsJsonAsync("api/sql", new
        {
            sql = "SELECT (SELECT count(*) FROM postgresql.novamart.orders), (SELECT count(DISTINCT order_id) FROM postgresql.novamart.orders), (SELECT count(*) FROM postgresql.novamart.customers)",
        });
        var row = (await counts.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0];
        Assert.Equal(orders, row[0].GetInt64());
        Assert.Equal(orders, row[1].GetInt64());
        Assert.Equal(first.GetProperty("rows").GetProperty("customers").GetInt64(), row[2].GetInt64());
    }

    [Fact]
    public async Task A_reference_to_an_unset_secret_fails_the_sync_once_naming_the_field_and_variable()
    {
        using var client = await _host.SignedInAsync();
        var created = await client.PostAsJsonAsync("api/connections", new
        {
            connector = "source-faker",
            config = new { scale = 0.001, seed = "${NOT_SET_ANYWHERE}" },
            streams = new object[] { new { name = "products", sync_mode = "full_refresh" } },
        });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var run = await client.SyncAsync(id);

        Assert.Equal("failed", run.GetProperty("state").GetString());
        Assert.Equal(1, run.GetProperty("attempt").GetInt32());
        Assert.Equal("config.seed refers to ${NOT_SET_ANYWHERE}, which is not set: set the environment variable NOT_SET_ANYWHERE or the setting Secrets:NOT_SET_ANYWHERE.",
            run.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_unknown_stream_fails_the_sync_listing_what_the_source_offers()
    {
        using var client = await _host.SignedInAsync();
        var created = await client.PostAsJsonAsync("api/connections", new
        {
            connector = "source-faker",
            config = new { scale = 0.001 },
            streams = new object[] { new { name = "invoices", sync_mode = "full_refresh" } },
        });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var run = await client.SyncAsync(id);

        Assert.Equal("failed", run.GetProperty("state").GetString());
        Assert.StartsWith("The source has no stream named 'invoices'; it offers customers, orders", run.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
