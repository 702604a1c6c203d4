namespace Matih.Core.Warehouse;

/// <summary>How the embedded DuckDB warehouse is laid out and limited.</summary>
public sealed class WarehouseOptions
{
    /// <summary>Folder holding one <c>{catalog}.duckdb</c> file per catalog.</summary>
    public required string Directory { get; init; }

    /// <summary>Catalogs attached at start even when empty, so the seed's three-part names resolve.</summary>
    public IReadOnlyList<string> Catalogs { get; init; } = ["postgresql", "snowflake", "analytics", "novamart"];

    /// <summary>DuckDB memory limit, e.g. <c>8GB</c>; past it DuckDB spills to <see cref="Directory"/>/tmp.</summary>
    public string? MemoryLimit { get; init; }

    /// <summary>Worker threads for DuckDB; null = one per core.</summary>
    public int? Threads { get; init; }

    /// <summary>Whether this process keeps the catalog files or takes turns on them with other hosts.</summary>
    public WarehouseSharing Sharing { get; init; } = WarehouseSharing.Exclusive;

    /// <summary>Shared: how long an operation waits for the other hosts to let go of the files before it fails.</summary>
    public TimeSpan LeaseWait { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Shared: how long this host keeps the files while another host is waiting, before it lets go.</summary>
    public TimeSpan FairShare { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Shared: how long the files stay attached after the last operation, so bursts do not re-attach.</summary>
    public TimeSpan IdleRelease { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// DuckDB lets one process at a time write a database file. <see cref="Exclusive"/> keeps the files for the process's
/// life (the embedded default, fastest); <see cref="Shared"/> attaches them per burst of work and lets go when idle or
/// when another host waits, so several hosts on one data directory see one warehouse (server mode).
/// </summary>
public enum WarehouseSharing
{
    /// <summary>This process holds the catalog files from start to shutdown.</summary>
    Exclusive,

    /// <summary>Hosts on the same folder take turns: each attaches the files while it works and lets go after.</summary>
    Shared,
}
