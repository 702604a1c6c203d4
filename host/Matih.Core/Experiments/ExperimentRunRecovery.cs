using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Experiments;

/// <summary>
/// At start, queues again the runs the last shutdown left queued or running (jobs in the in-memory queue do not
/// survive a restart). Registered after the startup tasks, so the metadata tables exist.
/// </summary>
public sealed class ExperimentRunRecovery(ExperimentRuns runs, ILogger<ExperimentRunRecovery> log) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var count = await runs.RecoverAsync(cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            log.LogInformation("Queued {Count} experiment run(s) again that the last shutdown interrupted", count);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
