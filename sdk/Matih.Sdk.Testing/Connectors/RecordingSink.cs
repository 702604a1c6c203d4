using System.Text.Json;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Sdk.Testing;

/// <summary>
/// An <see cref="IRecordSink"/> that records what a connector writes, with the host's commit rule: writes become
/// <see cref="Committed"/> at the next checkpoint, together with its state; anything written after the last checkpoint
/// stays in <see cref="Uncommitted"/> (a connector that forgets to checkpoint shows up there). It copies every batch,
/// because connectors may reuse them. It keeps writes as they came: it does not dedupe by key or apply deletes.
/// </summary>
public sealed class RecordingSink : IRecordSink
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TableSchema> _schemas = new(StringComparer.Ordinal);
    private readonly List<RecordedWrite> _committed = [];
    private readonly List<RecordedWrite> _uncommitted = [];
    private readonly List<ConnectorState> _checkpoints = [];
    private readonly List<string> _truncated = [];
    private readonly Dictionary<string, (long Read, long? Estimated)> _progress = new(StringComparer.Ordinal);

    /// <summary>The schema each stream declared with <see cref="BeginStreamAsync"/>.</summary>
    public IReadOnlyDictionary<string, TableSchema> Schemas
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, TableSchema>(_schemas, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Writes covered by a checkpoint, in order.</summary>
    public IReadOnlyList<RecordedWrite> Committed
    {
        get
        {
            lock (_gate)
            {
                return [.. _committed];
            }
        }
    }

    /// <summary>Writes made after the last checkpoint: a real sync would lose them.</summary>
    public IReadOnlyList<RecordedWrite> Uncommitted
    {
        get
        {
            lock (_gate)
            {
                return [.. _uncommitted];
            }
        }
    }

    /// <summary>Every checkpoint's state, in order (copied, so later changes by the connector do not show).</summary>
    public IReadOnlyList<ConnectorState> Checkpoints
    {
        get
        {
            lock (_gate)
            {
                return [.. _checkpoints];
            }
        }
    }

    /// <summary>The state of the last checkpoint: what the next sync's <see cref="ReadRequest.State"/> will be.</summary>
    public ConnectorState? LastState
    {
        get
        {
            lock (_gate)
            {
                return _checkpoints.Count == 0 ? null : _checkpoints[^1];
            }
        }
    }

    /// <summary>Streams truncated (CDC), in order.</summary>
    public IReadOnlyList<string> Truncated
    {
        get
        {
            lock (_gate)
            {
                return [.. _truncated];
            }
        }
    }

    /// <summary>The last progress reported per stream.</summary>
    public IReadOnlyDictionary<string, (long Read, long? Estimated)> Progress
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, (long, long?)>(_progress, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The committed upserted rows of <paramref name="stream"/>, one value per column, in write order.</summary>
    public IReadOnlyList<object?[]> Rows(string stream) =>
        Committed.Where(w => w.Stream == stream && w.Operation == RecordOperation.Upsert).SelectMany(w => w.Rows).ToArray();

    /// <summary>
    /// The committed upserted rows of <paramref name="stream"/> as name/value maps, handy for asserting one column.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Records(string stream)
    {
        var columns = Schemas.TryGetValue(stream, out var schema)
            ? schema.Columns.Select(c => c.Name).ToArray()
            : throw new InvalidOperationException($"Stream '{stream}' was never begun; streams begun: {string.Join(", ", Schemas.Keys)}.");
        return Rows(stream)
            .Select(row => (IReadOnlyDictionary<string, object?>)columns.Select((c, i) => (c, row[i])).ToDictionary(x => x.c, x => x.Item2, StringComparer.Ordinal))
            .ToArray();
    }

    /// <inheritdoc />
    public Task BeginStreamAsync(string stream, TableSchema schema, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        lock (_gate)
        {
            _schemas[stream] = schema;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task WriteAsync(string stream, RowBatch batch, RecordOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_schemas.ContainsKey(stream))
            {
                // The host's sink needs the schema to create the table; writing first is a connector bug.
                throw new InvalidOperationException($"Stream '{stream}' was written before BeginStreamAsync declared its schema.");
            }

            var rows = new object?[batch.Count][];
            for (var r = 0; r < batch.Count; r++)
            {
                var row = new object?[batch.Columns.Count];
                for (var c = 0; c < row.Length; c++)
                {
                    row[c] = batch.GetValue(r, c);
                }

                rows[r] = row;
            }

            _uncommitted.Add(new RecordedWrite(stream, operation, batch.Columns.ToArray(), rows));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task TruncateAsync(string stream, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _truncated.Add(stream);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task CheckpointAsync(ConnectorState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        cancellationToken.ThrowIfCancellationRequested();
        var copy = new ConnectorState(
            state.Streams.ToDictionary(kv => kv.Key, kv => kv.Value.Clone(), StringComparer.Ordinal),
            state.Global is { } global ? global.Clone() : (JsonElement?)null);
        lock (_gate)
        {
            _committed.AddRange(_uncommitted);
            _uncommitted.Clear();
            _checkpoints.Add(copy);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void ReportProgress(string stream, long rowsRead, long? rowsEstimated)
    {
        lock (_gate)
        {
            _progress[stream] = (rowsRead, rowsEstimated);
        }
    }
}

/// <summary>One <see cref="IRecordSink.WriteAsync"/> call, copied.</summary>
/// <param name="Stream">The stream written.</param>
/// <param name="Operation">Upsert or delete.</param>
/// <param name="Columns">The batch's columns.</param>
/// <param name="Rows">The batch's rows, one value per column; null for NULL.</param>
public sealed record RecordedWrite(string Stream, RecordOperation Operation, IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<object?[]> Rows);
