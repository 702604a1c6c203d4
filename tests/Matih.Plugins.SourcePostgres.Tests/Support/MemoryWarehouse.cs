using System.Globalization;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourcePostgres.Tests.Support;

/// <summary>
/// An in-memory warehouse that behaves like the real sink: each sync's writes are staged and applied at a
/// checkpoint together with the state (upserts replace rows by primary key, deletes remove them, truncates empty
/// the table, full-refresh streams are replaced whole); a sync that stops before a checkpoint leaves nothing.
/// </summary>
internal sealed class MemoryWarehouse
{
    private readonly Dictionary<string, MemoryTable> _tables = new(StringComparer.Ordinal);

    /// <summary>The state of the last checkpoint, handed to the next sync.</summary>
    public ConnectorState? State { get; private set; }

    /// <summary>Every checkpoint's state, in order, over all syncs.</summary>
    public List<ConnectorState> Checkpoints { get; } = [];

    public MemoryTable this[string stream] => _tables[stream];

    public bool Has(string stream) => _tables.ContainsKey(stream);

    /// <summary>A sink for one sync.</summary>
    /// <param name="fullRefresh">Streams read in full-refresh mode (replaced at their checkpoint).</param>
    /// <param name="onWrite">Called after each batch is staged: stream, operation, rows.</param>
    public SyncSink Sink(IEnumerable<string>? fullRefresh = null, Action<string, RecordOperation, int>? onWrite = null) =>
        new(this, fullRefresh?.ToHashSet(StringComparer.Ordinal) ?? [], onWrite);

    internal sealed class SyncSink(MemoryWarehouse warehouse, HashSet<string> fullRefresh, Action<string, RecordOperation, int>? onWrite) : IRecordSink
    {
        private readonly Dictionary<string, TableSchema> _schemas = new(StringComparer.Ordinal);
        private readonly List<(string Stream, RecordOperation? Operation, object?[]? Row)> _staged = [];
        private readonly HashSet<string> _replacing = new(StringComparer.Ordinal);

        /// <summary>Rows written (staged) per stream and operation during this sync.</summary>
        public Dictionary<(string Stream, RecordOperation Operation), int> Written { get; } = [];

        public List<string> Truncated { get; } = [];

        public int Checkpoints { get; private set; }

        public Task BeginStreamAsync(string stream, TableSchema schema, CancellationToken cancellationToken)
        {
            _schemas[stream] = schema;
            if (fullRefresh.Contains(stream))
            {
                _replacing.Add(stream);
            }

            return Task.CompletedTask;
        }

        public Task WriteAsync(string stream, RowBatch batch, RecordOperation operation, CancellationToken cancellationToken)
        {
            var schema = _schemas[stream];
            Assert.True(operation == RecordOperation.Upsert || !fullRefresh.Contains(stream), $"{stream} is a full-refresh stream and got deletes.");
            if (operation == RecordOperation.Delete)
            {
                Assert.Equal(schema.PrimaryKey, batch.Columns.Select(c => c.Name));
            }

            for (var row = 0; row < batch.Count; row++)
            {
                var values = new object?[batch.Columns.Count];
                for (var c = 0; c < values.Length; c++)
                {
                    values[c] = batch.GetValue(row, c);
                }

                _staged.Add((stream, operation, values));
            }

            Written[(stream, operation)] = Written.GetValueOrDefault((stream, operation)) + batch.Count;
            onWrite?.Invoke(stream, operation, batch.Count);
            return Task.CompletedTask;
        }

        public Task TruncateAsync(string stream, CancellationToken cancellationToken)
        {
            Truncated.Add(stream);
            _staged.Add((stream, null, null));
            return Task.CompletedTask;
        }

        public Task CheckpointAsync(ConnectorState state, CancellationToken cancellationToken)
        {
            // A real warehouse would not commit once the sync is being cancelled; neither does this one.
            cancellationToken.ThrowIfCancellationRequested();
            // Like the warehouse: a full-refresh stream is swapped in whole at the first checkpoint after it began.
            foreach (var stream in _replacing)
            {
                warehouse._tables[stream] = new MemoryTable(_schemas[stream]);
            }

            _replacing.Clear();

            foreach (var (stream, operation, row) in _staged)
            {
                if (!warehouse._tables.TryGetValue(stream, out var table))
                {
                    warehouse._tables[stream] = table = new MemoryTable(_schemas[stream]);
                }

                table.Apply(operation, row);
            }

            foreach (var stream in _schemas.Keys.Where(s => !warehouse.Has(s)))
            {
                warehouse._tables[stream] = new MemoryTable(_schemas[stream]);
            }

            _staged.Clear();
            warehouse.State = state;
            warehouse.Checkpoints.Add(state);
            Checkpoints++;
            return Task.CompletedTask;
        }

        public void ReportProgress(string stream, long rowsRead, long? rowsEstimated)
        {
        }

        public int WrittenRows(string stream, RecordOperation operation) => Written.GetValueOrDefault((stream, operation));
    }
}

/// <summary>A committed table: rows by primary key (or in arrival order without one).</summary>
internal sealed class MemoryTable(TableSchema schema)
{
    private readonly Dictionary<string, object?[]> _byKey = new(StringComparer.Ordinal);
    private readonly List<object?[]> _unkeyed = [];

    public TableSchema Schema { get; } = schema;

    public int Count => Schema.PrimaryKey.Count > 0 ? _byKey.Count : _unkeyed.Count;

    public IEnumerable<object?[]> Rows => Schema.PrimaryKey.Count > 0 ? _byKey.Values : _unkeyed;

    /// <summary>The value of <paramref name="column"/> in the row whose (single-column) key is <paramref name="key"/>.</summary>
    public object? Value(object key, string column) => Row(key)[Index(column)];

    public object?[] Row(object key) => _byKey.TryGetValue(Key([key]), out var row)
        ? row
        : throw new KeyNotFoundException($"No row with key {key}; keys: {string.Join(", ", _byKey.Keys.Order())}.");

    public bool Contains(object key) => _byKey.ContainsKey(Key([key]));

    /// <summary>The keys present, as strings, sorted.</summary>
    public IReadOnlyList<string> Keys => _byKey.Keys.Order(StringComparer.Ordinal).ToList();

    public void Apply(RecordOperation? operation, object?[]? row)
    {
        switch (operation)
        {
            case null:
                _byKey.Clear();
                _unkeyed.Clear();
                break;
            case RecordOperation.Upsert when Schema.PrimaryKey.Count == 0:
                _unkeyed.Add(row!);
                break;
            case RecordOperation.Upsert:
                _byKey[Key(Schema.PrimaryKey.Select(k => row![Index(k)]))] = row!;
                break;
            case RecordOperation.Delete:
                _byKey.Remove(Key(row!));
                break;
        }
    }

    private int Index(string column) => Schema.Columns.ToList().FindIndex(c => c.Name == column) is var i and >= 0
        ? i
        : throw new KeyNotFoundException($"No column {column}.");

    private static string Key(IEnumerable<object?> values) =>
        string.Join("|", values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)));
}
