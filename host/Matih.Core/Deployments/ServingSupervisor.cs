using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Deployments;

/// <summary>
/// Loads the stored deployments at start (before the host takes requests, so a restart serves what was deployed),
/// then ticks autoscaling and health probes every 100 ms until shutdown.
/// </summary>
public sealed class ServingSupervisor(ServingEngine engine, ILogger<ServingSupervisor> log) : IHostedService, IDisposable
{
    /// <summary>How often autoscaling looks at the load.</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var restored = await engine.RestoreAsync(cancellationToken).ConfigureAwait(false);
        if (restored > 0)
        {
            log.LogInformation("Loaded {Count} deployment(s) at start", restored);
        }

        _loop = Task.Run(() => LoopAsync(_stopping.Token), CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
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
}
