using System.Text.Json;
using DuckDB.NET.Data;
using Matih.Core.Warehouse;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Core.Sync;

/// <summary>
/// The warehouse side of a sync. Rows go to a staging table per stream; at each checkpoint, in one DuckDB
/// transaction per destination catalog, full-refresh streams are swapped in place of their tables (readers see
/// the old table or the new one, never half), incremental streams are merged by primary key (latest change per
/// key wins, deletes applied, so replayed changes are harmless), and the connector's state is saved beside the
/// rows in <c>{catalog}._matih.sync_state</c>. A sync that stops between checkpoints leaves nothing half-written.
/// </summary>
/// <remarks>A full-refresh stream is swapped in at the first checkpoint after its rows are written, so connectors
/// checkpoint it only once it is complete.</remarks>
public sealed class WarehouseSink : IRecordSink, IAsyncDisposable
{
    private const string OpColumn = "_matih_op";
    private const string SeqColumn = "_matih_seq";
    private const byte UpsertOp = 0;
    private const byte DeleteOp = 1;

    private readonly DuckDbWarehouse _warehouse;
    private readonly string _stateKey;
    private readonly IReadOnlyDictionary<string, StreamTarget> _targets;
    private readonly Dictionary<string, StagedStream> _streams = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _sequence;

    /// <summary>Creates a sink for one sync.</summary>
    /// <param name="warehouse">The warehouse.</param>
    /// <param name="stateKey">Whose state this is (the connection id).</param>
    /// <param name="targets">Each stream's destination, by stream name.</param>
    public WarehouseSink(DuckDbWarehouse warehouse, string stateKey, IReadOnlyDictionary<string, StreamTarget> targets)
    {
        _warehouse = warehouse;
        _stateKey = stateKey;
        _targets = targets;
    }

    /// <summary>Raised when a stream reports progress: stream, rows read, rows estimated.</summary>
    public event Action<string, long, long?>? Progress;

    /// <summary>Rows committed per stream so far (upserts and deletes applied).</summary>
    public Dictionary<string, long> CommittedRows { get; } = new(StringComparer.Ordinal);

    /// <summary>The state passed at the last checkpoint.</summary>
    public ConnectorState? LastState { get; private set; }

