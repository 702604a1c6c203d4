using Matih.Sdk.Data;

namespace Matih.Core.Lineage;

/// <summary>What kind of statement it is, for lineage and permissions.</summary>
public enum StatementKind
{
    /// <summary>A query: reads only.</summary>
    Query,
    /// <summary>CREATE TABLE ... AS SELECT.</summary>
    CreateTableAs,
    /// <summary>CREATE TABLE with columns.</summary>
    CreateTable,
    /// <summary>CREATE VIEW ... AS SELECT.</summary>
    CreateView,
    /// <summary>INSERT INTO ... SELECT or VALUES.</summary>
    Insert,
    /// <summary>UPDATE, DELETE, TRUNCATE.</summary>
    Modify,
    /// <summary>DROP or ALTER.</summary>
    Ddl,
    /// <summary>Anything else (SET, ATTACH, COPY, PRAGMA, ...): administrators only.</summary>
    Other,
}

/// <summary>One column of a table.</summary>
public sealed record ColumnRef(TableRef Table, string Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{Table}.{Column}";
}

/// <summary>Which tables a statement reads and writes, and where each written column comes from when derivable.</summary>
/// <param name="Kind">The statement's kind.</param>
/// <param name="Reads">Tables read (CTE names excluded).</param>
/// <param name="Writes">Tables written or defined.</param>
/// <param name="Columns">Output column to the source columns it is computed from (empty when not derivable).</param>
/// <param name="TableFunctions">Table functions used (<c>read_csv</c>, <c>range</c>), for permission checks.</param>
public sealed record StatementLineage(
    StatementKind Kind,
    IReadOnlyList<TableRef> Reads,
    IReadOnlyList<TableRef> Writes,
    IReadOnlyDictionary<string, IReadOnlyList<ColumnRef>> Columns,
    IReadOnlyList<string> TableFunctions);
