using System.Globalization;
using System.Text;
using Matih.Plugins.SourcePostgres.Cdc;
using Matih.Plugins.SourcePostgres.Configuration;
using Matih.Plugins.SourcePostgres.Discovery;
using Matih.Sdk.Connectors;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Checks;

/// <summary>
/// The Test button: connects, checks the schemas and, for CDC, everything logical replication needs. Every problem
/// comes back as a <see cref="CheckResult.Failed"/> sentence; nothing is created or changed on the server.
/// </summary>
internal static class ConnectionCheck
{
    public static async Task<CheckResult> RunAsync(PostgresConfig config, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await SourceConnection.OpenAsync(config, commandTimeoutSeconds: 30, cancellationToken).ConfigureAwait(false);
        }
        catch (SourceUnavailableException e)
        {
            return CheckResult.Failed(e.Message);
        }

        await using (connection.ConfigureAwait(false))
        {
            try
            {
                return await CheckAsync(connection, config, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                return CheckResult.Failed($"Connected to {config.Location}, but checking it failed: {e.MessageText} (SQLSTATE {e.SqlState}).");
            }
        }
    }

    private static async Task<CheckResult> CheckAsync(NpgsqlConnection connection, PostgresConfig config, CancellationToken cancellationToken)
    {
        var facts = await ServerFacts.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        var missing = config.Schemas.Except(await SchemasAsync(connection, config, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            return CheckResult.Failed($"schemas: {Quoted(missing)} {(missing.Count == 1 ? "does" : "do")} not exist in database '{config.Database}' (or '{config.Username}' may not use {(missing.Count == 1 ? "it" : "them")}).");
        }

        var tables = await SourceCatalog.ReadAsync(connection, config, cancellationToken).ConfigureAwait(false);
        var message = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"Connected to PostgreSQL {facts.Version} at {config.Location} as '{config.Username}'{(facts.Ssl ? " over SSL" : " without SSL")}; {tables.Count} readable {(tables.Count == 1 ? "table or view" : "tables and views")} in {string.Join(", ", config.Schemas)}."));
        if (!config.IsCdc)
        {
            return CheckResult.Ok(message.ToString());
        }

        var replication = config.Replication;
        if (facts.CdcProblem(config.Username) is { } cdcProblem)
        {
            return CheckResult.Failed(cdcProblem);
        }

        try
        {
            // Replication connections have their own limits (max_wal_senders, pg_hba.conf): try one.
            await using var replicationConnection = await CdcReader.OpenReplicationAsync(config, cancellationToken).ConfigureAwait(false);
            await replicationConnection.IdentifySystem(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            return CheckResult.Failed(e.Message);
        }

        var slot = await SlotInfo.ReadAsync(connection, replication.Slot!, cancellationToken).ConfigureAwait(false);
        if (slot is not null && slot.Problem(config) is { } slotProblem)
        {
            return CheckResult.Failed(slotProblem);
        }

        message.Append(' ').Append(slot is null
            ? $"CDC is ready: wal_level is logical, '{config.Username}' may replicate, and slot '{replication.Slot}' will be created at the first sync."
            : $"CDC is ready: wal_level is logical, '{config.Username}' may replicate, and slot '{replication.Slot}' exists ({(slot.Active ? "in use now" : "idle")}).");

        var publication = await PublicationInfo.ReadAsync(connection, replication.Publication!, cancellationToken).ConfigureAwait(false);
        message.Append(publication is null
            ? $" Publication '{replication.Publication}' will be created for the CDC streams."
            : $" Publication '{replication.Publication}' exists{(publication.AllTables ? " for all tables" : string.Create(CultureInfo.InvariantCulture, $" with {publication.Tables.Count} tables"))}.");
        if (publication?.MissingOperations() is { } operations)
        {
            return CheckResult.Failed($"replication_method.publication: publication '{replication.Publication}' does not publish {operations}, so those changes would never reach Matih. Run ALTER PUBLICATION {Sql.Quote(replication.Publication!)} SET (publish = 'insert, update, delete, truncate').");
        }

        var withoutKey = tables.Where(t => !t.IsView && t.PrimaryKey.Count == 0).Select(t => t.StreamName).ToList();
        if (withoutKey.Count > 0)
        {
            message.Append(" These tables have no primary key, so they can only be read in full_refresh mode: ").Append(Quoted(withoutKey)).Append('.');
        }

        return CheckResult.Ok(message.ToString());
    }

    private static async Task<HashSet<string>> SchemasAsync(NpgsqlConnection connection, PostgresConfig config, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT nspname::text FROM pg_namespace WHERE nspname = ANY(@schemas) AND has_schema_privilege(oid, 'USAGE')", connection);
        command.Parameters.AddWithValue("schemas", config.Schemas.ToArray());
        var found = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }

    private static string Quoted(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