    /// <summary>The state saved by the last committed checkpoint of <paramref name="stateKey"/> in <paramref name="catalog"/>, or null.</summary>
    public static async Task<ConnectorState?> LoadStateAsync(DuckDbWarehouse warehouse, string catalog, string stateKey, CancellationToken cancellationToken)
    {
        if (!warehouse.Catalogs.Contains(catalog, StringComparer.Ordinal))
        {
            return null;
        }

        using var connection = warehouse.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT state FROM {StateTable(catalog).ToSql()} WHERE state_key = $key";
        command.Parameters.Add(new DuckDBParameter("key", stateKey));
        try
        {
            var json = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            return json is null ? null : Deserialize(json);
        }
        catch (DuckDBException e) when (e.Message.Contains("does not exist", StringComparison.Ordinal))
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task BeginStreamAsync(string stream, TableSchema schema, CancellationToken cancellationToken)
    {
        var target = Target(stream);
        _warehouse.EnsureCatalog(target.Table.Catalog);
        var staging = target.Table with { Table = $"_matih_staging_{target.Table.Table}" };
        var incremental = target.Mode == SyncMode.Incremental;
        var stagingSchema = incremental
            ? new TableSchema([.. schema.Columns.Select(c => c with { Nullable = true }), new ColumnSchema(OpColumn, ColumnType.Int32, false), new ColumnSchema(SeqColumn, ColumnType.Int64, false)])
            : schema;
        var connection = _warehouse.OpenConnection();
        try
        {
            connection.Execute($"CREATE SCHEMA IF NOT EXISTS {TableRef.Quote(target.Table.Catalog)}.{TableRef.Quote(target.Table.Schema)}");
            connection.Execute(BatchAppender.CreateTableSql(staging, stagingSchema, orReplace: true));
            var staged = new StagedStream(target, staging, schema, connection);
            staged.Open();
            lock (_lock)
            {
                _streams[stream] = staged;
            }
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
        var staged = Staged(stream);
        if (staged.Target.Mode == SyncMode.FullRefresh)
        {
            if (operation != RecordOperation.Upsert)
            {
                throw new InvalidOperationException($"Stream '{stream}' is read in full-refresh mode, where rows can only be written, not deleted.");
            }

            BatchAppender.Append(staged.Appender!, batch);
        }
        else
        {
            if (operation == RecordOperation.Delete && staged.Target.PrimaryKey.Count == 0)
            {
                throw new InvalidOperationException($"Stream '{stream}' has no primary key, so its deletes cannot be applied.");
            }

            var first = Interlocked.Add(ref _sequence, batch.Count) - batch.Count;
            BatchAppender.AppendChanges(staged.Appender!, staged.Schema, batch, operation == RecordOperation.Delete ? DeleteOp : UpsertOp, first);
        }

        staged.Pending += batch.Count;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task TruncateAsync(string stream, CancellationToken cancellationToken)
    {
        var staged = Staged(stream);
        // Changes staged before the truncate no longer matter; the table is emptied at the next checkpoint.
        staged.Appender!.Dispose();
        staged.Connection.Execute($"DELETE FROM {staged.Staging.ToSql()}");
        staged.Open();
        staged.Truncate = true;
        staged.Pending = 0;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CheckpointAsync(ConnectorState state, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        List<(string Name, StagedStream Stream)> streams;
        lock (_lock)
        {
            streams = _streams.Select(kv => (kv.Key, kv.Value)).ToList();
        }

        var catalogs = streams.Select(s => s.Stream.Target.Table.Catalog)
            .Concat(_targets.Values.Select(t => t.Table.Catalog))
            .Distinct(StringComparer.Ordinal);
        var json = Serialize(state);
        foreach (var catalog in catalogs)
        {
            var inCatalog = streams.Where(s => s.Stream.Target.Table.Catalog == catalog).ToList();
            foreach (var (_, staged) in inCatalog)
            {
                staged.Appender!.Dispose();
                staged.Appender = null;
            }

            _warehouse.EnsureCatalog(catalog);
            using var connection = _warehouse.OpenConnection();
            EnsureStateTable(connection, catalog);
            using (var transaction = connection.BeginTransaction())
            {
                foreach (var (_, staged) in inCatalog)
                {
                    staged.Applied = staged.Target.Mode == SyncMode.FullRefresh ? SwapIn(connection, staged) : Merge(connection, staged);
                }

                using var save = connection.CreateCommand();
                save.CommandText = $"INSERT OR REPLACE INTO {StateTable(catalog).ToSql()} VALUES ($key, $state, now())";
                save.Parameters.Add(new DuckDBParameter("key", _stateKey));
                save.Parameters.Add(new DuckDBParameter("state", json));
                save.ExecuteNonQuery();
                transaction.Commit();
            }

            foreach (var (name, staged) in inCatalog)
            {
                CommittedRows[name] = CommittedRows.GetValueOrDefault(name) + staged.Applied;
                staged.Pending = 0;
                staged.Truncate = false;
                if (staged.Target.Mode == SyncMode.FullRefresh)
                {
                    // The stream is complete: its staging table became the destination.
                    staged.Connection.Dispose();
                    lock (_lock)
                    {
                        _streams.Remove(name);
                    }
                }
                else
                {
                    staged.Open();
                }
            }
        }

        LastState = state;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void ReportProgress(string stream, long rowsRead, long? rowsEstimated) => Progress?.Invoke(stream, rowsRead, rowsEstimated);

    /// <summary>Drops staging tables of streams that never reached a checkpoint: nothing half-written stays.</summary>
    public ValueTask DisposeAsync()
    {
        List<StagedStream> left;
        lock (_lock)
        {
            left = [.. _streams.Values];
            _streams.Clear();
        }

        foreach (var staged in left)
        {
            try
            {
                staged.Appender?.Dispose();
                staged.Connection.Execute($"DROP TABLE IF EXISTS {staged.Staging.ToSql()}");
            }
            catch (DuckDBException)
            {
                // The staging table is replaced by the next sync of this stream.
            }
            finally
            {
                staged.Connection.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    private static long SwapIn(DuckDBConnection connection, StagedStream staged)
    {
        var rows = Convert.ToInt64(connection.Scalar($"SELECT count(*) FROM {staged.Staging.ToSql()}"), System.Globalization.CultureInfo.InvariantCulture);
        connection.Execute($"DROP TABLE IF EXISTS {staged.Target.Table.ToSql()}");
        connection.Execute($"ALTER TABLE {staged.Staging.ToSql()} RENAME TO {TableRef.Quote(staged.Target.Table.Table)}");
        return rows;
    }

    private static long Merge(DuckDBConnection connection, StagedStream staged)
    {
        var target = staged.Target.Table.ToSql();
        var stagingSql = staged.Staging.ToSql();
        var columns = string.Join(", ", staged.Schema.Columns.Select(c => TableRef.Quote(c.Name)));
        connection.Execute(BatchAppender.CreateTableSql(staged.Target.Table, staged.Schema).Replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", StringComparison.Ordinal));
        AddMissingColumns(connection, staged);
        if (staged.Truncate)
        {
            connection.Execute($"DELETE FROM {target}");
        }

        var changes = Convert.ToInt64(connection.Scalar($"SELECT count(*) FROM {stagingSql}"), System.Globalization.CultureInfo.InvariantCulture);
        if (staged.Target.PrimaryKey.Count == 0)
        {
            connection.Execute($"INSERT INTO {target} ({columns}) SELECT {columns} FROM {stagingSql} WHERE {OpColumn} = {UpsertOp}");
        }
        else
        {
            var keys = staged.Target.PrimaryKey.Select(TableRef.Quote).ToArray();
            var join = string.Join(" AND ", keys.Select(k => $"t.{k} = s.{k}"));
            connection.Execute($"DELETE FROM {target} t USING (SELECT DISTINCT {string.Join(", ", keys)} FROM {stagingSql}) s WHERE {join}");
            connection.Execute($"""
                INSERT INTO {target} ({columns})
                SELECT {columns} FROM (
                    SELECT *, row_number() OVER (PARTITION BY {string.Join(", ", keys)} ORDER BY {SeqColumn} DESC) AS _matih_rank FROM {stagingSql})
                WHERE _matih_rank = 1 AND {OpColumn} = {UpsertOp}
                """);
        }

        connection.Execute($"DELETE FROM {stagingSql}");
        return changes;
    }

    private static void AddMissingColumns(DuckDBConnection connection, StagedStream staged)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT column_name FROM information_schema.columns WHERE table_catalog = $c AND table_schema = $s AND table_name = $t";
        command.Parameters.Add(new DuckDBParameter("c", staged.Target.Table.Catalog));
        command.Parameters.Add(new DuckDBParameter("s", staged.Target.Table.Schema));
        command.Parameters.Add(new DuckDBParameter("t", staged.Target.Table.Table));
        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                existing.Add(reader.GetString(0));
            }
        }

        foreach (var column in staged.Schema.Columns.Where(c => !existing.Contains(c.Name)))
        {
            connection.Execute($"ALTER TABLE {staged.Target.Table.ToSql()} ADD COLUMN {TableRef.Quote(column.Name)} {DuckDbTypes.ToSql(column)}");
        }
    }

    private static TableRef StateTable(string catalog) => new(catalog, "_matih", "sync_state");

    private static void EnsureStateTable(DuckDBConnection connection, string catalog)
    {
        connection.Execute($"CREATE SCHEMA IF NOT EXISTS {TableRef.Quote(catalog)}._matih");
        connection.Execute($"CREATE TABLE IF NOT EXISTS {StateTable(catalog).ToSql()} (state_key VARCHAR PRIMARY KEY, state VARCHAR NOT NULL, saved_at TIMESTAMP NOT NULL)");
    }

    private StreamTarget Target(string stream) => _targets.TryGetValue(stream, out var target)
        ? target
        : throw new InvalidOperationException($"Stream '{stream}' was not requested in this sync.");

    private StagedStream Staged(string stream)
    {
        lock (_lock)
        {
            return _streams.TryGetValue(stream, out var staged)
                ? staged
                : throw new InvalidOperationException($"Stream '{stream}' was written before BeginStreamAsync declared its schema, or after its full refresh was checkpointed.");
        }
    }

    private static string Serialize(ConnectorState state) => JsonSerializer.Serialize(new { streams = state.Streams, global = state.Global });

    private static ConnectorState Deserialize(string json)
    {
        using var document = JsonDocument.Parse(json);
        var streams = document.RootElement.GetProperty("streams").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        JsonElement? global = document.RootElement.TryGetProperty("global", out var g) && g.ValueKind != JsonValueKind.Null ? g.Clone() : null;
        return new ConnectorState(streams, global);
    }

    private sealed class StagedStream(StreamTarget target, TableRef staging, TableSchema schema, DuckDBConnection connection)
    {
        public StreamTarget Target { get; } = target;

        public TableRef Staging { get; } = staging;

        public TableSchema Schema { get; } = schema;

        public DuckDBConnection Connection { get; } = connection;

        public DuckDBAppender? Appender { get; set; }

        public long Pending { get; set; }

        public long Applied { get; set; }

        public bool Truncate { get; set; }

        public void Open() => Appender = Connection.CreateAppender(Staging.Catalog, Staging.Schema, Staging.Table);
    }
}
