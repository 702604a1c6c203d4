using Matih.Sdk.Plugins;
using Matih.Sdk.Serving;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Company.MatihPlugin;

/// <summary>The plugin's entry point: who it is, and its serving runtime. No settings.</summary>
public sealed class SampleEntryPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        "sample-plugin-id",
        "Company.MatihPlugin",
        "0.1.0",
        PluginKind.ServingRuntime,
        "Serves linear (logistic) models stored as JSON.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        services.AddSingleton<IServingRuntime, SampleEntryRuntime>();
    }
}
