using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourcePostgres.Discovery;

/// <summary>A table or view found in the source, with what a sync needs to read it.</summary>
/// <param name="Namespace">Schema in the source.</param>
/// <param name="Name">Table name in the source.</param>
/// <param name="StreamName">The stream's name: the table name, or <c>schema.table</c> when two selected schemas share it.</param>
/// <param name="IsView">True for views and materialized views (no CDC).</param>
/// <param name="Columns">Columns in table order.</param>
/// <param name="PrimaryKey">Primary-key columns in key order; empty when there is none.</param>
/// <param name="EstimatedRows">pg_class.reltuples, or null when never analysed.</param>
/// <param name="ReplicaIdentity">pg_class.relreplident: d (default), n (nothing), f (full), i (index).</param>
internal sealed record SourceTable(
    string Namespace,
    string Name,
    string StreamName,
    bool IsView,
    IReadOnlyList<SourceColumn> Columns,
    IReadOnlyList<string> PrimaryKey,
    long? EstimatedRows,
    char ReplicaIdentity)
{
    /// <summary>The table's quoted, schema-qualified name for SQL.</summary>
    public string QualifiedName => $"{Sql.Quote(Namespace)}.{Sql.Quote(Name)}";

    /// <summary><c>schema.table</c> for messages.</summary>
    public string DisplayName => $"{Namespace}.{Name}";

    /// <summary>The columns as the warehouse sees them.</summary>
    public TableSchema Schema => new(Columns.Select(c => c.Schema).ToList(), PrimaryKey);

    /// <summary>The SELECT list that reads every column in the form <see cref="SourceColumn.Kind"/> expects.</summary>
    public string SelectList => string.Join(", ", Columns.Select(c => c.SelectExpression));

    /// <summary>The index of column <paramref name="name"/> (exact, then case-insensitive), or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The stream as discover reports it.</summary>
    public StreamDescriptor ToDescriptor() => new(StreamName, Namespace, Schema, [SyncMode.FullRefresh, SyncMode.Incremental])
    {
        CursorCandidates = Columns.Where(c => c.IsCursorCandidate).Select(c => c.Name).ToList(),
        EstimatedRows = EstimatedRows,
    };
}

/// <summary>One column of a source table and how its values are read.</summary>
/// <param name="Schema">The column as the warehouse sees it (type, nullability, source type).</param>
/// <param name="Kind">The .NET form values arrive in from <see cref="SelectExpression"/> (and from the replication stream).</param>
/// <param name="Cast">A cast applied in the SELECT list (<c>text</c>, <c>float8</c>), or null.</param>
/// <param name="RereadInCdc">True when replication values of this type are not decoded but the row is re-read by key
/// with <see cref="SelectExpression"/>, so CDC and snapshots format it identically (types mapped to String via ::text).</param>
internal sealed record SourceColumn(ColumnSchema Schema, ValueKind Kind, string? Cast, bool RereadInCdc)
{
    /// <summary>The column's name.</summary>
    public string Name => Schema.Name;

    /// <summary>The expression in the SELECT list.</summary>
    public string SelectExpression => Cast is null ? Sql.Quote(Name) : $"{Sql.Quote(Name)}::{Cast} AS {Sql.Quote(Name)}";

    /// <summary>Timestamps, dates and whole numbers can be incremental cursors.</summary>
    public bool IsCursorCandidate => Schema.Type is ColumnType.Timestamp or ColumnType.TimestampTz or ColumnType.Date
        or ColumnType.Int32 or ColumnType.Int64;
}

/// <summary>The .NET form a column's values are read in.</summary>
internal enum ValueKind
{
    Boolean,
    Int16,
    Int32,
    Int64,
    Float4,
    Float8,
    Decimal,
    Text,
    Date,
    Timestamp,
    TimestampTz,
    Uuid,
    Bytea,
}
