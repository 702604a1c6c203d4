using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Matih.Plugins.SourceFaker.NovaMart;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.Generation;

/// <summary>
/// Generates one stream on several cores and writes it to the sink in a fixed order. The stream is cut into
/// chunks of units (customers) whose size depends only on the batch size; worker w generates chunks w, w + W, ...
/// and the writer takes them back in chunk order, so the rows and their order never depend on the thread count.
/// Written batches go back to a pool: the sink keeps nothing once WriteAsync returns.
/// </summary>
internal static class StreamPump
{
    /// <summary>Chunks a worker may have finished ahead of the writer; bounds memory to a few batches per worker.</summary>
    private const int ChunksAhead = 2;

    public static async Task<PumpResult> RunAsync(
        NovaMartStream stream,
        NovaMartDataset data,
        CursorFilter filter,
        IRecordSink sink,
        int parallelism,
        int batchRows,
        CancellationToken cancellationToken)
    {
        var units = stream.UnitCount(data.Scale);
        var estimate = stream.EstimateRows(data.Scale);

        // Aim for one batch per chunk: a little under the batch size so a chunk rarely spills into a second batch.
        var unitsPerChunk = (long)Math.Clamp(batchRows * 0.9 / stream.RowsPerUnit, 1, 1 << 16);
        var chunkCount = (int)((units + unitsPerChunk - 1) / unitsPerChunk);
        var workers = Math.Clamp(parallelism, 1, Math.Max(1, chunkCount));

        var pool = new ConcurrentBag<RowBatch>();
        RowBatch Rent() => pool.TryTake(out var batch) ? batch : new RowBatch(stream.Schema.Columns, batchRows);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        var channels = new Channel<ChunkResult>[workers];
        var producers = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            channels[w] = Channel.CreateBounded<ChunkResult>(
                new BoundedChannelOptions(ChunksAhead) { SingleReader = true, SingleWriter = true });
            var worker = w;
            producers[w] = Task.Run(
                () => ProduceAsync(stream, data, filter, worker, workers, chunkCount, units, unitsPerChunk, Rent, channels[worker].Writer, token),
                CancellationToken.None);
        }

        long rows = 0;
        var maxCursor = long.MinValue;
        try
        {
            for (var k = 0; k < chunkCount; k++)
            {
                ChunkResult chunk;
                try
                {
                    chunk = await channels[k % workers].Reader.ReadAsync(token).ConfigureAwait(false);
                }
                catch (ChannelClosedException closed) when (closed.InnerException is not null)
                {
                    ExceptionDispatchInfo.Throw(closed.InnerException);
                    throw;
                }

                maxCursor = Math.Max(maxCursor, chunk.MaxCursorTicks);
                foreach (var batch in chunk.Batches)
                {
                    token.ThrowIfCancellationRequested();
                    await sink.WriteAsync(stream.Name, batch, RecordOperation.Upsert, token).ConfigureAwait(false);
                    rows += batch.Count;
                    sink.ReportProgress(stream.Name, rows, Math.Max(estimate, rows));
                    batch.Clear();
                    pool.Add(batch);
                }
            }
        }
        finally
        {
            // Stops the workers when the writer leaves early (cancellation, a sink error); a no-op otherwise.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(producers).ConfigureAwait(false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                // Workers stopped by the writer's exit; the writer's own exception is the one that matters.
            }
        }

        return new PumpResult(rows, maxCursor);
    }

    private static async Task ProduceAsync(
        NovaMartStream stream,
        NovaMartDataset data,
        CursorFilter filter,
        int worker,
        int workers,
        int chunkCount,
        long units,
        long unitsPerChunk,
        Func<RowBatch> rent,
        ChannelWriter<ChunkResult> output,
        CancellationToken cancellationToken)
    {
        try
        {
            var generator = stream.CreateGenerator(data);
            for (var k = worker; k < chunkCount; k += workers)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var first = k * unitsPerChunk;
                var chunk = new ChunkWriter(rent, filter);
                generator.Generate(first, Math.Min(units, first + unitsPerChunk), chunk);
                await output.WriteAsync(new ChunkResult(chunk.Batches, chunk.MaxCursorTicks), cancellationToken).ConfigureAwait(false);
            }

            output.TryComplete();
        }
        catch (Exception ex)
        {
            output.TryComplete(ex);
            throw;
        }
    }

    private sealed record ChunkResult(List<RowBatch> Batches, long MaxCursorTicks);
}

/// <summary>What a stream's read produced.</summary>
/// <param name="Rows">Rows written.</param>
/// <param name="MaxCursorTicks">The largest cursor value in the stream, written or not; <see cref="long.MinValue"/> when empty.</param>
internal readonly record struct PumpResult(long Rows, long MaxCursorTicks);
