using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Company.MatihPlugin;

/// <summary>The plugin's entry point: who it is, and its drift method. No settings.</summary>
public sealed class SampleEntryPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        "sample-plugin-id",
        "Company.MatihPlugin",
        "0.1.0",
        PluginKind.DriftDetector,
        "Mean shift measured in reference standard deviations.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        services.AddSingleton<IDriftDetector, SampleEntryDetector>();
    }
}
