using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Matih.Plugins.SourcePostgres.Discovery;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Npgsql;

namespace Matih.Plugins.SourcePostgres.Copying;

/// <summary>
/// Copies a table (or the rows matching a condition) into the sink with binary COPY. A reader thread fills row
/// batches while the sink writes the previous ones, so the source and the warehouse work at the same time; the
/// batches are reused, and values go straight into typed vectors.
/// </summary>
internal static class TableCopier
{
    /// <summary>Rows per batch handed to the sink.</summary>
    public const int BatchRows = 8192;

    /// <summary>Batches in flight: one being filled, one being written, one spare.</summary>
    private const int Depth = 3;

    /// <summary>Copies the rows of <paramref name="table"/> that satisfy <paramref name="where"/> to <paramref name="stream"/>.</summary>
    /// <param name="connection">An open connection, possibly inside a snapshot transaction.</param>
    /// <param name="table">What to read.</param>
    /// <param name="where">A SQL condition, or null for every row.</param>
    /// <param name="stream">The stream the rows belong to.</param>
    /// <param name="sink">Where they go, as <see cref="RecordOperation.Upsert"/> batches.</param>
    /// <param name="inspect">Sees each batch before the sink does (e.g. to find the largest cursor), or null.</param>
    /// <param name="cancellationToken">Cancels the COPY on the server too.</param>
    /// <returns>Rows copied.</returns>
    public static async Task<long> CopyAsync(
        NpgsqlConnection connection,
        SourceTable table,
        string? where,
        string stream,
        IRecordSink sink,
        Action<RowBatch>? inspect,
        CancellationToken cancellationToken)
    {
        var sql = $"COPY (SELECT {table.SelectList} FROM {table.QualifiedName}{(where is null ? string.Empty : " WHERE " + where)}) TO STDOUT (FORMAT BINARY)";
        var columns = table.Columns.Select(c => c.Schema).ToList();
        var copiers = table.Columns.Select(c => ColumnCopier.For(c.Kind)).ToArray();
        var free = Channel.CreateBounded<RowBatch>(Depth);
        var full = Channel.CreateBounded<RowBatch>(new BoundedChannelOptions(Depth) { SingleReader = true, SingleWriter = true });
        for (var i = 0; i < Depth; i++)
        {
            free.Writer.TryWrite(new RowBatch(columns, BatchRows));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => ProduceAsync(connection, sql, copiers, free.Reader, full.Writer, stop.Token), stop.Token);
        long rows = 0;
        try
        {
            await foreach (var batch in full.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                inspect?.Invoke(batch);
                await sink.WriteAsync(stream, batch, RecordOperation.Upsert, stop.Token).ConfigureAwait(false);
                rows += batch.Count;
                sink.ReportProgress(stream, rows, table.EstimatedRows);
                batch.Clear();
                free.Writer.TryWrite(batch);
            }

            await producer.ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The first failure is the one worth reporting; the reader only stopped because of it.
            }

            throw;
        }

        return rows;
    }

    private static async Task ProduceAsync(
        NpgsqlConnection connection,
        string sql,
        ColumnCopier[] copiers,
        ChannelReader<RowBatch> free,
        ChannelWriter<RowBatch> full,
        CancellationToken cancellationToken)
    {
        try
        {
            var exporter = await connection.BeginBinaryExportAsync(sql, cancellationToken).ConfigureAwait(false);
            await using (exporter.ConfigureAwait(false))
            {
                // Reads below are synchronous (fast on buffered data); a cancel request stops a read waiting on the network.
                await using var cancel = cancellationToken.Register(() => exporter.Cancel());
                try
                {
                    var batch = await free.ReadAsync(cancellationToken).ConfigureAwait(false);
                    while (Fill(exporter, batch, copiers))
                    {
                        await full.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                        batch = await free.ReadAsync(cancellationToken).ConfigureAwait(false);
                    }

                    if (batch.Count > 0)
                    {
                        await full.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch
                {
                    // Without this, disposing the exporter would read the rest of the table.
                    exporter.Cancel();
                    throw;
                }
            }

            full.Complete();
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            // The server's "canceling statement due to user request" is how a cancelled copy ends.
            var cancelled = new OperationCanceledException("The copy was cancelled.", e, cancellationToken);
            full.TryComplete(cancelled);
            throw cancelled;
        }
        catch (Exception e)
        {
            full.TryComplete(e);
            throw;
        }
    }

    /// <summary>Reads rows into <paramref name="batch"/> until it is full (true) or the COPY ends (false).</summary>
    /// <remarks>Optimised from the first call: a sync copies millions of rows through here once, long before tiering would.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Fill(NpgsqlBinaryExporter exporter, RowBatch batch, ColumnCopier[] copiers)
    {
        var vectors = Vectors(batch);
        while (exporter.StartRow() != -1)
        {
            var row = batch.AddRow();
            for (var i = 0; i < copiers.Length; i++)
            {
                copiers[i].Read(exporter, vectors[i], row);
            }

            if (batch.IsFull)
            {
                return true;
            }
        }

        return false;
    }

    private static ColumnVector[] Vectors(RowBatch batch)
    {
        var vectors = new ColumnVector[batch.Columns.Count];
        for (var i = 0; i < vectors.Length; i++)
        {
            vectors[i] = batch.Column(i);
        }

        return vectors;
    }
}
