using Hangfire;
using Hangfire.PostgreSql;
using Matih.Core.Hosting;
using Matih.Core.Metadata;
using Matih.Core.Warehouse;

namespace Matih.Host.Startup;

/// <summary>
/// Server mode: several hosts on one PostgreSQL metadata store, one Hangfire storage and one data directory. What
/// is shared: metadata (users, connections, pipelines, runs, saved queries, ...), queues and schedules, files in the
/// data directory. What is not: a DuckDB warehouse folder can be open in one process only, so each host that shares
/// the data directory with another needs its own <c>--warehouse-dir</c> (docs in the report / README "Server mode").
/// </summary>
public static class ServerMode
{
    private static FileStream? _warehouseLock;

    /// <summary>Hangfire's storage in force: <see cref="JobStorageKind.Default"/> follows the metadata store.</summary>
    public static JobStorageKind EffectiveJobStorage(MatihOptions options) => options.JobStorage switch
    {
        JobStorageKind.Default => options.MetadataStore == MetadataStoreKind.PostgreSql ? JobStorageKind.PostgreSql : JobStorageKind.Embedded,
        var chosen => chosen,
    };

    /// <summary>Checks the store settings and throws a message naming the setting when one is missing or wrong.</summary>
    /// <exception cref="InvalidOperationException">A setting is missing or unreadable.</exception>
    public static void Validate(MatihOptions options)
    {
        if (options.MetadataStore == MetadataStoreKind.PostgreSql)
        {
            _ = MetadataStores.PostgresConnectionString(options);
        }

        if (EffectiveJobStorage(options) == JobStorageKind.PostgreSql && JobConnectionString(options) is null)
        {
            throw new InvalidOperationException(
                "Matih:JobStorage is PostgreSql but neither Matih:JobStorageConnectionString nor Matih:MetadataConnectionString is set.");
        }
    }

    /// <summary>Points Hangfire at the configured storage.</summary>
    public static IGlobalConfiguration UseJobStorage(IGlobalConfiguration configuration, MatihOptions options)
    {
        if (EffectiveJobStorage(options) != JobStorageKind.PostgreSql)
        {
            return configuration.UseInMemoryStorage();
        }

        var storage = new PostgreSqlStorageOptions
        {
            // The default 15 s poll would make every pipeline task wait; the queue table is small and indexed.
            QueuePollInterval = TimeSpan.FromMilliseconds(500),
            PrepareSchemaIfNecessary = true,
            SchemaName = "hangfire",
        };
        return configuration.UsePostgreSqlStorage(o => o.UseNpgsqlConnection(JobConnectionString(options)!), storage);
    }

    /// <summary>
    /// Opens the warehouse; when another process holds the DuckDB files, says which setting gives this host its own.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder is open in another process.</exception>
    public static DuckDbWarehouse OpenWarehouse(WarehouseOptions options)
    {
        // DuckDB locks a catalog file only once it is attached, which may be long after start; a lock on the folder,
        // held for the process's life, makes a second host on the same folder fail at start with a clear message.
        Directory.CreateDirectory(options.Directory);
        try
        {
            _warehouseLock ??= new FileStream(Path.Combine(options.Directory, ".matih-host.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new DuckDbWarehouse(options);
        }
        catch (Exception e) when (e is IOException || e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"The warehouse folder {options.Directory} is open in another Matih process (DuckDB allows one). Hosts sharing a data " +
                "directory need a warehouse folder each: start this one with --warehouse-dir <folder> (Matih:WarehouseDirectory).", e);
        }
    }

    /// <summary>One line for the log and the Settings page: the stores in force, without secrets.</summary>
    public static string Describe(MatihOptions options) =>
        $"metadata: {MetadataStores.Describe(options)}; jobs: {(EffectiveJobStorage(options) == JobStorageKind.PostgreSql ? "PostgreSQL (shared by every host on it)" : "embedded (this host)")}";

    private static string? JobConnectionString(MatihOptions options) =>
        options.JobStorageConnectionString ?? (options.MetadataStore == MetadataStoreKind.PostgreSql ? options.MetadataConnectionString : null);
}
