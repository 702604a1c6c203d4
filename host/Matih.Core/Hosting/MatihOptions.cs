namespace Matih.Core.Hosting;

/// <summary>Where Matih keeps its data and what it loads at start. Bound from the <c>Matih</c> configuration section.</summary>
public sealed class MatihOptions
{
    /// <summary>The data directory (<c>--data-dir</c>); everything Matih stores lives under it.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>plugins.json to read; null = <c>plugins.json</c> in the working directory, else beside the host.</summary>
    public string? PluginsFile { get; set; }

    /// <summary>Whether to load the NovaMart demo on start (<c>--no-demo</c> turns it off).</summary>
    public bool Demo { get; set; } = true;

    /// <summary>The demo's scale factor (1.0 = the seed's 2.1M customers).</summary>
    public double DemoScale { get; set; } = 0.01;

    /// <summary>DuckDB memory limit, e.g. <c>8GB</c>; null = 60% of the machine's memory. Past it DuckDB spills to disk.</summary>
    public string? WarehouseMemoryLimit { get; set; }

    /// <summary>Tables with more rows are profiled approximately unless exact figures are asked for.</summary>
    public long ExactProfileRowLimit { get; set; } = 50_000_000;

    /// <summary>The metadata store's connection string; null = a SQLite file in the data directory. Required for PostgreSQL.</summary>
    public string? MetadataConnectionString { get; set; }

    /// <summary>SQLite (default, one host) or PostgreSQL (server mode, <c>--metadata-postgres</c>).</summary>
    public Matih.Core.Metadata.MetadataStoreKind MetadataStore { get; set; }

    /// <summary>Hangfire's storage; by default it follows <see cref="MetadataStore"/>.</summary>
    public Matih.Core.Metadata.JobStorageKind JobStorage { get; set; }

    /// <summary>Hangfire's PostgreSQL connection string; null = <see cref="MetadataConnectionString"/>.</summary>
    public string? JobStorageConnectionString { get; set; }

    /// <summary>Background job workers on this host; null = a default for the machine, 0 = this host only queues work.</summary>
    public int? JobWorkers { get; set; }

    /// <summary>The DuckDB warehouse folder; null = <c>warehouse</c> in the data directory.</summary>
    public string? WarehouseDirectory { get; set; }

    /// <summary>
    /// Whether hosts on one warehouse folder take turns on it (<c>Shared</c>) or one host keeps it (<c>Exclusive</c>);
    /// null = shared in server mode (PostgreSQL metadata), exclusive otherwise.
    /// </summary>
    public Matih.Core.Warehouse.WarehouseSharing? WarehouseSharing { get; set; }

    /// <summary>Shared warehouse: seconds an operation waits for other hosts to let go of it before failing.</summary>
    public double WarehouseLeaseWaitSeconds { get; set; } = 120;

    /// <summary>The warehouse sharing in force (see <see cref="WarehouseSharing"/>).</summary>
    public Matih.Core.Warehouse.WarehouseSharing EffectiveWarehouseSharing => WarehouseSharing
        ?? (MetadataStore == Matih.Core.Metadata.MetadataStoreKind.PostgreSql ? Matih.Core.Warehouse.WarehouseSharing.Shared : Matih.Core.Warehouse.WarehouseSharing.Exclusive);

    /// <summary>The workbench's address as people reach it, for links in notifications.</summary>
    public string WorkbenchUrl { get; set; } = "http://localhost:5000";

    /// <summary>The data directory as a full path.</summary>
    public string DataPath => Path.GetFullPath(DataDirectory);
}
