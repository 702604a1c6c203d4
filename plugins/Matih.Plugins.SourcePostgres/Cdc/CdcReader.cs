using System.Data;
using System.Diagnostics;
using System.Globalization;
using Matih.Plugins.SourcePostgres.Checks;
using Matih.Plugins.SourcePostgres.Configuration;
using Matih.Plugins.SourcePostgres.Copying;
using Matih.Plugins.SourcePostgres.Discovery;
using Matih.Sdk.Connectors;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;

namespace Matih.Plugins.SourcePostgres.Cdc;

/// <summary>
/// Reads the incremental streams of a CDC connection: makes sure the publication lists their tables and the slot
/// exists, takes the initial snapshot consistent with the slot, then applies the slot's changes until it has caught
/// up with the WAL position of the sync's start (or until cancelled, in continuous mode).
/// </summary>
/// <remarks>
/// Checkpoints happen only at transaction boundaries, and the LSN is acknowledged to the server only after the
/// sink's checkpoint returned: a sync that stops anywhere else is replayed from the last acknowledged position,
/// and the sink applies the replay idempotently by primary key.
/// </remarks>
internal sealed class CdcReader
{
    /// <summary>Prefix of the logical message that marks where a (non-continuous) sync ends.</summary>
    public const string EndMarkerPrefix = "matih.source-postgres.end";

    /// <summary>No change for this long: checkpoint what has arrived.</summary>
    private static readonly TimeSpan IdleCheckpoint = TimeSpan.FromMilliseconds(200);

    /// <summary>Changes flowing without pause: still checkpoint at least this often, so the warehouse stays fresh.</summary>
    private static readonly TimeSpan MaxCheckpointInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long a slot still held by a just-stopped sync may take to become free.</summary>
    private static readonly TimeSpan SlotReleaseWait = TimeSpan.FromSeconds(10);

    private readonly PostgresConfig _config;
    private readonly IReadOnlyList<SourceTable> _tables;
    private readonly SyncState _state;
    private readonly IRecordSink _sink;
    private readonly string _slot;
    private readonly string _publication;

    public CdcReader(PostgresConfig config, IReadOnlyList<SourceTable> tables, SyncState state, IRecordSink sink)
    {
        _config = config;
        _tables = tables;
        _state = state;
        _sink = sink;
        _slot = config.Replication.Slot!;
        _publication = config.Replication.Publication!;
    }

