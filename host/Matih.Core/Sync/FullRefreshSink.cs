using DuckDB.NET.Data;
using Matih.Core.Warehouse;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Core.Sync;

/// <summary>
/// Receives a full-refresh read: each stream is appended into a staging table and swapped in place of its
/// destination at the checkpoint, in one transaction, so readers see the old table or the new one, never half.
/// </summary>
public sealed class FullRefreshSink : IRecordSink, IAsyncDisposable
{
    private readonly DuckDbWarehouse _warehouse;
    private readonly Func<string, TableRef> _destination;
    private readonly Dictionary<string, StagedStream> _streams = new(StringComparer.Ordinal);

    /// <summary>Creates a sink writing stream <c>s</c> to <paramref name="destination"/>(s).</summary>
    public FullRefreshSink(DuckDbWarehouse warehouse, Func<string, TableRef> destination)
    {
        _warehouse = warehouse;
        _destination = destination;
    }

    /// <summary>Raised when a stream reports progress: stream, rows read, rows estimated.</summary>
    public event Action<string, long, long?>? Progress;

    /// <summary>Rows committed per stream so far.</summary>
    public Dictionary<string, long> CommittedRows { get; } = new(StringComparer.Ordinal);

    /// <summary>The state passed at the last checkpoint.</summary>
    public ConnectorState? LastState { get; private set; }

    /// <inheritdoc />
    public Task BeginStreamAsync(string stream, TableSchema schema, CancellationToken cancellationToken)
    {
        var target = _destination(stream);
        _warehouse.EnsureCatalog(target.Catalog);
        var staging = target with { Table = $"_matih_staging_{target.Table}" };
        var connection = _warehouse.OpenConnection();
        try
        {
            Execute(connection, $"CREATE SCHEMA IF NOT EXISTS {TableRef.Quote(target.Catalog)}.{TableRef.Quote(target.Schema)}");
            Execute(connection, BatchAppender.CreateTableSql(staging, schema, orReplace: true));
            var appender = connection.CreateAppender(staging.Catalog, staging.Schema, staging.Table);
            _streams[stream] = new StagedStream(target, staging, schema, connection, appender);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task WriteAsync(string stream, RowBatch batch, RecordOperation operation, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (operation != RecordOperation.Upsert)
        {
            throw new InvalidOperationException($"Stream '{stream}' is read in full-refresh mode, where rows can only be written, not deleted.");
        }

        var staged = Staged(stream);
        BatchAppender.Append(staged.Appender!, batch);
        staged.Rows += batch.Count;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task TruncateAsync(string stream, CancellationToken cancellationToken)
    {
        var staged = Staged(stream);
        staged.Appender!.Dispose();
        Execute(staged.Connection, $"DELETE FROM {staged.Staging.ToSql()}");
        staged.Appender = staged.Connection.CreateAppender(staged.Staging.Catalog, staged.Staging.Schema, staged.Staging.Table);
        staged.Rows = 0;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CheckpointAsync(ConnectorState state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var (name, staged) in _streams)
        {
            // Disposing the appender flushes it; then the swap is one transaction in the stream's catalog.
            staged.Appender!.Dispose();
            staged.Appender = null;
            using (var transaction = staged.Connection.BeginTransaction())
            {
                Execute(staged.Connection, $"DROP TABLE IF EXISTS {staged.Target.ToSql()}");
                Execute(staged.Connection, $"ALTER TABLE {staged.Staging.ToSql()} RENAME TO {TableRef.Quote(staged.Target.Table)}");
                transaction.Commit();
            }

            CommittedRows[name] = staged.Rows;
            staged.Connection.Dispose();
        }

        _streams.Clear();
        LastState = state;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void ReportProgress(string stream, long rowsRead, long? rowsEstimated) => Progress?.Invoke(stream, rowsRead, rowsEstimated);

    /// <summary>Drops staging tables of streams that never reached a checkpoint: nothing half-written stays.</summary>
    public ValueTask DisposeAsync()
    {
        foreach (var staged in _streams.Values)
        {
            try
            {
                staged.Appender?.Dispose();
                Execute(staged.Connection, $"DROP TABLE IF EXISTS {staged.Staging.ToSql()}");
            }
            catch (DuckDBException)
            {
                // The staging table is dropped again by the next sync of this stream.
            }
            finally
            {
                staged.Connection.Dispose();
            }
        }

        _streams.Clear();
        return ValueTask.CompletedTask;
    }

    private StagedStream Staged(string stream) => _streams.TryGetValue(stream, out var staged)
        ? staged
        : throw new InvalidOperationException($"Stream '{stream}' was written before BeginStreamAsync declared its schema.");

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private sealed class StagedStream(TableRef target, TableRef staging, TableSchema schema, DuckDBConnection connection, DuckDBAppender appender)
    {
        public TableRef Target { get; } = target;

        public TableRef Staging { get; } = staging;

        public TableSchema Schema { get; } = schema;

        public DuckDBConnection Connection { get; } = connection;

        public DuckDBAppender? Appender { get; set; } = appender;

        public long Rows { get; set; }
    }
}
