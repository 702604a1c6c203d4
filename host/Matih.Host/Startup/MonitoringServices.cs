using Matih.Core.Hosting;
using Matih.Core.Monitoring;

namespace Matih.Host.Startup;

/// <summary>Monitoring: monitors over the prediction log, evaluated on schedules by drift detector plugins.</summary>
public static class MonitoringServices
{
    /// <summary>Registers monitoring.</summary>
    public static IServiceCollection AddMatihMonitoring(this IServiceCollection services, MatihOptions options)
    {
        services.AddSingleton(new MonitoringOptions(options.WorkbenchUrl));
        services.AddSingleton<PredictionLogWindows>();
        services.AddSingleton<Monitors>();
        services.AddTransient<MonitorJob>();
        return services;
    }
}
