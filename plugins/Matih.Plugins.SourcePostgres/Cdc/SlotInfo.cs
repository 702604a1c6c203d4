using Matih.Plugins.SourcePostgres.Configuration;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Cdc;

/// <summary>A replication slot as pg_replication_slots shows it.</summary>
/// <param name="Plugin">Output plugin (CDC needs pgoutput).</param>
/// <param name="Database">The database it decodes.</param>
/// <param name="Active">Whether a process is reading it now.</param>
/// <param name="ActivePid">That process, or null.</param>
/// <param name="ConfirmedFlushLsn">Where the consumer has acknowledged up to, as text.</param>
/// <param name="LagBytes">pg_current_wal_lsn() - confirmed_flush_lsn.</param>
/// <param name="RetainedBytes">pg_current_wal_lsn() - restart_lsn: WAL the server keeps for this slot.</param>
/// <param name="WalStatus">reserved, extended, unreserved or lost.</param>
internal sealed record SlotInfo(string? Plugin, string? Database, bool Active, int? ActivePid, string? ConfirmedFlushLsn, long? LagBytes, long? RetainedBytes, string? WalStatus)
{
    // One reading of the current WAL position for both figures: two calls could straddle a write and make the
    // retained WAL look smaller than the lag.
    private const string SlotSql = """
        SELECT plugin::text, database::text, active, active_pid, confirmed_flush_lsn::text,
               (now_lsn - confirmed_flush_lsn)::int8, (now_lsn - restart_lsn)::int8, wal_status
        FROM pg_replication_slots, (SELECT pg_current_wal_lsn() AS now_lsn) AS current_wal
        WHERE slot_name = @slot
        """;

    /// <summary>The slot named <paramref name="slot"/>, or null when it does not exist.</summary>
    public static async Task<SlotInfo?> ReadAsync(NpgsqlConnection connection, string slot, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SlotSql, connection);
        command.Parameters.AddWithValue("slot", slot);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new SlotInfo(
            reader.IsDBNull(0) ? null : reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.GetBoolean(2),
            reader.IsDBNull(3) ? null : reader.GetInt32(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetInt64(5),
            reader.IsDBNull(6) ? null : reader.GetInt64(6),
            reader.IsDBNull(7) ? null : reader.GetString(7));
    }

    /// <summary>Why this existing slot cannot serve <paramref name="config"/>, or null when it can.</summary>
    public string? Problem(PostgresConfig config)
    {
        var name = config.Replication.Slot;
        if (Plugin is null)
        {
            return $"replication_method.replication_slot: '{name}' is a physical replication slot; CDC needs a logical slot using pgoutput. Choose another name.";
        }

        if (Plugin != "pgoutput")
        {
            return $"replication_method.replication_slot: slot '{name}' uses the {Plugin} plugin; Matih reads pgoutput slots. Choose another name, or drop it with SELECT pg_drop_replication_slot('{name}').";
        }

        if (!string.Equals(Database, config.Database, StringComparison.Ordinal))
        {
            return $"replication_method.replication_slot: slot '{name}' belongs to database '{Database}', not '{config.Database}'. Choose another name.";
        }

        if (WalStatus == "lost")
        {
            return $"replication_method.replication_slot: slot '{name}' has lost WAL it needed (wal_status = lost), so changes were missed. Drop it with SELECT pg_drop_replication_slot('{name}'); the next sync re-creates it and takes a new snapshot.";
        }

        return null;
    }
}

/// <summary>A publication as pg_publication shows it.</summary>
/// <param name="AllTables">FOR ALL TABLES.</param>
/// <param name="Tables">Its tables as <c>schema.table</c> (empty with <paramref name="AllTables"/>).</param>
/// <param name="Insert">Publishes inserts.</param>
/// <param name="Update">Publishes updates.</param>
/// <param name="Delete">Publishes deletes.</param>
/// <param name="Truncate">Publishes truncates.</param>
internal sealed record PublicationInfo(bool AllTables, IReadOnlySet<string> Tables, bool Insert, bool Update, bool Delete, bool Truncate)
{
    /// <summary>The publication named <paramref name="publication"/>, or null when it does not exist.</summary>
    public static async Task<PublicationInfo?> ReadAsync(NpgsqlConnection connection, string publication, CancellationToken cancellationToken)
    {
        bool all, insert, update, delete, truncate;
        await using (var command = new NpgsqlCommand("SELECT puballtables, pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = @name", connection))
        {
            command.Parameters.AddWithValue("name", publication);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            (all, insert, update, delete, truncate) = (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetBoolean(3), reader.GetBoolean(4));
        }

        var tables = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT schemaname::text, tablename::text FROM pg_publication_tables WHERE pubname = @name", connection))
        {
            command.Parameters.AddWithValue("name", publication);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                tables.Add($"{reader.GetString(0)}.{reader.GetString(1)}");
            }
        }

        return new PublicationInfo(all, tables, insert, update, delete, truncate);
    }

    /// <summary>The change kinds CDC needs that the publication leaves out ("updates and deletes"), or null.</summary>
    public string? MissingOperations()
    {
        var missing = new List<string>();
        if (!Insert)
        {
            missing.Add("inserts");
        }

        if (!Update)
        {
            missing.Add("updates");
        }

        if (!Delete)
        {
            missing.Add("deletes");
        }

        return missing.Count == 0 ? null : string.Join(" and ", missing);
    }

    /// <summary>Whether <paramref name="table"/> is published.</summary>
    public bool Includes(string schema, string table) => AllTables || Tables.Contains($"{schema}.{table}");
}
