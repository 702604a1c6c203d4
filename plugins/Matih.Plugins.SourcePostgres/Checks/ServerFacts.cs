using Npgsql;

namespace Matih.Plugins.SourcePostgres.Checks;

/// <summary>What the server and the logged-in role can do, read in one query.</summary>
/// <param name="Version">server_version, e.g. <c>15.14</c>.</param>
/// <param name="Ssl">Whether this session is encrypted.</param>
/// <param name="WalLevel">wal_level: minimal, replica or logical.</param>
/// <param name="CanReplicate">The role has REPLICATION or is a superuser.</param>
/// <param name="MaxReplicationSlots">max_replication_slots.</param>
/// <param name="VersionNumber">server_version_num, e.g. 150014.</param>
internal sealed record ServerFacts(string Version, bool Ssl, string WalLevel, bool CanReplicate, int MaxReplicationSlots, int VersionNumber)
{
    private const string FactsSql = """
        SELECT current_setting('server_version'),
               COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false),
               current_setting('wal_level'),
               COALESCE((SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user), false),
               current_setting('max_replication_slots')::int4,
               current_setting('server_version_num')::int4
        """;

    /// <summary>Binary pgoutput values (and the messages option) need PostgreSQL 14.</summary>
    public const int MinimumCdcVersion = 140000;

    /// <summary>Why CDC cannot run on this server for this role, or null when it can.</summary>
    public string? CdcProblem(string username)
    {
        if (VersionNumber < MinimumCdcVersion)
        {
            return $"replication_method: CDC needs PostgreSQL 14 or later (binary logical replication); this server runs {Version}. Use the Standard method.";
        }

        if (WalLevel != "logical")
        {
            return $"replication_method: CDC needs wal_level = logical, but the server has wal_level = {WalLevel}. Set it (ALTER SYSTEM SET wal_level = logical) and restart PostgreSQL, or use the Standard method.";
        }

        if (!CanReplicate)
        {
            return $"username: CDC needs a role that may replicate, but '{username}' has neither REPLICATION nor superuser. Run ALTER ROLE {Sql.Quote(username)} WITH REPLICATION, or use the Standard method.";
        }

        return MaxReplicationSlots == 0
            ? "replication_method: the server allows no replication slots (max_replication_slots = 0). Raise it and restart PostgreSQL."
            : null;
    }

    /// <summary>Reads the facts of <paramref name="connection"/>'s server and role.</summary>
    public static async Task<ServerFacts> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(FactsSql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var version = reader.GetString(0);
        var space = version.IndexOf(' ', StringComparison.Ordinal);
        return new ServerFacts(space > 0 ? version[..space] : version, reader.GetBoolean(1), reader.GetString(2), reader.GetBoolean(3), reader.GetInt32(4), reader.GetInt32(5));
    }
}
