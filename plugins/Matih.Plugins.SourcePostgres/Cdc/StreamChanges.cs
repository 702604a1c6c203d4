using Matih.Plugins.SourcePostgres.Copying;
using Matih.Plugins.SourcePostgres.Discovery;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;

namespace Matih.Plugins.SourcePostgres.Cdc;

/// <summary>
/// Collects one CDC stream's changes into batches, in order: rows go to an upsert batch or a delete batch (key
/// columns only), and switching from one to the other writes the pending batch first, so a delete followed by a
/// re-insert of the same key reaches the sink in that order. Nothing here commits: the sync checkpoints.
/// </summary>
internal sealed class StreamChanges
{
    private const byte Known = 0;
    private const byte Unchanged = 1;
    private const byte Reread = 2;

    private readonly IRecordSink _sink;
    private readonly RowRereader _rereader;
    private readonly RowBatch _upserts;
    private readonly RowBatch _deletes;
    private readonly RowBatch _old;
    private readonly RowBatch _new;
    private readonly byte[] _oldState;
    private readonly byte[] _newState;
    private readonly int[] _keyColumns;
    private readonly int[] _keyPosition;
    private readonly List<int> _rereadRows = [];
    private long _delivered;

    public StreamChanges(SourceTable table, IRecordSink sink, RowRereader rereader)
    {
        Table = table;
        _sink = sink;
        _rereader = rereader;
        var columns = table.Columns.Select(c => c.Schema).ToList();
        _keyColumns = table.PrimaryKey.Select(table.IndexOf).ToArray();
        _keyPosition = Enumerable.Repeat(-1, columns.Count).ToArray();
        for (var i = 0; i < _keyColumns.Length; i++)
        {
            _keyPosition[_keyColumns[i]] = i;
        }

        _upserts = new RowBatch(columns, TableCopier.BatchRows);
        _deletes = new RowBatch(_keyColumns.Select(i => columns[i]).ToList(), TableCopier.BatchRows);
        _old = new RowBatch(columns, 1);
        _new = new RowBatch(columns, 1);
        _oldState = new byte[columns.Count];
        _newState = new byte[columns.Count];
    }

    /// <summary>The table the stream reads.</summary>
    public SourceTable Table { get; }

    /// <summary>Changes collected and not yet handed to the sink.</summary>
    public int Pending => _upserts.Count + _deletes.Count;

