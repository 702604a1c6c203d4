namespace Matih.Core.Lineage;

/// <summary>
/// One edge of the lineage graph: data flowed from <see cref="Upstream"/> to <see cref="Downstream"/>. Warehouse
/// tables are named <c>catalog.schema.table</c>; outside sources <c>source:{connection}:{location}</c> or <c>file:{name}</c>.
/// </summary>
public sealed class LineageEdge
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>Where the data came from.</summary>
    public required string Upstream { get; set; }

    /// <summary>Where it went.</summary>
    public required string Downstream { get; set; }

    /// <summary>What made it: <c>sql</c>, <c>sync</c>, <c>import</c>, <c>pipeline</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>Downstream column to upstream columns of this edge, as JSON (empty object when unknown).</summary>
    public string ColumnsJson { get; set; } = "{}";

    /// <summary>The statement or sync that made it, shortened.</summary>
    public string? Statement { get; set; }

    /// <summary>When it was last seen.</summary>
    public DateTimeOffset RecordedAt { get; set; }
}
