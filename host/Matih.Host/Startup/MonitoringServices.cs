using Matih.Core.Hosting;
using Matih.Core.Monitoring;

namespace Matih.Host.Startup;

/// <summary>Monitoring and A/B tests: both read the prediction log the serving engine writes.</summary>
public static class MonitoringServices
{
    /// <summary>Registers monitoring.</summary>
    public static IServiceCollection AddMatihMonitoring(this IServiceCollection services, MatihOptions options)
    {
        services.AddSingleton(new MonitoringOptions(options.WorkbenchUrl));
        services.AddSingleton<PredictionLogWindows>();
        services.AddSingleton<Monitors>();
        services.AddTransient<MonitorJob>();
        services.AddSingleton<Matih.Core.AbTests.AbTests>();
        return services;
    }
}
