using Hangfire;
using Matih.Core.Connections;
using Matih.Core.Demo;
using Matih.Core.Hosting;
using Matih.Core.Metadata;
using Matih.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Startup;

/// <summary>
/// Prepares the stores before the host takes requests (metadata schema, the admin user), then loads the demo in
/// the background so the host is healthy at once.
/// </summary>
public sealed class StartupTasks(
    MatihOptions options,
    IDbContextFactory<MetadataDbContext> contexts,
    UserDirectory users,
    NovaMartDemo demo,
    DemoStatus demoStatus,
    DemoExperiments demoExperiments,
    ConnectionSyncs syncs,
    Matih.Core.Pipelines.Pipelines pipelines,
    Matih.Core.Pipelines.PipelineRuns pipelineRuns,
    Matih.Core.Query.SavedQueries savedQueries,
    Matih.Core.Monitoring.Monitors monitors,
    Matih.Core.AbTests.AbTests abTests,
    IRecurringJobManager recurring,
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    ILogger<StartupTasks> log) : IHostedService
{
    private Task? _demo;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            log.LogInformation("Stores: {Stores}", ServerMode.Describe(options));
            await MetadataSchema.EnsureAsync(db, cancellationToken, log);
        }

        var resumed = await syncs.ResumeInterruptedAsync(cancellationToken);
        if (resumed > 0)
        {
            log.LogInformation("Resuming {Count} sync run(s) the last shutdown interrupted", resumed);
        }

        await syncs.ScheduleAllAsync(recurring, cancellationToken);
        await pipelines.ScheduleAllAsync(cancellationToken);
        await pipelineRuns.RecoverAsync(atStart: true, cancellationToken);
        await monitors.ScheduleAllAsync(cancellationToken);
        await abTests.RefreshAsync(cancellationToken);
        recurring.AddOrUpdate<Matih.Core.Pipelines.PipelineRecoveryJob>("pipelines:recover", job => job.RunAsync(CancellationToken.None), Cron.Minutely());

        string? generated;
        try
        {
            generated = await users.EnsureAdminAsync(configuration["MATIH_ADMIN_PASSWORD"], cancellationToken);
        }
        catch (DbUpdateException) when (options.MetadataStore == MetadataStoreKind.PostgreSql)
        {
            // Server mode: another host starting at the same moment created the admin first (unique user name).
            generated = null;
        }

        if (generated is not null)
        {
            // Printed once on the console, never logged: it is a secret.
            Console.WriteLine($"""

                Matih created the 'admin' user. Its password, shown only this once:

                    {generated}

                Set MATIH_ADMIN_PASSWORD before the first start to choose it yourself.

                """);
        }

        if (!options.Demo)
        {
            demoStatus.Set(DemoState.Off, "The demo is off (--no-demo).");
            return;
        }

        demoStatus.Set(DemoState.Loading, $"Loading the NovaMart demo at scale {options.DemoScale}...");
        _demo = Task.Run(() => LoadDemoAsync(lifetime.ApplicationStopping), CancellationToken.None);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_demo is not null)
        {
            await _demo.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task LoadDemoAsync(CancellationToken stopping)
    {
        try
        {
            var result = await demo.LoadAsync(options.DemoScale, seed: 42, stopping);
            await ChurnFeatureQuery.EnsureSavedAsync(savedQueries, stopping);
            demoStatus.Set(result.Loaded || result.Message.Contains("already", StringComparison.Ordinal) ? DemoState.Ready : DemoState.Unavailable, result.Message);
            if (demoStatus.State == DemoState.Ready)
            {
                await TrainDemoExperimentsAsync(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            demoStatus.Set(DemoState.Unavailable, "The demo load was stopped by shutdown; it runs again at the next start.");
        }
        catch (Exception e)
        {
            log.LogError(e, "Loading the NovaMart demo failed");
            demoStatus.Set(DemoState.Unavailable, $"Loading the demo failed: {e.Message}");
        }
    }

    /// <summary>Queues the seed's Stage 6 runs on the demo (background jobs); the demo data stays usable if they cannot start.</summary>
    private async Task TrainDemoExperimentsAsync(CancellationToken stopping)
    {
        try
        {
            await demoExperiments.EnsureAsync(stopping);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            log.LogError(e, "Queuing the {Experiment} demo runs failed", DemoExperiments.Experiment);
        }
    }
}
