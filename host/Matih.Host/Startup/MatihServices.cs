using Hangfire;
using Matih.Core.Connections;
using Matih.Core.Demo;
using Microsoft.AspNetCore.DataProtection;
using Matih.Core.Hosting;
using Matih.Core.Metadata;
using Matih.Core.Plugins;
using Matih.Core.Query;
using Matih.Core.Users;
using Matih.Core.Warehouse;
using Matih.Host.Auth;
using Matih.Sdk.Platform;
using Microsoft.EntityFrameworkCore;
using MudBlazor.Services;

namespace Matih.Host.Startup;

/// <summary>Everything the host registers, in one place: stores, plugins, engine services, auth, jobs, UI.</summary>
public static class MatihServices
{
    /// <summary>Registers Matih on <paramref name="builder"/> and returns the options in force.</summary>
    public static MatihOptions AddMatih(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Matih").Get<MatihOptions>() ?? new MatihOptions();
        var dataPath = options.DataPath;
        Directory.CreateDirectory(dataPath);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton(_ => ServerMode.OpenWarehouse(new WarehouseOptions
        {
            Directory = options.WarehouseDirectory is { } warehouse ? Path.GetFullPath(warehouse) : Path.Combine(dataPath, "warehouse"),
            // Leave room for the host and the OS: DuckDB spills to the data directory beyond this instead of failing.
            MemoryLimit = options.WarehouseMemoryLimit ?? $"{(long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.6 / (1024 * 1024))}MB",
            Sharing = options.EffectiveWarehouseSharing,
            LeaseWait = TimeSpan.FromSeconds(options.WarehouseLeaseWaitSeconds),
        }));
        services.AddSingleton<IWarehouse>(sp => sp.GetRequiredService<DuckDbWarehouse>());
        services.AddSingleton<SqlQueryService>();
        services.AddSingleton<Matih.Core.Lineage.LineageParser>();
        services.AddSingleton<Matih.Core.Lineage.LineageGraph>();
        services.AddSingleton<SavedQueries>();
        services.AddSingleton<Matih.Core.Catalog.CatalogService>();
        services.AddSingleton(sp => new Matih.Core.Catalog.TableProfiler(
            sp.GetRequiredService<DuckDbWarehouse>(), sp.GetRequiredService<IDbContextFactory<MetadataDbContext>>(), sp.GetRequiredService<TimeProvider>())
        {
            ExactRowLimit = options.ExactProfileRowLimit,
        });

        // SQLite file (default) or PostgreSQL (server mode); checked now so a bad setting fails before anything starts.
        ServerMode.Validate(options);
        services.AddDbContextFactory<MetadataDbContext>(o => MetadataStores.Use(o, options));
        services.AddSingleton<UserDirectory>();
        services.AddDataProtection()
            .SetApplicationName("Matih")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataPath, "keys", "data-protection")));
        // One secret store for ${NAME} in connections and notifier channels; also registers SecretValues over it.
        Matih.Core.Secrets.SecretServices.AddMatihSecrets(services, builder.Configuration, dataPath);
        services.AddSingleton<Connections>();
        services.AddSingleton<ConnectionSyncs>();
        services.AddSingleton<Matih.Core.Catalog.DatasetRegistry>();
        services.AddSingleton<Matih.Core.Files.FileImports>();
        services.AddSingleton<Matih.Core.Features.FeatureStore>();
        // Server mode: follow feature versions another host published.
        services.AddHostedService(sp => new Matih.Core.Features.FeatureStoreRefresher(sp.GetRequiredService<Matih.Core.Features.FeatureStore>(),
            sp.GetRequiredService<ILogger<Matih.Core.Features.FeatureStoreRefresher>>(),
            TimeSpan.FromSeconds(Math.Clamp(builder.Configuration.GetValue("Matih:Features:RefreshSeconds", 2.0), 0.1, 3600))));
        // Routes alerts and run reports to the notifier plugins (slack, webhook, email) by channel.
        services.AddSingleton<Matih.Core.Notifications.Notifications>();
        services.AddTransient<SyncJob>();
        services.AddTransient<ScheduledSyncJob>();
        services.AddMatihPipelines(options);
        services.AddMatihMonitoring(options);
        services.AddSingleton<Matih.Core.Quality.SuiteValidator>();
        services.AddSingleton<Matih.Core.Quality.QualitySuites>();
        services.AddSingleton<Matih.Core.Quality.QualityValidations>();
        services.AddSingleton<Matih.Core.Quality.FeatureDistributions>();
        services.AddSingleton<Matih.Core.Experiments.ExperimentRuns>();
        services.AddTransient<Matih.Core.Experiments.ExperimentRunJob>();
        // C# scripts in child processes: the console, POST /api/scripts/*, the script verb and run_script tasks.
        Matih.Host.Scripting.ScriptServices.AddMatihScripting(services, builder.Configuration);
        services.AddSingleton<NovaMartDemo>();
        services.AddSingleton<DemoExperiments>();
        services.AddSingleton<DemoTraffic>();
        services.AddSingleton<DemoStatus>();

        using (var bootLog = LoggerFactory.Create(l => l.AddConsole()))
        {
            var pluginsFile = PluginsFile.Read(ResolvePluginsFile(options));
            var installed = PluginLoading.LoadAll(pluginsFile, Path.Combine(AppContext.BaseDirectory, "plugins"), services, bootLog.CreateLogger("Matih.Plugins"));
            services.AddSingleton(installed);
            // Plugins page and /api/plugins: changes to plugins.json, installs copied under the data directory.
            services.AddSingleton(sp => new PluginChanges(installed, ResolvePluginsFile(options), Path.Combine(AppContext.BaseDirectory, "plugins"),
                Path.Combine(dataPath, "plugins"), sp.GetService<Matih.Core.Audit.AuditLog>()));
        }

        services.AddMatihAuth(dataPath);
        services.AddProblemDetails();
        services.AddHangfire(c => ServerMode.UseJobStorage(c.UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings(), options));
        // JobWorkers = 0: this host serves the workbench and the API and queues work for the other hosts.
        if (options.JobWorkers != 0)
        {
            services.AddHangfireServer(o =>
            {
                // Server mode: each host is one named Hangfire server on the shared storage.
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
                // Pipeline tasks wait on each other, SQL and syncs: more workers than cores keeps independent tasks parallel.
                o.WorkerCount = options.JobWorkers is > 0 and var workers ? workers : Math.Max(8, Environment.ProcessorCount * 4);
                // Retries are scheduled jobs: poll often so a 30 s backoff is 30 s, not up to 45.
                o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            });
        }

        services.AddHealthChecks()
            .AddCheck<WarehouseHealthCheck>("warehouse")
            .AddCheck<MetadataHealthCheck>("metadata")
            .AddCheck<JobsHealthCheck>("jobs");
        services.AddHostedService<StartupTasks>();
        // After the startup tasks, so the metadata tables exist when interrupted runs are queued again.
        services.AddHostedService<Matih.Core.Experiments.ExperimentRunRecovery>();
        // Registry, serving engine and prediction log; deployments are reloaded at start, the log flushed at shutdown.
        Matih.Core.Deployments.ServingServices.AddModelServing(services);

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddAntiforgery();
        return options;
    }

    /// <summary>plugins.json: as configured, else in the working directory, else beside the host.</summary>
    public static string ResolvePluginsFile(MatihOptions options)
    {
        if (options.PluginsFile is { } configured)
        {
            return Path.GetFullPath(configured);
        }

        var local = Path.GetFullPath("plugins.json");
        return File.Exists(local) ? local : Path.Combine(AppContext.BaseDirectory, "plugins.json");
    }
}
