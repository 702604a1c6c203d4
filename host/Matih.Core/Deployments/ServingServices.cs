using Matih.Core.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Core.Deployments;

/// <summary>The model registry, the serving engine and the prediction log, opted into with one call.</summary>
public static class ServingServices
{
    /// <summary>
    /// Registers <see cref="ModelRegistry"/>, <see cref="ServingEngine"/> and <see cref="PredictionLog"/>, and the hosted
    /// services that create the log table, reload deployments at start and flush the log on shutdown. Call it after the
    /// service that creates the metadata schema, so the tables exist when deployments are reloaded.
    /// <see cref="ServingOptions"/> are read from <c>Matih:Serving</c>.
    /// </summary>
    public static IServiceCollection AddModelServing(this IServiceCollection services)
    {
        services.AddOptions<ServingOptions>()
            .BindConfiguration(ServingOptions.Section)
            .Validate(o => o.ReconcileSeconds is > 0 and <= 3600, "Matih:Serving:ReconcileSeconds must be between 0 and 3600 seconds (e.g. 2).")
            .ValidateOnStart();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<PredictionLog>();
        services.AddSingleton<ServingEngine>();
        // Started in this order and stopped in reverse: the log flushes after the engine stops serving.
        services.AddHostedService(sp => sp.GetRequiredService<PredictionLog>());
        services.AddHostedService<ServingSupervisor>();
        return services;
    }
}
