using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Matih.Plugins.SourcePostgres.Tests.Support;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Tests.Checks;

/// <summary>A server where role <c>priya</c> must log in with a password (scram-sha-256) and <c>analyst</c> may not replicate.</summary>
public sealed class PasswordServerFixture : PostgresFixture
{
    public const string Password = "s3cret-Pa55";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ExecuteAsync("postgres", $"""
            CREATE ROLE priya LOGIN REPLICATION PASSWORD '{Password}';
            CREATE ROLE analyst LOGIN;
            """);
        await ExecuteAsync("postgres", "CREATE DATABASE novamart OWNER priya");
        await ExecuteAsync("novamart", "CREATE TABLE customers (customer_id bigint PRIMARY KEY); CREATE TABLE page_views (url text); ALTER TABLE customers OWNER TO priya; ALTER TABLE page_views OWNER TO priya;");
        var hba = await ScalarAsync<string>("postgres", "SHOW hba_file");
        await ExecuteAsync("postgres", $"""
            COPY (SELECT unnest(ARRAY[
                'host all priya 127.0.0.1/32 scram-sha-256',
                'local all all trust',
                'host all all 127.0.0.1/32 trust',
                'host all all ::1/128 trust'])) TO '{hba}';
            SELECT pg_reload_conf();
            """);

        // The reload is asynchronous: wait until the password is demanded.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={Port};Username=priya;Password=wrong;Database=novamart;Pooling=false");
                await connection.OpenAsync();
                await Task.Delay(50);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                return;
            }
        }

        throw new InvalidOperationException("pg_hba.conf was not reloaded.");
    }
}

public sealed class ConnectionCheckTests(PasswordServerFixture postgres) : IClassFixture<PasswordServerFixture>
{
    [Fact]
    public async Task A_good_config_checks_and_says_where_it_connected()
    {
        var result = await postgres.Connector.CheckAsync(Config(), default);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains($"127.0.0.1:{postgres.Port}/novamart as 'priya' without SSL", result.Message, StringComparison.Ordinal);
        Assert.Contains("2 readable tables", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_fails_the_check_naming_the_password()
    {
        var result = await postgres.Connector.CheckAsync(Config(c => c["password"] = "guess"), default);

        Assert.False(result.Succeeded);
        Assert.StartsWith("password: the password for user 'priya' was rejected", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_host_fails_the_check_with_the_address()
    {
        var closedPort = ClosedPort();

        var result = await postgres.Connector.CheckAsync(Config(c => c["port"] = closedPort), default);

        Assert.False(result.Succeeded);
        Assert.Contains($"could not reach 127.0.0.1:{closedPort}: the connection was refused", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_database_fails_the_check_naming_the_database()
    {
        var result = await postgres.Connector.CheckAsync(Config(c => c["database"] = "novamrt"), default);

        Assert.False(result.Succeeded);
        Assert.StartsWith("database: database 'novamrt' does not exist", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_schema_fails_the_check_naming_the_schema()
    {
        var result = await postgres.Connector.CheckAsync(Config(c => c["schemas"] = new JsonArray("public", "sales")), default);

        Assert.False(result.Succeeded);
        Assert.StartsWith("schemas: 'sales' does not exist", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ssl_mode_require_fails_against_a_server_without_ssl()
    {
        var result = await postgres.Connector.CheckAsync(Config(c => c["ssl_mode"] = "require"), default);

        Assert.False(result.Succeeded);
        Assert.StartsWith("ssl_mode:", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_config_fails_the_check_naming_the_field_by_its_path()
    {
        var result = await postgres.Connector.CheckAsync(Config(c => c["replication_method"] = new JsonObject { ["method"] = "CDC", ["publication"] = "matih_pub" }), default);

        Assert.False(result.Succeeded);
        Assert.Equal("replication_method.replication_slot: is required.", result.Message);
    }

    [Fact]
    public async Task A_cdc_config_checks_when_the_role_may_replicate_and_names_tables_without_a_primary_key()
    {
        var result = await postgres.Connector.CheckAsync(CdcConfig(), default);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("CDC is ready", result.Message, StringComparison.Ordinal);
        Assert.Contains("slot 'matih_cdc_slot' will be created", result.Message, StringComparison.Ordinal);
        Assert.Contains("'page_views'", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cdc_config_fails_the_check_when_the_role_may_not_replicate()
    {
        var result = await postgres.Connector.CheckAsync(CdcConfig(c => c["username"] = "analyst"), default);

        Assert.False(result.Succeeded);
        Assert.StartsWith("username: CDC needs a role that may replicate, but 'analyst' has neither REPLICATION nor superuser", result.Message, StringComparison.Ordinal);
        Assert.Contains("ALTER ROLE \"analyst\" WITH REPLICATION", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cdc_config_fails_the_check_when_the_slot_belongs_to_another_plugin()
    {
        await postgres.ExecuteAsync("novamart", "SELECT pg_create_logical_replication_slot('decoding_slot', 'test_decoding')");
        try
        {
            var result = await postgres.Connector.CheckAsync(CdcConfig(c => c["replication_method"]!["replication_slot"] = "decoding_slot"), default);

            Assert.False(result.Succeeded);
            Assert.StartsWith("replication_method.replication_slot: slot 'decoding_slot' uses the test_decoding plugin", result.Message, StringComparison.Ordinal);
        }
        finally
        {
            await postgres.ExecuteAsync("novamart", "SELECT pg_drop_replication_slot('decoding_slot')");
        }
    }

    private System.Text.Json.JsonElement Config(Action<JsonObject>? change = null) => postgres.Config("novamart", c =>
    {
        c["username"] = "priya";
        c["password"] = PasswordServerFixture.Password;
        change?.Invoke(c);
    });

    private System.Text.Json.JsonElement CdcConfig(Action<JsonObject>? change = null) => Config(c =>
    {
        c["replication_method"] = new JsonObject { ["method"] = "CDC", ["replication_slot"] = "matih_cdc_slot", ["publication"] = "matih_pub" };
        change?.Invoke(c);
    });

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
