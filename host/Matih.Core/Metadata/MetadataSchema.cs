using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Metadata;

/// <summary>
/// Brings the metadata store up to this build with the provider's EF Core migration set (Metadata/Migrations/Sqlite
/// or Metadata/Migrations/Postgres, both from the one model). A store made by the additive schema of earlier builds
/// is adopted (its missing tables created, the initial migration recorded); a store migrated by a newer Matih, one
/// with a migration this build does not know, is refused.
/// </summary>
public static partial class MetadataSchema
{
    /// <summary>
    /// Written to <c>schema_info</c>. Builds before migrations refuse a store whose version is above theirs (1), so
    /// an older Matih never writes into a migrated store.
    /// </summary>
    public const int Version = 2;

    /// <summary>Migrates the store behind <paramref name="db"/>.</summary>
    /// <param name="db">A context on the store; its connection is shared, not copied.</param>
    /// <param name="cancellationToken">Stops the work between steps.</param>
    /// <param name="log">Where to warn about a model change without a migration; null = nowhere.</param>
    /// <exception cref="InvalidOperationException">The store was migrated by a newer Matih; the message names the store and both versions.</exception>
    public static async Task EnsureAsync(MetadataDbContext db, CancellationToken cancellationToken, ILogger? log = null)
    {
        var connection = db.Database.GetDbConnection();
        await using var migrating = ForMigrations(db);
        var store = MetadataStores.Describe(connection);
        if (migrating.Database.IsSqlite())
        {
            // Write-ahead logging lets readers go on while pipeline workers write; it is a property of the file.
            await migrating.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL", cancellationToken).ConfigureAwait(false);
        }

        var known = migrating.Database.GetMigrations().ToList();
        var applied = (await migrating.Database.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        var unknown = applied.Except(known, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"The metadata store ({store}) was migrated by a newer Matih: it has migration {string.Join(", ", unknown)}, " +
                $"which this build does not know (this build's newest is {known.LastOrDefault() ?? "none"}). " +
                "Upgrade Matih, or point it at another data directory or database.");
        }

        var existing = applied.Count > 0 || await TableExistsAsync(migrating, "schema_info", cancellationToken).ConfigureAwait(false);
        if (s_pendingModelChanges.GetOrAdd(migrating.GetType(), _ => migrating.Database.HasPendingModelChanges()))
        {
            // A feature changed the model without a migration (MetadataMigrationsTests fails for it). Keep the host
            // usable until the migration is added: a new store gets the whole current model (its history saying the
            // known migrations ran), an existing one its migrations plus the missing tables, as the additive schema did.
            log?.LogWarning("The metadata model has changes without a migration; creating missing tables. Run scripts/migrations.sh add <Name>.");
            if (!existing)
            {
                await RunAdditiveAsync(migrating, migrating.Database.GenerateCreateScript() + ";" + HistoryScript(migrating, known), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await MigrateAsync(migrating, applied, known, cancellationToken).ConfigureAwait(false);
                await RunAdditiveAsync(migrating, migrating.Database.GenerateCreateScript(), cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await MigrateAsync(migrating, applied, known, cancellationToken).ConfigureAwait(false);
        }

        // An upsert: hosts starting together on one PostgreSQL store both get here; the version never goes down.
        await migrating.Database.ExecuteSqlAsync($"""
            INSERT INTO schema_info ("Id", "Version") VALUES (1, {Version})
            ON CONFLICT ("Id") DO UPDATE SET "Version" = CASE WHEN schema_info."Version" > excluded."Version" THEN schema_info."Version" ELSE excluded."Version" END
            """, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A provider context (the one owning the migration set) on <paramref name="db"/>'s connection.</summary>
    internal static MetadataDbContext ForMigrations(MetadataDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        if (db.Database.IsNpgsql())
        {
            return new PostgresMetadataDbContext(Tolerant(new DbContextOptionsBuilder<PostgresMetadataDbContext>().UseNpgsql(connection)).Options);
        }

        if (db.Database.IsSqlite())
        {
            return new SqliteMetadataDbContext(Tolerant(new DbContextOptionsBuilder<SqliteMetadataDbContext>()
                .UseSqlite(connection).AddInterceptors(new SqliteTuning())).Options);
        }

        throw new InvalidOperationException($"The metadata store must be SQLite or PostgreSQL, not {db.Database.ProviderName}.");
    }

    private static async Task MigrateAsync(MetadataDbContext db, List<string> applied, List<string> known, CancellationToken cancellationToken)
    {
        if (applied.Count == 0 && await TableExistsAsync(db, "schema_info", cancellationToken).ConfigureAwait(false))
        {
            await AdoptAsync(db, known[0], cancellationToken).ConfigureAwait(false);
        }

        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string HistoryScript(MetadataDbContext db, IEnumerable<string> migrations)
    {
        var history = db.GetService<IHistoryRepository>();
        return history.GetCreateIfNotExistsScript() + string.Concat(migrations.Select(id =>
            history.GetInsertScript(new HistoryRow(id, ProductInfo.GetVersion()))));
    }

    // EF 9+ refuses to migrate while the model has changes without a migration; EnsureAsync handles that itself.
    private static DbContextOptionsBuilder<T> Tolerant<T>(DbContextOptionsBuilder<T> builder) where T : DbContext =>
        builder.ConfigureWarnings(w => w.Log(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning));

    /// <summary>
    /// A store from before migrations: creates what the initial migration has and the store lacks, and records the
    /// initial migration as applied, in one script.
    /// </summary>
    private static async Task AdoptAsync(MetadataDbContext db, string initial, CancellationToken cancellationToken)
    {
        var script = db.GetService<IMigrator>().GenerateScript(fromMigration: Migration.InitialDatabase, toMigration: initial);
        await RunAdditiveAsync(db, script, cancellationToken).ConfigureAwait(false);
    }

    private static async Task RunAdditiveAsync(MetadataDbContext db, string script, CancellationToken cancellationToken)
    {
        var idempotent = CreateWithoutGuard().Replace(script, m => m.Value + "IF NOT EXISTS ");
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = idempotent;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private static async Task<bool> TableExistsAsync(MetadataDbContext db, string table, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = db.Database.IsSqlite()
                ? $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
                : $"SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{table}'";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
        }
        finally
        {
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    // The model and the migrations are fixed for the process: diff them once per provider, not per store opened.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, bool> s_pendingModelChanges = new();

    [GeneratedRegex(@"CREATE (UNIQUE )?(TABLE|INDEX) (?!IF NOT EXISTS)")]
    private static partial Regex CreateWithoutGuard();
}

/// <summary>The one row saying which schema version wrote the store.</summary>
public sealed class SchemaInfo
{
    /// <summary>Always 1.</summary>
    public int Id { get; set; }

    /// <summary>The schema version.</summary>
    public int Version { get; set; }
}
