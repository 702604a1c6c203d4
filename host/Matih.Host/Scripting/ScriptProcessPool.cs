namespace Matih.Host.Scripting;

/// <summary>
/// Warm script processes waiting for runs, so a run does not pay for starting .NET and Roslyn. A process goes back
/// to the pool after a clean run unless it has done <see cref="ScriptEngineOptions.RecycleAfterRuns"/> runs, holds
/// more than <see cref="ScriptEngineOptions.RecycleAboveMb"/>, or was stopped; then it is replaced in the background.
/// </summary>
public sealed class ScriptProcessPool(ScriptEngineOptions options, ILogger<ScriptProcessPool> log) : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Stack<ScriptProcess> _idle = new();
    private int _starting;
    private bool _disposed;

    /// <summary>Processes started since the host started (for tests and the benchmark).</summary>
    public int Started { get; private set; }

    /// <summary>A warm process (or a new one when none waits); the caller returns it with <see cref="Return"/>.</summary>
    public async Task<ScriptProcess> RentAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ScriptProcess? idle = null;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_idle.Count > 0)
                {
                    idle = _idle.Pop();
                }
            }

            if (idle is null)
            {
                break;
            }

            if (!idle.HasExited)
            {
                Replenish();
                return idle;
            }

            await idle.DisposeAsync().ConfigureAwait(false);
        }

        var started = await StartAsync(cancellationToken).ConfigureAwait(false);
        Replenish();
        return started;
    }

    /// <summary>Takes a process back after a run: kept warm when healthy and wanted, else stopped.</summary>
    public void Return(ScriptProcess process)
    {
        var keep = !process.HasExited && !process.Poisoned && process.Uses < options.RecycleAfterRuns
            && (process.ResidentBytes() ?? 0) < options.RecycleAboveMb * 1024L * 1024;
        lock (_gate)
        {
            // One more than the warm count: the process coming back holds the compiled-script cache and is used
            // next (last in, first out), while the spare started during the run keeps waiting.
            if (keep && !_disposed && _idle.Count < options.WarmProcesses + 1)
            {
                _idle.Push(process);
                return;
            }
        }

        if (keep)
        {
            log.LogDebug("Script process {Pid} not kept: the pool is full.", process.ProcessId);
        }
        else
        {
            log.LogInformation("Replacing script process {Pid} after {Runs} runs ({Reason}).", process.ProcessId, process.Uses,
                process.HasExited ? "it ended" : process.Poisoned ? "it was stopped or ran out of memory" : "recycled");
        }

        _ = process.DisposeAsync().AsTask();
        Replenish();
    }

    /// <summary>Starts processes until <see cref="ScriptEngineOptions.WarmProcesses"/> wait.</summary>
    public void Replenish()
    {
        lock (_gate)
        {
            if (_disposed || _idle.Count + _starting >= options.WarmProcesses)
            {
                return;
            }

            _starting++;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                var process = await StartAsync(CancellationToken.None).ConfigureAwait(false);
                lock (_gate)
                {
                    if (!_disposed)
                    {
                        _idle.Push(process);
                        return;
                    }
                }

                await process.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or ObjectDisposedException)
            {
                log.LogWarning("A warm script process did not start: {Reason}", e.Message);
            }
            finally
            {
                lock (_gate)
                {
                    _starting--;
                }
            }
        });
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        ScriptProcess[] idle;
        lock (_gate)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }

        foreach (var process in idle)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<ScriptProcess> StartAsync(CancellationToken cancellationToken)
    {
        var process = await ScriptProcess.StartAsync(options, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            Started++;
        }

        return process;
    }
}
