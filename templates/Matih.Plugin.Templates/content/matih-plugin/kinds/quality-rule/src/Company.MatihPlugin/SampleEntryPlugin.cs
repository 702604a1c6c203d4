using Matih.Sdk.Plugins;
using Matih.Sdk.Quality;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Company.MatihPlugin;

/// <summary>The plugin's entry point: who it is, and its expectation types. No settings.</summary>
public sealed class SampleEntryPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        "sample-plugin-id",
        "Company.MatihPlugin",
        "0.1.0",
        PluginKind.QualityRule,
        "Expects text columns to hold no blank values.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        // One registration per expectation type; add more rules here.
        services.AddSingleton<IQualityRule, SampleEntryRule>();
    }
}