    /// <summary>An insert, or an update without old values: the new row, read straight into the upsert batch.</summary>
    public async Task UpsertAsync(ReplicationTuple row, RelationMap relation, CancellationToken cancellationToken)
    {
        await SwitchToUpsertsAsync(cancellationToken).ConfigureAwait(false);
        var index = AddNullRow(_upserts);
        var needsReread = false;
        var i = 0;
        await foreach (var value in row.ConfigureAwait(false))
        {
            var column = relation.Column(i++);
            if (column < 0)
            {
                continue;
            }

            var state = await ReadAsync(value, column, _upserts.Column(column), index, cancellationToken).ConfigureAwait(false);
            needsReread |= state != Known;
        }

        if (needsReread)
        {
            _rereadRows.Add(index);
        }

        await WriteIfFullAsync(_upserts, RecordOperation.Upsert, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An update carrying the old key (the key changed): delete the old key, then upsert the new row.</summary>
    public async Task UpdateWithOldKeyAsync(ReplicationTuple oldKey, ReplicationTuple row, RelationMap relation, CancellationToken cancellationToken)
    {
        await DeleteAsync(oldKey, relation, cancellationToken).ConfigureAwait(false);
        await UpsertAsync(row, relation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An update with the whole old row (REPLICA IDENTITY FULL): unchanged TOASTed values come from the old row.</summary>
    public async Task UpdateWithOldRowAsync(ReplicationTuple oldRow, ReplicationTuple row, RelationMap relation, CancellationToken cancellationToken)
    {
        await ReadScratchAsync(oldRow, relation, _old, _oldState, cancellationToken).ConfigureAwait(false);
        await ReadScratchAsync(row, relation, _new, _newState, cancellationToken).ConfigureAwait(false);
        if (RowKeys.Of(_old, 0, _keyColumns) != RowKeys.Of(_new, 0, _keyColumns))
        {
            await DeleteFromScratchAsync(cancellationToken).ConfigureAwait(false);
        }

        await SwitchToUpsertsAsync(cancellationToken).ConfigureAwait(false);
        var index = AddNullRow(_upserts);
        var needsReread = false;
        for (var c = 0; c < _newState.Length; c++)
        {
            var (source, state) = _newState[c] == Unchanged ? (_old, _oldState[c]) : (_new, _newState[c]);
            _upserts.Column(c).SetValue(index, source.GetValue(0, c));
            needsReread |= state != Known;
        }

        if (needsReread)
        {
            _rereadRows.Add(index);
        }

        await WriteIfFullAsync(_upserts, RecordOperation.Upsert, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A delete carrying the key (default replica identity): the key goes straight into the delete batch.</summary>
    public async Task DeleteAsync(ReplicationTuple key, RelationMap relation, CancellationToken cancellationToken)
    {
        await SwitchToDeletesAsync(cancellationToken).ConfigureAwait(false);
        var index = AddNullRow(_deletes);
        var i = 0;
        await foreach (var value in key.ConfigureAwait(false))
        {
            var column = relation.Column(i++);
            if (column < 0 || _keyPosition[column] < 0)
            {
                continue;
            }

            await ReadAsync(value, column, _deletes.Column(_keyPosition[column]), index, cancellationToken).ConfigureAwait(false);
        }

        EnsureKey(_deletes, index);
        await WriteIfFullAsync(_deletes, RecordOperation.Delete, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A delete with the whole old row (REPLICA IDENTITY FULL).</summary>
    public async Task DeleteWithOldRowAsync(ReplicationTuple oldRow, RelationMap relation, CancellationToken cancellationToken)
    {
        await ReadScratchAsync(oldRow, relation, _old, _oldState, cancellationToken).ConfigureAwait(false);
        await DeleteFromScratchAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A TRUNCATE: pending changes no longer matter; the sink empties the table at the next checkpoint.</summary>
    public async Task TruncateAsync(CancellationToken cancellationToken)
    {
        _upserts.Clear();
        _deletes.Clear();
        _rereadRows.Clear();
        await _sink.TruncateAsync(Table.StreamName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Hands every pending change to the sink (before a checkpoint).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await WriteAsync(_deletes, RecordOperation.Delete, cancellationToken).ConfigureAwait(false);
        await WriteAsync(_upserts, RecordOperation.Upsert, cancellationToken).ConfigureAwait(false);
    }

    private Task SwitchToUpsertsAsync(CancellationToken cancellationToken) => WriteAsync(_deletes, RecordOperation.Delete, cancellationToken);

    private Task SwitchToDeletesAsync(CancellationToken cancellationToken) => WriteAsync(_upserts, RecordOperation.Upsert, cancellationToken);

    private Task WriteIfFullAsync(RowBatch batch, RecordOperation operation, CancellationToken cancellationToken) =>
        batch.IsFull ? WriteAsync(batch, operation, cancellationToken) : Task.CompletedTask;

    private async Task WriteAsync(RowBatch batch, RecordOperation operation, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var delivered = operation == RecordOperation.Upsert && _rereadRows.Count > 0
            ? await ResolveRereadsAsync(cancellationToken).ConfigureAwait(false)
            : batch;
        if (delivered.Count > 0)
        {
            await _sink.WriteAsync(Table.StreamName, delivered, operation, cancellationToken).ConfigureAwait(false);
        }

        _delivered += delivered.Count;
        _sink.ReportProgress(Table.StreamName, _delivered, null);
        batch.Clear();
    }

    /// <summary>Fills rows whose change lacked values with the row as the source has it now; drops rows deleted since.</summary>
    private async Task<RowBatch> ResolveRereadsAsync(CancellationToken cancellationToken)
    {
        var keys = _rereadRows.Select(row => RowKeys.Values(_upserts, row, _keyColumns)).ToList();
        var current = await _rereader.ReadAsync(Table, keys, cancellationToken).ConfigureAwait(false);
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var row = 0; row < current.Count; row++)
        {
            byKey[RowKeys.Of(current, row, _keyColumns)] = row;
        }

        var gone = new HashSet<int>();
        foreach (var row in _rereadRows)
        {
            if (byKey.TryGetValue(RowKeys.Of(_upserts, row, _keyColumns), out var found))
            {
                for (var c = 0; c < _upserts.Columns.Count; c++)
                {
                    _upserts.Column(c).SetValue(row, current.GetValue(found, c));
                }
            }
            else
            {
                // Deleted at the source since this change; its delete follows in the stream.
                gone.Add(row);
            }
        }

        _rereadRows.Clear();
        if (gone.Count == 0)
        {
            return _upserts;
        }

        var kept = new RowBatch(_upserts.Columns, Math.Max(1, _upserts.Count - gone.Count));
        for (var row = 0; row < _upserts.Count; row++)
        {
            if (!gone.Contains(row))
            {
                var index = kept.AddRow();
                for (var c = 0; c < _upserts.Columns.Count; c++)
                {
                    kept.Column(c).SetValue(index, _upserts.GetValue(row, c));
                }
            }
        }

        return kept;
    }

    private async Task DeleteFromScratchAsync(CancellationToken cancellationToken)
    {
        await SwitchToDeletesAsync(cancellationToken).ConfigureAwait(false);
        var index = AddNullRow(_deletes);
        for (var k = 0; k < _keyColumns.Length; k++)
        {
            _deletes.Column(k).SetValue(index, _old.GetValue(0, _keyColumns[k]));
        }

        EnsureKey(_deletes, index);
        await WriteIfFullAsync(_deletes, RecordOperation.Delete, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ReadScratchAsync(ReplicationTuple tuple, RelationMap relation, RowBatch scratch, byte[] states, CancellationToken cancellationToken)
    {
        scratch.Clear();
        AddNullRow(scratch);
        Array.Fill(states, Known);
        var i = 0;
        await foreach (var value in tuple.ConfigureAwait(false))
        {
            var column = relation.Column(i++);
            if (column >= 0)
            {
                states[column] = await ReadAsync(value, column, scratch.Column(column), 0, relation.Table, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private ValueTask<byte> ReadAsync(ReplicationValue value, int column, ColumnVector vector, int row, CancellationToken cancellationToken) =>
        ReadAsync(value, column, vector, row, Table, cancellationToken);

    private static async ValueTask<byte> ReadAsync(ReplicationValue value, int column, ColumnVector vector, int row, SourceTable table, CancellationToken cancellationToken)
    {
        switch (value.Kind)
        {
            case TupleDataKind.Null:
                vector.SetNull(row);
                return Known;
            case TupleDataKind.UnchangedToastedValue:
                vector.SetNull(row);
                return Unchanged;
            default:
                var source = table.Columns[column];
                if (source.RereadInCdc)
                {
                    vector.SetNull(row);
                    return Reread;
                }

                await ReplicationValues.DecodeAsync(value, source.Kind, vector, row, cancellationToken).ConfigureAwait(false);
                return Known;
        }
    }

    private void EnsureKey(RowBatch deletes, int index)
    {
        for (var k = 0; k < _keyColumns.Length; k++)
        {
            if (deletes.Column(k).IsNull(index))
            {
                throw new InvalidOperationException(
                    $"A delete from {Table.DisplayName} arrived without its primary key column '{Table.PrimaryKey[k]}', so it cannot be applied. " +
                    $"The table's replica identity must include the primary key: ALTER TABLE {Table.QualifiedName} REPLICA IDENTITY DEFAULT (or FULL).");
            }
        }
    }

    private static int AddNullRow(RowBatch batch)
    {
        // Columns the change does not mention (added at the source after the stream was discovered) stay NULL.
        var row = batch.AddRow();
        for (var c = 0; c < batch.Columns.Count; c++)
        {
            batch.Column(c).SetNull(row);
        }

        return row;
    }
}

/// <summary>How a pgoutput relation's columns map to a stream's columns.</summary>
internal sealed class RelationMap
{
    private readonly int[] _toColumn;

    public RelationMap(RelationMessage relation, StreamChanges changes)
    {
        Changes = changes;
        FullIdentity = relation.ReplicaIdentity == RelationMessage.ReplicaIdentitySetting.AllColumns;
        _toColumn = new int[relation.Columns.Count];
        for (var i = 0; i < _toColumn.Length; i++)
        {
            var name = relation.Columns[i].ColumnName;
            _toColumn[i] = -1;
            for (var c = 0; c < changes.Table.Columns.Count; c++)
            {
                if (string.Equals(changes.Table.Columns[c].Name, name, StringComparison.Ordinal))
                {
                    _toColumn[i] = c;
                    break;
                }
            }
        }
    }

    /// <summary>Where the stream's changes are collected.</summary>
    public StreamChanges Changes { get; }

    /// <summary>The stream's table.</summary>
    public SourceTable Table => Changes.Table;

    /// <summary>REPLICA IDENTITY FULL: updates and deletes carry the whole old row.</summary>
    public bool FullIdentity { get; }

    /// <summary>The stream column of relation column <paramref name="index"/>, or -1 when the stream does not have it.</summary>
    public int Column(int index) => index < _toColumn.Length ? _toColumn[index] : -1;
}
