namespace Matih.Core.Catalog;

/// <summary>What Matih knows about a warehouse table beyond its columns: where it came from and when it changed.</summary>
public sealed class DatasetRecord
{
    /// <summary>The three-part name, <c>catalog.schema.table</c>.</summary>
    public required string Id { get; set; }

    /// <summary>Where the data comes from, e.g. <c>novamart.public.customers</c> or <c>customer_surveys_2025.csv</c>.</summary>
    public string? SourceLocation { get; set; }

    /// <summary>What wrote it: <c>sync:{connection}</c>, <c>import</c>, <c>sql</c>, <c>demo</c>.</summary>
    public required string Origin { get; set; }

    /// <summary>Rows after the last write.</summary>
    public long? RowCount { get; set; }

    /// <summary>When it was last written.</summary>
    public DateTimeOffset LastUpdated { get; set; }

    /// <summary>A description people can search for.</summary>
    public string? Description { get; set; }
}
