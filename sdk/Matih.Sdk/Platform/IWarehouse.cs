using Matih.Sdk.Data;

namespace Matih.Sdk.Platform;

/// <summary>
/// The embedded warehouse as plugins see it: SQL over three-part names (<c>catalog.schema.table</c>). Obtain it from
/// the <see cref="IServiceProvider"/> the host passes to tasks and other plugin calls.
/// </summary>
public interface IWarehouse
{
    /// <summary>Catalogs attached now (<c>postgresql</c>, <c>snowflake</c>, <c>analytics</c>, ...).</summary>
    IReadOnlyList<string> Catalogs { get; }

    /// <summary>Runs a query and returns all its rows. For large results prefer <see cref="QueryBatchesAsync"/>.</summary>
    Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken);

    /// <summary>Runs a query and streams its rows in batches.</summary>
    IAsyncEnumerable<RowBatch> QueryBatchesAsync(string sql, int batchSize, CancellationToken cancellationToken);

    /// <summary>Runs a statement; returns the rows it changed, when the engine says.</summary>
    Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken);

    /// <summary>The schema of a table, or null when it does not exist.</summary>
    Task<TableSchema?> GetSchemaAsync(TableRef table, CancellationToken cancellationToken);
}

/// <summary>A query's rows.</summary>
/// <param name="Columns">The result columns.</param>
/// <param name="Rows">The rows, one value per column; null for NULL.</param>
public sealed record QueryResult(IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<object?[]> Rows);
