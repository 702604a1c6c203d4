namespace Matih.Sdk.Data;

/// <summary>One column of a table or stream.</summary>
/// <param name="Name">Column name as in the source.</param>
/// <param name="Type">Logical type.</param>
/// <param name="Nullable">Whether NULL may occur.</param>
public sealed record ColumnSchema(string Name, ColumnType Type, bool Nullable = true)
{
    /// <summary>Total digits, for <see cref="ColumnType.Decimal"/>.</summary>
    public int? Precision { get; init; }

    /// <summary>Digits after the point, for <see cref="ColumnType.Decimal"/>.</summary>
    public int? Scale { get; init; }

    /// <summary>The type as the source names it (<c>character varying(255)</c>), for display.</summary>
    public string? SourceType { get; init; }

    /// <summary>Human description, searched by the catalog.</summary>
    public string? Description { get; init; }
}

/// <summary>The columns of a table or stream and its primary key (empty when it has none).</summary>
public sealed record TableSchema(IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<string> PrimaryKey)
{
    /// <summary>A schema without a primary key.</summary>
    public TableSchema(IReadOnlyList<ColumnSchema> columns)
        : this(columns, Array.Empty<string>())
    {
    }

    /// <summary>The column named <paramref name="name"/> (case-insensitive), or null.</summary>
    public ColumnSchema? Find(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}
