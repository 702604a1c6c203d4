using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Testing;
using Npgsql;

namespace Matih.Host.Tests.Api;

/// <summary>The seed's PostgreSQL CDC connection against a real PostgreSQL started for the test.</summary>
public sealed class PostgresConnectionTests : IAsyncLifetime
{
    private const string Password = "s3cret-Pa55word-never-shown";

    private PostgresServer _postgres = null!;
    private MatihHost _host = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        await using (var admin = new NpgsqlConnection(_postgres.ConnectionString()))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand("CREATE DATABASE novamart", admin).ExecuteNonQueryAsync();
        }

        await ExecuteAsync("""
            CREATE TABLE customers (customer_id BIGINT PRIMARY KEY, segment TEXT, updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
            CREATE TABLE orders (order_id BIGINT PRIMARY KEY, customer_id BIGINT, total_amount NUMERIC(12,2), updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
            CREATE TABLE order_items (order_item_id BIGINT PRIMARY KEY, order_id BIGINT, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
            CREATE TABLE products (product_id BIGINT PRIMARY KEY, name TEXT);
            CREATE TABLE returns (return_id BIGINT PRIMARY KEY, order_id BIGINT, return_date DATE NOT NULL DEFAULT current_date);
            INSERT INTO customers (customer_id, segment) SELECT g, 'Gold' FROM generate_series(1, 100) g;
            INSERT INTO orders (order_id, customer_id, total_amount) SELECT g, g % 100 + 1, g * 1.5 FROM generate_series(1, 300) g;
            INSERT INTO order_items (order_item_id, order_id) SELECT g, g FROM generate_series(1, 300) g;
            INSERT INTO products VALUES (1, 'Mug'), (2, 'Lamp');
            INSERT INTO returns (return_id, order_id) VALUES (1, 7);
            """);
        _host = await MatihHost.StartAsync(environment: new Dictionary<string, string>
        {
            ["POSTGRES_USER"] = "postgres",
            ["POSTGRES_PASSWORD"] = Password,
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task The_seed_connection_document_is_accepted_verbatim()
    {
        using var client = await _host.SignedInAsync();

        var response = await client.PostAsync("api/connections", new StringContent(SeedDocuments.PostgresConnection, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("${POSTGRES_PASSWORD}", created.GetProperty("config").GetProperty("password").GetString());
        Assert.Equal("0 * * * *", created.GetProperty("schedule").GetProperty("expression").GetString());
        Assert.Equal("novamart", created.GetProperty("destination").GetProperty("schema").GetString());
    }

    [Fact]
    public async Task A_cdc_sync_lands_the_seed_streams_then_applies_changes_and_no_secret_is_stored_or_logged()
    {
        using var client = await _host.SignedInAsync();
        var document = JsonNode.Parse(SeedDocuments.PostgresConnection)!;
        document["config"]!["host"] = "127.0.0.1";
        document["config"]!["port"] = _postgres.Port;
        document["config"]!["ssl_mode"] = "disable";
        var created = await client.PostAsJsonAsync("api/connections", document);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var literal = JsonNode.Parse(document.ToJsonString())!;
        literal["name"] = "literal password";
        literal["config"]!["password"] = Password;
        var literalCreated = await client.PostAsJsonAsync("api/connections", literal);
        Assert.Equal(SecretMask, (await literalCreated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("config").GetProperty("password").GetString());

        var first = await client.SyncAsync(id);
        Assert.True(first.GetProperty("state").GetString() == "succeeded", first.GetProperty("error").GetString());
        await ExecuteAsync("""
            INSERT INTO customers (customer_id, segment) VALUES (101, 'New');
            UPDATE customers SET segment = 'Silver', updated_at = now() WHERE customer_id = 1;
            DELETE FROM orders WHERE order_id = 300;
            TRUNCATE products;
            INSERT INTO products VALUES (3, 'Kettle');
            """);
        var second = await client.SyncAsync(id);
        Assert.True(second.GetProperty("state").GetString() == "succeeded", second.GetProperty("error").GetString());

        Assert.Equal("succeeded", first.GetProperty("state").GetString());
        Assert.Equal("succeeded", second.GetProperty("state").GetString());
        var check = await client.PostAsJsonAsync("api/sql", new
        {
            sql = """
                SELECT (SELECT count(*) FROM postgresql.novamart.customers),
                       (SELECT segment FROM postgresql.novamart.customers WHERE customer_id = 1),
                       (SELECT count(*) FROM postgresql.novamart.orders),
                       (SELECT string_agg(name, ',') FROM postgresql.novamart.products),
                       (SELECT count(*) FROM postgresql.novamart.order_items),
                       (SELECT count(*) FROM postgresql.novamart.returns)
                """,
        });
        var row = (await check.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0];
        Assert.Equal(101, row[0].GetInt64());
        Assert.Equal("Silver", row[1].GetString());
        Assert.Equal(299, row[2].GetInt64());
        Assert.Equal("Kettle", row[3].GetString());
        Assert.Equal(300, row[4].GetInt64());
        Assert.Equal(1, row[5].GetInt64());

        // The catalog shows the synced table and, live, the source's own table, with the seed's "novamart.public" schema.
        var search = await client.GetFromJsonAsync<JsonElement>("api/catalog/search?q=customers");
        var found = search.GetProperty("items").EnumerateArray().Select(i => (Name: i.GetProperty("name").GetString(), Schema: i.GetProperty("schema").GetString(), Origin: i.GetProperty("origin").GetString())).ToArray();
        Assert.Contains(found, f => f.Name == "postgresql.novamart.customers" && f.Schema == "novamart.public" && f.Origin == $"sync:{id}");
        Assert.Contains(found, f => f.Name == "novamart.public.customers" && f.Origin!.StartsWith("live:", StringComparison.Ordinal));

        // Secrets: never in the metadata store, never in what the host printed.
        var metadata = await File.ReadAllBytesAsync(Path.Combine(_host.DataDirectory, "metadata.db"));
        Assert.DoesNotContain(Password, Encoding.UTF8.GetString(metadata), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, _host.Output, StringComparison.Ordinal);
        var listed = await client.GetStringAsync("api/connections");
        Assert.DoesNotContain(Password, listed, StringComparison.Ordinal);
    }

    private const string SecretMask = "********";

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString("novamart"));
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }
}
