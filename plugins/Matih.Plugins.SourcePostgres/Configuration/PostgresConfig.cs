using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Plugins;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Configuration;

/// <summary>A connection's config for source-postgres, as in the seed's Stage 1 document.</summary>
/// <param name="Host">Server host name or address.</param>
/// <param name="Port">Server port.</param>
/// <param name="Database">Database to read.</param>
/// <param name="Username">Role to log in as.</param>
/// <param name="Password">Its password, or null (trust or peer authentication).</param>
/// <param name="Schemas">Schemas whose tables and views are offered as streams.</param>
/// <param name="Replication">How incremental streams are read.</param>
/// <param name="SslMode">The <c>ssl_mode</c> field as written (disable ... verify-full).</param>
internal sealed record PostgresConfig(
    string Host,
    int Port,
    string Database,
    string Username,
    string? Password,
    IReadOnlyList<string> Schemas,
    ReplicationSettings Replication,
    string SslMode)
{
    public const int DefaultPort = 5432;
    public const string DefaultSslMode = "prefer";

    private static readonly string[] SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
    internal static readonly string[] Methods = [ReplicationSettings.Standard, ReplicationSettings.Cdc];

    /// <summary>The config fields, as the Add Connection form shows them.</summary>
    public static IReadOnlyList<ParameterSpec> Spec { get; } =
    [
        new("host", ParameterType.String, "Host name or IP address of the PostgreSQL server.") { Required = true },
        new("port", ParameterType.Integer, "Port of the PostgreSQL server.")
        {
            Default = JsonValue.Create(DefaultPort),
            Minimum = 1,
            Maximum = 65535,
        },
        new("database", ParameterType.String, "Name of the database to read.") { Required = true },
        new("username", ParameterType.String, "Role to connect as; CDC needs the REPLICATION attribute (or superuser).") { Required = true },
        new("password", ParameterType.String, "Password of the role; write ${NAME} to take it from a secret.") { Secret = true },
        new("schemas", ParameterType.Array, "Schemas whose tables and views are offered as streams.")
        {
            Default = new JsonArray("public"),
        },
        new("replication_method", ParameterType.Object, "How incremental streams are read: Standard (by cursor column) or CDC (logical replication of the write-ahead log).")
        {
            Default = new JsonObject { ["method"] = ReplicationSettings.Standard },
            Properties =
            [
                new("method", ParameterType.String, "Standard reads rows whose cursor passed the saved value; CDC streams inserts, updates, deletes and truncates through a replication slot.")
                {
                    Required = true,
                    AllowedValues = Methods,
                    Default = JsonValue.Create(ReplicationSettings.Standard),
                },
                new("replication_slot", ParameterType.String, "CDC: name of the logical replication slot (pgoutput); created at the first sync when absent."),
                new("publication", ParameterType.String, "CDC: name of the publication listing the replicated tables; created or extended at the first sync when needed."),
                new("initial_wait_seconds", ParameterType.Integer, "CDC: how long a sync waits without any change before it ends, when the server cannot mark the end of the sync (read-only source).")
                {
                    Default = JsonValue.Create(ReplicationSettings.DefaultInitialWaitSeconds),
                    Minimum = 1,
                    Maximum = 3600,
                },
                new("max_batch_rows", ParameterType.Integer, "CDC: changes applied per checkpoint at most; smaller means fresher warehouse tables, larger means fewer commits.")
                {
                    Default = JsonValue.Create(ReplicationSettings.DefaultMaxBatchRows),
                    Minimum = 1,
                    Maximum = 1_000_000,
                },
                new("continuous", ParameterType.Boolean, "CDC: keep streaming changes until the sync is cancelled instead of stopping once caught up.")
                {
                    Default = JsonValue.Create(false),
                },
            ],
        },
        new("ssl_mode", ParameterType.String, "Encryption: disable, allow, prefer, require (encrypt, no certificate check), verify-ca or verify-full (check the server's certificate and name).")
        {
            Default = JsonValue.Create(DefaultSslMode),
            AllowedValues = SslModes,
        },
    ];

    /// <summary>True when incremental streams are read by logical replication.</summary>
    public bool IsCdc => Replication.IsCdc;

    /// <summary>Reads a config; on failure <paramref name="error"/> names the field at fault by its JSON path.</summary>
    public static bool TryParse(JsonElement config, out PostgresConfig parsed, out string error)
    {
        parsed = null!;
        error = string.Empty;
        if (config.ValueKind != JsonValueKind.Object)
        {
            error = $"config: must be a JSON object (got {ConfigFields.Describe(config)}).";
            return false;
        }

        if (!ConfigFields.TryString(config, "host", required: true, out var host, ref error)
            || !ConfigFields.TryInt(config, "port", DefaultPort, 1, 65535, out var port, ref error)
            || !ConfigFields.TryString(config, "database", required: true, out var database, ref error)
            || !ConfigFields.TryString(config, "username", required: true, out var username, ref error)
            || !ConfigFields.TryString(config, "password", required: false, out var password, ref error, allowEmpty: true)
            || !ConfigFields.TrySchemas(config, out var schemas, ref error)
            || !ReplicationSettings.TryParse(config, out var replication, ref error)
            || !ConfigFields.TryEnum(config, "ssl_mode", SslModes, DefaultSslMode, out var sslMode, ref error))
        {
            return false;
        }

        parsed = new PostgresConfig(host!, port, database!, username!, password, schemas, replication, sslMode);
        return true;
    }

    /// <summary>Reads a config or throws <see cref="ArgumentException"/> naming the field at fault.</summary>
    public static PostgresConfig Parse(JsonElement config) =>
        TryParse(config, out var parsed, out var error) ? parsed : throw new ArgumentException(error, nameof(config));

    /// <summary>A connection string for ordinary sessions.</summary>
    /// <param name="commandTimeoutSeconds">0 for no limit (long COPYs).</param>
    public string ConnectionString(int commandTimeoutSeconds = 30) => Builder(commandTimeoutSeconds).ConnectionString;

    /// <summary>The builder behind <see cref="ConnectionString"/>; replication connections use it too.</summary>
    public NpgsqlConnectionStringBuilder Builder(int commandTimeoutSeconds = 30) => new()
    {
        Host = Host,
        Port = Port,
        Database = Database,
        Username = Username,
        Password = Password,
        SslMode = SslMode switch
        {
            "disable" => Npgsql.SslMode.Disable,
            "allow" => Npgsql.SslMode.Allow,
            "require" => Npgsql.SslMode.Require,
            "verify-ca" => Npgsql.SslMode.VerifyCA,
            "verify-full" => Npgsql.SslMode.VerifyFull,
            _ => Npgsql.SslMode.Prefer,
        },
        ApplicationName = "matih-source-postgres",
        Timeout = 15,
        CommandTimeout = commandTimeoutSeconds,
        // Syncs are rare and long; checks must see password and pg_hba changes at once. No pool to go stale.
        Pooling = false,
        // COPY streams megabytes: a larger buffer means far fewer socket reads than the default 8 KB.
        ReadBufferSize = 64 * 1024,
    };

    /// <summary>Where the config points, for messages: <c>host:port/database</c>.</summary>
    public string Location => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}/{Database}");

}
