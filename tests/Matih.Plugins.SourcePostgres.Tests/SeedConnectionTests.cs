using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Plugins.SourcePostgres.Tests.Support;
using Matih.Sdk.Connectors;
using Matih.Testing;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Tests;

/// <summary>A server with SSL on (a self-signed certificate) and the seed's NovaMart tables.</summary>
public sealed class NovaMartServerFixture : PostgresFixture
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var directory = await ScalarAsync<string>("postgres", "SHOW data_directory");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        await WriteServerFileAsync(Path.Combine(directory, "matih-test.crt"), certificate.ExportCertificatePem());
        await WriteServerFileAsync(Path.Combine(directory, "matih-test.key"), key.ExportPkcs8PrivateKeyPem());
        await ExecuteAsync("postgres", $"ALTER SYSTEM SET ssl_cert_file = '{directory}/matih-test.crt'");
        await ExecuteAsync("postgres", $"ALTER SYSTEM SET ssl_key_file = '{directory}/matih-test.key'");
        await ExecuteAsync("postgres", "ALTER SYSTEM SET ssl = on");
        await ExecuteAsync("postgres", "SELECT pg_reload_conf()");
        await WaitForSslAsync();

        await ExecuteAsync("postgres", "CREATE ROLE priya LOGIN REPLICATION PASSWORD 'novamart-secret'");
        await ExecuteAsync("postgres", "CREATE DATABASE novamart OWNER priya");
        await ExecuteAsync("novamart", """
            SET ROLE priya;
            CREATE TABLE customers (customer_id bigint PRIMARY KEY, email varchar(255), segment varchar(20), updated_at timestamp NOT NULL DEFAULT now());
            CREATE TABLE orders (order_id bigint PRIMARY KEY, customer_id bigint, total_amount numeric(12,2), order_date date, updated_at timestamp NOT NULL DEFAULT now());
            CREATE TABLE order_items (order_id bigint, line_no int, product_id int, quantity int, created_at timestamp NOT NULL DEFAULT now(), PRIMARY KEY (order_id, line_no));
            CREATE TABLE products (product_id int PRIMARY KEY, name text, price numeric(10,2));
            CREATE TABLE returns (return_id bigint PRIMARY KEY, order_id bigint, refund_amount numeric(12,2), return_date date);
            INSERT INTO customers (customer_id, email, segment) SELECT g, 'c' || g || '@example.com', 'Gold' FROM generate_series(1, 1000) g;
            INSERT INTO orders (order_id, customer_id, total_amount, order_date) SELECT g, g % 1000 + 1, g * 1.25, DATE '2025-01-01' + g % 300 FROM generate_series(1, 5000) g;
            INSERT INTO order_items (order_id, line_no, product_id, quantity) SELECT g, 1, g % 50 + 1, 2 FROM generate_series(1, 5000) g;
            INSERT INTO products SELECT g, 'product ' || g, g * 2.5 FROM generate_series(1, 50) g;
            INSERT INTO returns SELECT g, g * 10, 5.00, DATE '2025-06-01' FROM generate_series(1, 100) g;
            """);
    }

    /// <summary>Writes a file the server will read: owner-only, owned by the server's user (PostgreSQL refuses a readable key).</summary>
    private static async Task WriteServerFileAsync(string path, string content)
    {
        await File.WriteAllTextAsync(path, content);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Environment.UserName == "root")
        {
            using var chown = Process.Start("chown", ["postgres", path])!;
            await chown.WaitForExitAsync();
        }
    }

    private async Task WaitForSslAsync()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(Server.ConnectionString() + ";SSL Mode=Require");
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException("The server did not turn SSL on.");
    }
}

public sealed partial class SeedConnectionTests(NovaMartServerFixture postgres) : IClassFixture<NovaMartServerFixture>
{
    /// <summary>Stage 1 of the seed walkthrough, verbatim.</summary>
    private static readonly string SeedConnection = SeedDocuments.PostgresConnection;

    [Fact]
    public async Task The_seed_connection_with_its_secrets_resolved_checks_over_ssl_with_cdc_ready()
    {
        var result = await postgres.Connector.CheckAsync(SeedConfig(), default);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("as 'priya' over SSL", result.Message, StringComparison.Ordinal);
        Assert.Contains("CDC is ready", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_seed_streams_sync_by_cdc_with_products_fully_refreshed()
    {
        var config = SeedConfig();
        var streams = JsonDocument.Parse(SeedConnection).RootElement.GetProperty("streams").EnumerateArray()
            .Select(s => new ConfiguredStream(
                s.GetProperty("name").GetString()!,
                s.GetProperty("sync_mode").GetString() == "full_refresh" ? SyncMode.FullRefresh : SyncMode.Incremental,
                s.TryGetProperty("cursor_field", out var cursor) ? cursor.GetString() : null,
                []))
            .ToList();
        var warehouse = new MemoryWarehouse();
        await postgres.Connector.ReadAsync(config, new ReadRequest(streams, warehouse.State), warehouse.Sink(["products"]), default);

        await postgres.ExecuteAsync("novamart", """
            UPDATE customers SET segment = 'Inactive' WHERE customer_id = 7;
            DELETE FROM returns WHERE return_id = 1;
            INSERT INTO orders (order_id, customer_id, total_amount, order_date) VALUES (5001, 7, 10.00, DATE '2025-12-01');
            """);
        var second = warehouse.Sink(["products"]);
        await postgres.Connector.ReadAsync(config, new ReadRequest(streams, warehouse.State), second, default);

        Assert.Equal((1000, 5001, 5000, 50, 99), (warehouse["customers"].Count, warehouse["orders"].Count, warehouse["order_items"].Count, warehouse["products"].Count, warehouse["returns"].Count));
        Assert.Equal("Inactive", warehouse["customers"].Value(7, "segment"));
        Assert.Equal(50, second.WrittenRows("products", RecordOperation.Upsert));
        Assert.Equal(0, second.WrittenRows("order_items", RecordOperation.Upsert));
        Assert.True(warehouse.State!.Global!.Value.TryGetProperty("lsn", out _));
    }

    /// <summary>The seed's config with this server's address and the ${VAR} references resolved, as the host does before calling the connector.</summary>
    private JsonElement SeedConfig()
    {
        var secrets = new Dictionary<string, string> { ["POSTGRES_USER"] = "priya", ["POSTGRES_PASSWORD"] = "novamart-secret" };
        var resolved = Reference().Replace(SeedConnection, match => secrets[match.Groups[1].Value]);
        var config = JsonNode.Parse(resolved)!["config"]!.AsObject();
        config["host"] = "127.0.0.1";
        config["port"] = postgres.Port;
        return JsonSerializer.SerializeToElement(config);
    }

    [GeneratedRegex(@"\$\{([A-Z_]+)\}")]
    private static partial Regex Reference();
}
