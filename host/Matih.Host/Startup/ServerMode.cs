using Hangfire;
using Hangfire.PostgreSql;
using Matih.Core.Hosting;
using Matih.Core.Metadata;
using Matih.Core.Warehouse;

namespace Matih.Host.Startup;

/// <summary>
/// Server mode: several hosts on one PostgreSQL metadata store, one Hangfire storage and one data directory: metadata
/// (users, connections, pipelines, runs, saved queries, ...), queues and schedules, files, and the DuckDB warehouse,
/// which the hosts take turns on (<see cref="WarehouseSharing.Shared"/>, README "Server mode").
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
    /// Opens the warehouse; when it is exclusive and another process holds it, says how hosts share one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The folder is held exclusively by another process.</exception>
    public static DuckDbWarehouse OpenWarehouse(WarehouseOptions options)
    {
        // DuckDB locks a catalog file only once it is attached, which may be long after start; a lock on the folder,
        // held for the process's life, makes a second host on the same folder fail at start with a clear message.
        // Shared hosts take the folder lock in shared mode: they coexist, and an exclusive host cannot join them.
        Directory.CreateDirectory(options.Directory);
        var share = options.Sharing == WarehouseSharing.Shared ? FileShare.ReadWrite : FileShare.None;
        try
        {
            _warehouseLock ??= new FileStream(Path.Combine(options.Directory, ".matih-host.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, share);
            return new DuckDbWarehouse(options);
        }
        catch (Exception e) when (e is IOException || e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"The warehouse folder {options.Directory} is held by another Matih process. Hosts on one folder must all share it: " +
                "start every one with --warehouse-sharing shared (the default with --metadata-postgres), or give this one its own " +
                "folder with --warehouse-dir <folder>.", e);
        }
    }

    /// <summary>One line for the log and the Settings page: the stores in force, without secrets.</summary>
    public static string Describe(MatihOptions options) =>
        $"metadata: {MetadataStores.Describe(options)}; jobs: {(EffectiveJobStorage(options) == JobStorageKind.PostgreSql ? "PostgreSQL (shared by every host on it)" : "embedded (this host)")}; " +
        $"warehouse: {(options.EffectiveWarehouseSharing == WarehouseSharing.Shared ? "shared (hosts on its folder take turns)" : "exclusive (this host)")}";

    private static string? JobConnectionString(MatihOptions options) =>
        options.JobStorageConnectionString ?? (options.MetadataStore == MetadataStoreKind.PostgreSql ? options.MetadataConnectionString : null);
}
