using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Plugins.SourcePostgres;
using Matih.Testing;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Tests.Support;

/// <summary>One real PostgreSQL per test class, with helpers to make databases and configs.</summary>
public class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public int Port => Server.Port;

    public PostgresConnector Connector { get; } = new(PostgresPluginSettings.Default);

    public virtual async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public virtual async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Creates a fresh database and runs <paramref name="setupSql"/> in it.</summary>
    public async Task<string> CreateDatabaseAsync(string setupSql = "")
    {
        var name = "db_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync("postgres", $"CREATE DATABASE {name}");
        if (!string.IsNullOrWhiteSpace(setupSql))
        {
            await ExecuteAsync(name, setupSql);
        }

        return name;
    }

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A source-postgres config for <paramref name="database"/> as the superuser; <paramref name="change"/> edits it.</summary>
    public JsonElement Config(string database, Action<JsonObject>? change = null)
    {
        var config = new JsonObject
        {
            ["host"] = "127.0.0.1",
            ["port"] = Port,
            ["database"] = database,
            ["username"] = "postgres",
            ["password"] = "unused-with-trust",
            ["schemas"] = new JsonArray("public"),
            ["replication_method"] = new JsonObject { ["method"] = "Standard" },
            ["ssl_mode"] = "disable",
        };
        change?.Invoke(config);
        return JsonSerializer.SerializeToElement(config);
    }

    /// <summary>A CDC config with its own slot and publication names.</summary>
    public JsonElement CdcConfig(string database, Action<JsonObject>? change = null) => Config(database, config =>
    {
        config["replication_method"] = new JsonObject
        {
            ["method"] = "CDC",
            ["replication_slot"] = "slot_" + database,
            ["publication"] = "pub_" + database,
        };
        change?.Invoke(config);
    });
}
