using Matih.Core.Demo;
using Matih.Core.Plugins;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Matih.Host.Api;

/// <summary><c>GET /health</c>: the stores, the plugins and the demo, without sign-in.</summary>
public static class HealthEndpoints
{
    /// <summary>Maps the health route.</summary>
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", async (HealthCheckService health, InstalledPlugins plugins, DemoStatus demo, CancellationToken cancellationToken) =>
        {
            var report = await health.CheckHealthAsync(cancellationToken);
            var body = new
            {
                status = report.Status.ToString().ToLowerInvariant(),
                stores = report.Entries.ToDictionary(
                    e => e.Key,
                    e => new { status = e.Value.Status.ToString().ToLowerInvariant(), description = e.Value.Description }),
                plugins = new
                {
                    loaded = plugins.Statuses.Count(p => p.State == PluginState.Loaded),
                    faulted = plugins.Statuses.Count(p => p.State == PluginState.Faulted),
                    disabled = plugins.Statuses.Count(p => p.State == PluginState.Disabled),
                },
                demo = new { state = demo.State.ToString().ToLowerInvariant(), message = demo.Message },
            };
            return Results.Json(body, statusCode: report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
        }).AllowAnonymous().WithTags("Health");
    }
}
