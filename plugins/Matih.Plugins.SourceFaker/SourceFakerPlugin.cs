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
        "Generates the NovaMart retail demo dataset (customers, orders, items, products, returns, clickstream) with a learnable churn signal.")
    {
        // The same settings FakerSettings.FromConfiguration reads; the Plugins page builds its form from these.
        Settings =
        [
            new("default_scale", ParameterType.Number, "Scale for connections that give none (1.0 = 2.1M customers); greater than 0.") { Minimum = FakerConfig.MinScaleExclusive, Maximum = FakerConfig.MaxScale, Default = 0.01 },
            new("default_seed", ParameterType.Integer, "Seed for connections that give none.") { Default = 42 },
            new("max_parallelism", ParameterType.Integer, "Worker threads generating rows; the output is the same whatever the value.") { Minimum = 1, Maximum = 256 },
            new("batch_rows", ParameterType.Integer, "Rows per batch handed to the warehouse.") { Minimum = 64, Maximum = 1_048_576, Default = 8_192 },
        ],
    };

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        services.AddSingleton(FakerSettings.FromConfiguration(settings));
        services.AddSingleton<IConnector, FakerConnector>();
    }
}
