using System.Threading.Channels;
using Matih.Core.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Scripting;

/// <summary>
/// The audit trail of script runs in the metadata store. Records are queued and written by one background writer in
/// batches, so a cached run does not wait for the store's disk sync; reading the trail first waits for what is queued,
/// and stopping the host drains the queue.
/// </summary>
public sealed class ScriptAudit : IAsyncDisposable
{
    private readonly IDbContextFactory<MetadataDbContext> _contexts;
    private readonly ILogger<ScriptAudit> _log;
    private readonly Channel<ScriptRunRecord> _queue = Channel.CreateUnbounded<ScriptRunRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private long _queued;
    private long _written;

    /// <summary>Creates the audit trail and starts its writer.</summary>
    public ScriptAudit(IDbContextFactory<MetadataDbContext> contexts, ILogger<ScriptAudit> log)
    {
        _contexts = contexts;
        _log = log;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Queues one run's record; it is in the store within milliseconds.</summary>
    public void Record(ScriptRunRecord record)
    {
        if (record.Message.Length > 4000)
        {
            record.Message = record.Message[..3999] + "…";
        }

        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _written);
            _log.LogError("Script run {RunId} by {User} was not audited: the host is stopping.", record.Id, record.UserName);
        }
    }

    /// <summary>Waits until every record queued so far is in the store.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _queued);
        while (Interlocked.Read(ref _written) < target && !_writer.IsCompleted)
        {
            await Task.Delay(2, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The latest runs, newest first, optionally of one user.</summary>
    public async Task<IReadOnlyList<ScriptRunRecord>> ListAsync(string? userName, int take, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var runs = db.Set<ScriptRunRecord>().AsNoTracking();
        if (userName is not null)
        {
            runs = runs.Where(r => r.UserName == userName);
        }

        return await runs.OrderByDescending(r => r.StartedAt).Take(Math.Clamp(take, 1, 1000)).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One run, or null.</summary>
    public async Task<ScriptRunRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<ScriptRunRecord>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes what is queued and stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteAsync()
    {
        var batch = new List<ScriptRunRecord>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < 500 && _queue.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var db = await _contexts.CreateDbContextAsync().ConfigureAwait(false);
                    db.Set<ScriptRunRecord>().AddRange(batch);
                    await db.SaveChangesAsync().ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (e is DbUpdateException or InvalidOperationException && attempt < 3)
                {
                    // A busy or briefly locked store: try again shortly.
                    await Task.Delay(100 * attempt).ConfigureAwait(false);
                }
                catch (Exception e) when (e is DbUpdateException or InvalidOperationException)
                {
                    _log.LogError(e, "{Count} script run(s) could not be audited.", batch.Count);
                    break;
                }
            }

            Interlocked.Add(ref _written, batch.Count);
            batch.Clear();
        }
    }
}
