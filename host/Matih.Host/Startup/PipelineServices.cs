using Matih.Core.Hosting;
using Matih.Core.Pipelines;
using Matih.Core.Pipelines.Tasks;
using Matih.Sdk.Pipelines;

namespace Matih.Host.Startup;

/// <summary>Pipelines: the document store, the run engine on Hangfire, and the built-in task types.</summary>
public static class PipelineServices
{
    /// <summary>Registers pipelines; plugins add task types by registering <see cref="IPipelineTaskType"/>.</summary>
    public static IServiceCollection AddMatihPipelines(this IServiceCollection services, MatihOptions options)
    {
        services.AddSingleton(new PipelineOptions
        {
            // Embedded SQLite cannot be shared by another host, so whatever a stopped host left running is ours to resume.
            ExclusiveStore = options.MetadataStore == Matih.Core.Metadata.MetadataStoreKind.Sqlite,
            WorkbenchUrl = options.WorkbenchUrl,
        });
        services.AddSingleton<PipelineTaskTypes>();
        services.AddSingleton<Pipelines>();
        services.AddSingleton<PipelineRuns>();
        services.AddSingleton<IPipelineDispatch, HangfireDispatch>();
        services.AddTransient<PipelineTaskJob>();
        services.AddTransient<ScheduledPipelineJob>();
        services.AddTransient<PipelineRecoveryJob>();
        services.AddSingleton<IPipelineTaskType, SqlExecuteTask>();
        services.AddSingleton<IPipelineTaskType, DataQualityCheckTask>();
        services.AddSingleton<IPipelineTaskType, FeatureStoreSyncTask>();
        services.AddSingleton<IPipelineTaskType, SyncConnectionTask>();
        services.AddSingleton<IPipelineTaskType, RunScriptTask>();
        return services;
    }
}
