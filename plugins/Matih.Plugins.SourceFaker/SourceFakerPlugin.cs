using Matih.Sdk.Connectors;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Plugins.SourceFaker;

/// <summary>
/// Entry point of the source-faker plugin: registers the NovaMart sample-data connector. Settings (all optional):
/// <c>default_scale</c>, <c>default_seed</c>, <c>max_parallelism</c>, <c>batch_rows</c>.
/// </summary>
public sealed class SourceFakerPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        FakerConnector.ConnectorId,
        "Sample data (NovaMart)",
        "1.0.0",
        PluginKind.Connector,
        "Generates the NovaMart retail demo dataset (customers, orders, items, products, returns, clickstream) with a learnable churn signal.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        services.AddSingleton(FakerSettings.FromConfiguration(settings));
        services.AddSingleton<IConnector, FakerConnector>();
    }
}
