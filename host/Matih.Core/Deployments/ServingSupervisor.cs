using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Matih.Core.Deployments;

/// <summary>
/// Loads the stored deployments at start (before the host takes requests, so a restart serves what was deployed),
/// then ticks autoscaling and health probes every 100 ms and, every <see cref="ServingOptions.ReconcileSeconds"/>,
/// follows the deployments other hosts created, changed or removed (server mode), until shutdown.
/// </summary>
public sealed class ServingSupervisor(ServingEngine engine, IOptions<ServingOptions> options, ILogger<ServingSupervisor> log) : IHostedService, IDisposable
{
    /// <summary>How often autoscaling looks at the load.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private Task? _reconcile;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var restored = await engine.RestoreAsync(cancellationToken).ConfigureAwait(false);
        if (restored > 0)
        {
            log.LogInformation("Loaded {Count} deployment(s) at start", restored);
        }

        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
        // Its own loop: loading another host's new version takes seconds, autoscaling must not wait for it.
        _reconcile = Task.Run(() => ReconcileLoopAsync(options.Value.ReconcileInterval, _stopping.Token), CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var loop in new[] { _loop, _reconcile })
        {
            if (loop is not null)
            {
                await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    private async Task LoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TickInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await engine.TickAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task ReconcileLoopAsync(TimeSpan interval, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval);
        string? lastFault = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    var round = await engine.ReconcileAsync(stopping).ConfigureAwait(false);
                    lastFault = null;
                    if (round.Changed)
                    {
                        log.LogInformation("Followed the stored deployments: {Loaded} loaded, {Updated} updated, {Removed} removed, {Failed} cannot load here",
                            round.Loaded.Count, round.Updated.Count, round.Removed.Count, round.Failed.Count);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    // The metadata store is unreachable or busy: serve what is loaded and try again next round.
                    if (e.Message != lastFault)
                    {
                        log.LogWarning(e, "Could not compare the live deployments with the stored ones; retrying every {Seconds} s", interval.TotalSeconds);
                    }

                    lastFault = e.Message;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutdown.
        }
    }
}