    /// <summary>Why <paramref name="table"/> cannot be read by CDC, or null when it can. Checked before anything is created.</summary>
    public static string? Refusal(SourceTable table, string stream)
    {
        if (table.IsView)
        {
            return $"streams.{stream}: {table.DisplayName} is a view; CDC replicates tables only. Read it in full_refresh mode, or use the Standard method.";
        }

        if (table.PrimaryKey.Count == 0)
        {
            return $"streams.{stream}: table {table.DisplayName} has no primary key, so CDC cannot apply its updates and deletes (and a published table without one makes UPDATEs on the source fail). Add a primary key, or read it in full_refresh mode.";
        }

        if (table.ReplicaIdentity == 'n')
        {
            return $"streams.{stream}: table {table.DisplayName} has REPLICA IDENTITY NOTHING, so its updates and deletes cannot be replicated. Run ALTER TABLE {table.QualifiedName} REPLICA IDENTITY DEFAULT.";
        }

        var unsupported = table.PrimaryKey.Select(k => table.Columns[table.IndexOf(k)]).FirstOrDefault(c => c.RereadInCdc);
        return unsupported is null
            ? null
            : $"streams.{stream}: the primary key column '{unsupported.Name}' of {table.DisplayName} has type {unsupported.Schema.SourceType}, which CDC cannot decode. Read the table in full_refresh mode, or use the Standard method.";
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var connection = await SourceConnection.OpenAsync(_config, commandTimeoutSeconds: 0, cancellationToken).ConfigureAwait(false);
        var facts = await ServerFacts.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        if (facts.CdcProblem(_config.Username) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        await EnsurePublicationAsync(connection, cancellationToken).ConfigureAwait(false);
        var slot = await SlotInfo.ReadAsync(connection, _slot, cancellationToken).ConfigureAwait(false);
        if (slot?.Problem(_config) is { } slotProblem)
        {
            throw new InvalidOperationException(slotProblem);
        }

        if (slot is { Active: true })
        {
            slot = await WaitForSlotReleaseAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        foreach (var table in _tables)
        {
            await _sink.BeginStreamAsync(table.StreamName, table.Schema, cancellationToken).ConfigureAwait(false);
        }

        // A slot without saved state (an earlier first sync stopped before its checkpoint) cannot give a snapshot
        // consistent with itself; nothing was acknowledged from it, so it is replaced. A slot that moved past the
        // saved position was read by someone else (or re-created): the changes in between are gone, so snapshot again.
        var fresh = _state.Lsn is null || slot is null
            || (slot.ConfirmedFlushLsn is { } confirmed && NpgsqlLogSequenceNumber.Parse(confirmed) > _state.Lsn.Value);
        if (fresh && slot is not null)
        {
            await ExecuteAsync(connection, "SELECT pg_drop_replication_slot(@slot)", cancellationToken, ("slot", _slot)).ConfigureAwait(false);
        }

        var replication = await OpenReplicationAsync(_config, cancellationToken).ConfigureAwait(false);
        try
        {
            await ReplicateAsync(connection, replication, fresh, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await replication.DisposeAsync().ConfigureAwait(false);
        }

        if (!_config.Replication.Continuous && _state.Lsn is { } acknowledged)
        {
            await SettleAcknowledgementAsync(connection, acknowledged, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReplicateAsync(NpgsqlConnection connection, LogicalReplicationConnection replication, bool fresh, CancellationToken cancellationToken)
    {
        PgOutputReplicationSlot replicationSlot;
        NpgsqlLogSequenceNumber start;
        if (fresh)
        {
            replicationSlot = await CreateSlotAsync(replication, cancellationToken).ConfigureAwait(false);
            start = replicationSlot.ConsistentPoint;
            await SnapshotAsync(connection, _tables, replicationSlot.SnapshotName, start, cancellationToken).ConfigureAwait(false);
            _state.SetLsn(start);
            await _sink.CheckpointAsync(_state.ToConnectorState(), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            replicationSlot = new PgOutputReplicationSlot(_slot);
            start = _state.Lsn!.Value;
            var added = _tables.Where(t => !_state.HasSnapshot(t.StreamName)).ToList();
            if (added.Count > 0)
            {
                // Streams added to a running connection: copied now, then the slot's changes replay over the copy;
                // replaying changes older than the copy is harmless, and by the sync's end the table is current.
                await SnapshotAsync(connection, added, snapshotName: null, start, cancellationToken).ConfigureAwait(false);
                await _sink.CheckpointAsync(_state.ToConnectorState(), cancellationToken).ConfigureAwait(false);
            }
        }

        var end = _config.Replication.Continuous ? null : await MarkEndAsync(connection, cancellationToken).ConfigureAwait(false);
        await StreamChangesAsync(replication, replicationSlot, start, end, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PgOutputReplicationSlot> CreateSlotAsync(LogicalReplicationConnection replication, CancellationToken cancellationToken)
    {
        try
        {
            return await replication.CreatePgOutputReplicationSlot(
                _slot, temporarySlot: false, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.Export, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ConfigurationLimitExceeded)
        {
            throw new InvalidOperationException(
                $"replication_method.replication_slot: the server has no free replication slot for '{_slot}' ({e.MessageText}). Drop slots nobody reads (SELECT slot_name FROM pg_replication_slots WHERE NOT active) or raise max_replication_slots.",
                e);
        }
    }

    /// <summary>Opens a logical replication connection, explaining a failure in words.</summary>
    public static async Task<LogicalReplicationConnection> OpenReplicationAsync(PostgresConfig config, CancellationToken cancellationToken)
    {
        var replication = new LogicalReplicationConnection(config.Builder(commandTimeoutSeconds: 0).ConnectionString);
        try
        {
            await replication.Open(cancellationToken).ConfigureAwait(false);
            return replication;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            await replication.DisposeAsync().ConfigureAwait(false);
            var reason = ConnectionErrors.Explain(e, config) ?? (e is PostgresException pg ? pg.MessageText : e.Message);
            throw new InvalidOperationException($"replication_method: could not open a replication connection to {config.Location}: {reason}", e);
        }
    }

    private async Task EnsurePublicationAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var publication = await PublicationInfo.ReadAsync(connection, _publication, cancellationToken).ConfigureAwait(false);
        var name = Sql.Quote(_publication);
        try
        {
            if (publication is null)
            {
                // publish_via_partition_root: changes to a partition arrive as changes to the partitioned table the stream reads.
                await ExecuteAsync(connection, $"CREATE PUBLICATION {name} FOR TABLE {string.Join(", ", _tables.Select(t => t.QualifiedName))} WITH (publish_via_partition_root = true)", cancellationToken).ConfigureAwait(false);
                return;
            }

            if (publication.MissingOperations() is { } operations)
            {
                throw new InvalidOperationException($"replication_method.publication: publication '{_publication}' does not publish {operations}, so those changes would never reach Matih. Run ALTER PUBLICATION {name} SET (publish = 'insert, update, delete, truncate').");
            }

            var missing = _tables.Where(t => !publication.Includes(t.Namespace, t.Name)).ToList();
            if (missing.Count > 0)
            {
                await ExecuteAsync(connection, $"ALTER PUBLICATION {name} ADD TABLE {string.Join(", ", missing.Select(t => t.QualifiedName))}", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new InvalidOperationException(
                $"replication_method.publication: '{_config.Username}' may not create or change publication '{_publication}' ({e.MessageText}). " +
                $"Ask the tables' owner to run CREATE PUBLICATION {name} FOR TABLE {string.Join(", ", _tables.Select(t => t.QualifiedName))}, or ALTER PUBLICATION ... ADD TABLE for new streams.",
                e);
        }
    }

    /// <summary>
    /// Makes sure the server has taken the last acknowledgement. Stopping the stream cancels the server process out of
    /// band, which can overtake the status update sent just before it; the slot would then hold WAL the warehouse
    /// already has until the next sync. Once the slot is free, it is advanced to the acknowledged position.
    /// </summary>
    private async Task SettleAcknowledgementAsync(NpgsqlConnection connection, NpgsqlLogSequenceNumber acknowledged, CancellationToken cancellationToken)
    {
        var slot = await WaitForSlotReleaseAsync(connection, cancellationToken).ConfigureAwait(false);
        if (slot?.ConfirmedFlushLsn is { } confirmed && NpgsqlLogSequenceNumber.Parse(confirmed) < acknowledged)
        {
            await ExecuteAsync(connection, "SELECT pg_replication_slot_advance(@slot, @lsn::pg_lsn)", cancellationToken, ("slot", _slot), ("lsn", acknowledged.ToString())).ConfigureAwait(false);
        }
    }

    private async Task<SlotInfo?> WaitForSlotReleaseAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var slot = await SlotInfo.ReadAsync(connection, _slot, cancellationToken).ConfigureAwait(false);
            if (slot is not { Active: true })
            {
                return slot;
            }

            if (waited.Elapsed > SlotReleaseWait)
            {
                throw new InvalidOperationException(
                    $"replication_method.replication_slot: slot '{_slot}' is in use by server process {slot.ActivePid}: another sync of this connection is still running, or another tool reads the slot. Each slot can serve one reader; wait for it to finish or give this connection its own slot.");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Copies <paramref name="tables"/> in one REPEATABLE READ transaction, in the slot's exported snapshot when given.</summary>
    private async Task SnapshotAsync(NpgsqlConnection connection, IReadOnlyList<SourceTable> tables, string? snapshotName, NpgsqlLogSequenceNumber lsn, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        if (snapshotName is not null)
        {
            await ExecuteAsync(connection, $"SET TRANSACTION SNAPSHOT {Sql.Literal(snapshotName)}", cancellationToken).ConfigureAwait(false);
        }

        await ExecuteAsync(connection, "SET TRANSACTION READ ONLY", cancellationToken).ConfigureAwait(false);
        foreach (var table in tables)
        {
            // The snapshot replaces whatever the destination held (a re-snapshot after a lost slot, say).
            await _sink.TruncateAsync(table.StreamName, cancellationToken).ConfigureAwait(false);
            await TableCopier.CopyAsync(connection, table, null, table.StreamName, _sink, null, cancellationToken).ConfigureAwait(false);
            _state.SetSnapshot(table.StreamName, lsn);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a logical message into the WAL now; the sync ends when the stream reaches it. Null when the server refuses (a standby).</summary>
    private static async Task<EndMarker?> MarkEndAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_logical_emit_message(false, @prefix, @token)::text", connection);
            command.Parameters.AddWithValue("prefix", EndMarkerPrefix);
            command.Parameters.AddWithValue("token", token);
            var lsn = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            return new EndMarker(token, NpgsqlLogSequenceNumber.Parse(lsn));
        }
        catch (PostgresException)
        {
            return null;
        }
    }

    private async Task StreamChangesAsync(
        LogicalReplicationConnection replication,
        PgOutputReplicationSlot slot,
        NpgsqlLogSequenceNumber start,
        EndMarker? end,
        CancellationToken cancellationToken)
    {
        await using var rereader = new RowRereader(_config);
        var streams = new Dictionary<(string, string), StreamChanges>();
        foreach (var table in _tables)
        {
            streams[(table.Namespace, table.Name)] = new StreamChanges(table, _sink, rereader);
        }

        var relations = new Dictionary<uint, RelationMap?>();
        var options = new PgOutputReplicationOptions(_publication, PgOutputProtocolVersion.V1, binary: true, messages: true);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var messages = replication.StartReplication(slot, options, stop.Token, start).GetAsyncEnumerator(stop.Token);
        var checkpoint = new CheckpointTracker(start);
        var inTransaction = false;
        var idle = Stopwatch.StartNew();
        Task<bool>? next = null;
        try
        {
            while (true)
            {
                next ??= messages.MoveNextAsync().AsTask();
                if (!next.IsCompleted)
                {
                    await Task.WhenAny(next, Task.Delay(IdleCheckpoint, cancellationToken)).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!next.IsCompleted)
                    {
                        if (!inTransaction && checkpoint.DueWhenIdle)
                        {
                            await CheckpointAsync(replication, streams.Values, checkpoint, checkpoint.LastCommitEnd, cancellationToken).ConfigureAwait(false);
                        }

                        if (!_config.Replication.Continuous && !inTransaction && idle.Elapsed.TotalSeconds >= _config.Replication.InitialWaitSeconds)
                        {
                            // No end marker (a standby cannot write one) or it never came: nothing new for the configured wait means caught up.
                            return;
                        }

                        continue;
                    }
                }

                if (!await next.ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"The server ended the replication stream of slot '{_slot}' unexpectedly; the next sync resumes from the last checkpoint.");
                }

                next = null;
                idle.Restart();
                switch (messages.Current)
                {
                    case BeginMessage:
                        inTransaction = true;
                        break;
                    case RelationMessage relation:
                        relations[relation.RelationId] = streams.TryGetValue((relation.Namespace, relation.RelationName), out var stream)
                            ? new RelationMap(relation, stream)
                            : null;
                        break;
                    case InsertMessage insert when Map(relations, insert.Relation) is { } map:
                        await map.Changes.UpsertAsync(insert.NewRow, map, cancellationToken).ConfigureAwait(false);
                        checkpoint.Received();
                        break;
                    case FullUpdateMessage update when Map(relations, update.Relation) is { } map:
                        await map.Changes.UpdateWithOldRowAsync(update.OldRow, update.NewRow, map, cancellationToken).ConfigureAwait(false);
                        checkpoint.Received();
                        break;
                    case IndexUpdateMessage update when Map(relations, update.Relation) is { } map:
                        await map.Changes.UpdateWithOldKeyAsync(update.Key, update.NewRow, map, cancellationToken).ConfigureAwait(false);
                        checkpoint.Received();
                        break;
                    case UpdateMessage update when Map(relations, update.Relation) is { } map:
                        await map.Changes.UpsertAsync(update.NewRow, map, cancellationToken).ConfigureAwait(false);
                        checkpoint.Received();
                        break;
                    case FullDeleteMessage delete when Map(relations, delete.Relation) is { } map:
                        await map.Changes.DeleteWithOldRowAsync(delete.OldRow, map, cancellationToken).ConfigureAwait(false);
                        checkpoint.Received();
                        break;
                    case KeyDeleteMessage delete when Map(relations, delete.Relation) is { } map:
                        await map.Changes.DeleteAsync(delete.Key, map, cancellationToken).ConfigureAwait(false);
                        checkpoint.Received();
                        break;
                    case TruncateMessage truncate:
                        foreach (var relation in truncate.Relations)
                        {
                            if (Map(relations, relation) is { } map)
                            {
                                await map.Changes.TruncateAsync(cancellationToken).ConfigureAwait(false);
                                checkpoint.Received();
                            }
                        }

                        break;
                    case CommitMessage commit:
                        inTransaction = false;
                        checkpoint.Committed(commit.TransactionEndLsn);
                        if (end is not null && commit.TransactionEndLsn >= end.Lsn)
                        {
                            await CheckpointAsync(replication, streams.Values, checkpoint, commit.TransactionEndLsn, cancellationToken).ConfigureAwait(false);
                            return;
                        }

                        if (checkpoint.DueAtCommit(_config.Replication.MaxBatchRows, MaxCheckpointInterval))
                        {
                            await CheckpointAsync(replication, streams.Values, checkpoint, commit.TransactionEndLsn, cancellationToken).ConfigureAwait(false);
                        }

                        break;
                    case LogicalDecodingMessage message when end is not null && message.Prefix == EndMarkerPrefix:
                        if (await ReadTokenAsync(message, cancellationToken).ConfigureAwait(false) == end.Token)
                        {
                            // Every transaction committed before the marker has arrived: the sync has caught up.
                            await CheckpointAsync(replication, streams.Values, checkpoint, NpgsqlLogSequenceNumber.Larger(end.Lsn, checkpoint.LastCommitEnd), cancellationToken).ConfigureAwait(false);
                            return;
                        }

                        break;
                }
            }
        }
        finally
        {
            // Stops streaming; disposing the connection afterwards ends the server process, so the slot becomes inactive.
            await stop.CancelAsync().ConfigureAwait(false);
            if (next is not null)
            {
                await Task.WhenAny(next).ConfigureAwait(false);
            }

            try
            {
                await messages.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or NpgsqlException)
            {
                // The stream was being torn down on purpose.
            }
        }
    }

    private async Task CheckpointAsync(
        LogicalReplicationConnection replication,
        IEnumerable<StreamChanges> streams,
        CheckpointTracker checkpoint,
        NpgsqlLogSequenceNumber lsn,
        CancellationToken cancellationToken)
    {
        foreach (var stream in streams)
        {
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        _state.SetLsn(lsn);
        await _sink.CheckpointAsync(_state.ToConnectorState(), cancellationToken).ConfigureAwait(false);

        // Only now, with the rows durable in the warehouse, may the server forget the WAL behind them.
        replication.SetReplicationStatus(lsn);
        await replication.SendStatusUpdate(cancellationToken).ConfigureAwait(false);
        checkpoint.Done(lsn);
    }

    private static RelationMap? Map(Dictionary<uint, RelationMap?> relations, RelationMessage relation) =>
        relations.TryGetValue(relation.RelationId, out var map) ? map : null;

    private static async Task<string> ReadTokenAsync(LogicalDecodingMessage message, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(message.Data);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed record EndMarker(string Token, NpgsqlLogSequenceNumber Lsn);

    /// <summary>When the next checkpoint is due, and what has been acknowledged.</summary>
    private sealed class CheckpointTracker(NpgsqlLogSequenceNumber start)
    {
        private readonly Stopwatch _sinceCheckpoint = Stopwatch.StartNew();
        private long _received;

        /// <summary>End of the last transaction received.</summary>
        public NpgsqlLogSequenceNumber LastCommitEnd { get; private set; } = start;

        /// <summary>Position of the last checkpoint.</summary>
        public NpgsqlLogSequenceNumber Acknowledged { get; private set; } = start;

        /// <summary>Idle between transactions: checkpoint whatever arrived since the last one.</summary>
        public bool DueWhenIdle => _received > 0 || LastCommitEnd > Acknowledged;

        public void Received() => _received++;

        public void Committed(NpgsqlLogSequenceNumber end) => LastCommitEnd = end;

        /// <summary>At a commit: enough changes, or changes waiting long enough.</summary>
        public bool DueAtCommit(int maxRows, TimeSpan maxInterval) =>
            _received >= maxRows || (_received > 0 && _sinceCheckpoint.Elapsed >= maxInterval);

        public void Done(NpgsqlLogSequenceNumber lsn)
        {
            Acknowledged = lsn;
            _received = 0;
            _sinceCheckpoint.Restart();
        }
    }
}
