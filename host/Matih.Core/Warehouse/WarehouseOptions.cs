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
}
