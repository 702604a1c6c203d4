using Matih.Sdk.Connectors;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Samples.RestJsonConnector;

/// <summary>
/// Entry point of the rest-json plugin: registers a connector that reads a JSON array from a REST endpoint, page by
/// page. Settings (all optional): <c>timeout_seconds</c>, <c>batch_rows</c>, <c>user_agent</c>.
/// </summary>
public sealed class RestJsonPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        RestJsonConnector.ConnectorId,
        "REST / JSON",
        "1.0.0",
        PluginKind.Connector,
        "Reads records from a REST endpoint that returns a JSON array, following page-number, offset or next-link pagination.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        // Validated here, so a bad value faults this plugin with the setting named, not the host.
        services.AddSingleton(RestJsonSettings.FromConfiguration(settings));
        services.AddSingleton<IConnector, RestJsonConnector>();
    }
}
