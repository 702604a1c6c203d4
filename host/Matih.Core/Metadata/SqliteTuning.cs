using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Matih.Core.Metadata;

/// <summary>
/// The embedded metadata store's connection settings: in WAL mode, <c>synchronous=NORMAL</c> commits without an fsync
/// each (the WAL is synced at checkpoints), which keeps a committed run safe from a crashed or killed process and
/// lets pipeline workers record many small state changes quickly. A busy timeout lets concurrent writers wait their turn.
/// </summary>
public sealed class SqliteTuning : DbConnectionInterceptor
{
    /// <summary>Uses SQLite at <paramref name="connectionString"/> with these settings.</summary>
    public static TBuilder Use<TBuilder>(TBuilder options, string connectionString) where TBuilder : DbContextOptionsBuilder
    {
        options.UseSqlite(connectionString).AddInterceptors(new SqliteTuning());
        return options;
    }

    /// <inheritdoc />
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Tune(connection);

    /// <inheritdoc />
    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Tune(connection);
        return Task.CompletedTask;
    }

    private static void Tune(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;";
        command.ExecuteNonQuery();
    }
}
