using Matih.Sdk.Data;

namespace Matih.Sdk.Catalog;

/// <summary>Lists datasets and their metadata for the catalog: the warehouse, a live database schema, ...</summary>
public interface ICatalogProvider
{
    /// <summary>Provider id (<c>warehouse</c>, <c>postgres-live</c>).</summary>
    string Id { get; }

    /// <summary>Every dataset the provider knows. Called when the catalog refreshes; stream, don't buffer.</summary>
    IAsyncEnumerable<DatasetInfo> ListDatasetsAsync(CancellationToken cancellationToken);

    /// <summary>One dataset, freshly read, or null when it does not exist.</summary>
    Task<DatasetInfo?> GetDatasetAsync(TableRef table, CancellationToken cancellationToken);
}

/// <summary>A dataset as the catalog shows it.</summary>
/// <param name="Table">Its three-part name.</param>
/// <param name="Columns">Its columns.</param>
public sealed record DatasetInfo(TableRef Table, IReadOnlyList<ColumnSchema> Columns)
{
    /// <summary><c>table</c> or <c>view</c>.</summary>
    public string Kind { get; init; } = "table";

    /// <summary>Row count, when known.</summary>
    public long? RowCount { get; init; }

    /// <summary>When the data last changed, when known.</summary>
    public DateTimeOffset? LastUpdated { get; init; }

    /// <summary>Human description, searched by the catalog.</summary>
    public string? Description { get; init; }

    /// <summary>Where the data comes from, e.g. <c>novamart.public.customers</c> for a synced table.</summary>
    public string? SourceLocation { get; init; }

    /// <summary>Anything else worth showing (owner, connector, format).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}
