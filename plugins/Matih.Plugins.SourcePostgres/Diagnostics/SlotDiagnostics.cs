using System.Globalization;
using Matih.Plugins.SourcePostgres.Cdc;
using Matih.Plugins.SourcePostgres.Configuration;
using Matih.Sdk.Connectors;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Diagnostics;

/// <summary>
/// How a CDC connection's replication slot is doing: whether a sync is reading it, how far behind it is (bytes
/// and, while it is read, seconds) and how much WAL the server keeps for it. Warns when the slot is inactive or
/// lag or retained WAL pass the threshold.
/// </summary>
internal static class SlotDiagnostics
{
    public const string Active = "slot_active";
    public const string LagBytes = "slot_lag_bytes";
    public const string LagSeconds = "slot_lag_seconds";
    public const string RetainedBytes = "wal_retained_bytes";

    public static async Task<IReadOnlyList<SourceFigure>> DiagnoseAsync(PostgresConfig config, long warningBytes, CancellationToken cancellationToken)
    {
        if (!config.IsCdc)
        {
            return [];
        }

        var slotName = config.Replication.Slot!;
        NpgsqlConnection connection;
        try
        {
            connection = await SourceConnection.OpenAsync(config, commandTimeoutSeconds: 10, cancellationToken).ConfigureAwait(false);
        }
        catch (SourceUnavailableException e)
        {
            return [new SourceFigure("connection", "unreachable", e.Message)];
        }

        await using (connection.ConfigureAwait(false))
        {
            var slot = await SlotInfo.ReadAsync(connection, slotName, cancellationToken).ConfigureAwait(false);
            if (slot is null)
            {
                return [new SourceFigure(Active, "not created yet", $"Replication slot '{slotName}' does not exist yet; the first sync creates it.") { Number = 0 }];
            }

            var figures = new List<SourceFigure>
            {
                new(Active, slot.Active ? "yes" : "no", slot.Active ? null : $"Slot '{slotName}' is inactive: no sync is reading it, so the server keeps WAL for it until the next sync.")
                {
                    Number = slot.Active ? 1 : 0,
                },
            };
            if (slot.LagBytes is { } lag)
            {
                figures.Add(new SourceFigure(LagBytes, FormatBytes(lag), lag > warningBytes
                    ? $"Slot '{slotName}' is {FormatBytes(lag)} behind the server's WAL (threshold {FormatBytes(warningBytes)}): sync more often or run the connection continuously."
                    : null) { Number = lag });
            }

            if (slot.Active && slot.ActivePid is { } pid && await LagSecondsAsync(connection, pid, slot.LagBytes, cancellationToken).ConfigureAwait(false) is { } seconds)
            {
                figures.Add(new SourceFigure(LagSeconds, string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0} s")) { Number = seconds });
            }

            if (slot.RetainedBytes is { } retained)
            {
                var warning = slot.WalStatus is "unreserved" or "lost"
                    ? $"The server is about to remove or has removed WAL slot '{slotName}' still needs (wal_status = {slot.WalStatus}); if it is lost, the next sync re-snapshots."
                    : retained > warningBytes
                        ? $"The server keeps {FormatBytes(retained)} of WAL for slot '{slotName}' (threshold {FormatBytes(warningBytes)}); it is freed as syncs acknowledge changes. Watch the disk."
                        : null;
                figures.Add(new SourceFigure(RetainedBytes, FormatBytes(retained), warning) { Number = retained });
            }

            return figures;
        }
    }

    /// <summary>Replication lag in seconds as the server measures it from the reader's feedback; 0 when caught up.</summary>
    private static async Task<double?> LagSecondsAsync(NpgsqlConnection connection, int pid, long? lagBytes, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT EXTRACT(EPOCH FROM COALESCE(flush_lag, write_lag))::float8 FROM pg_stat_replication WHERE pid = @pid", connection);
        command.Parameters.AddWithValue("pid", pid);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is double seconds ? seconds : lagBytes == 0 ? 0 : null;
    }

    /// <summary>Bytes for people: 512 B, 12.4 MB, 1.0 GB (1 kB = 1024 B, as pg_size_pretty).</summary>
    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
