using Matih.Sdk.Plugins;
using Matih.Sdk.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Company.MatihPlugin;

/// <summary>The plugin's entry point: who it is, and its trainer. No settings.</summary>
public sealed class SampleEntryPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        "sample-plugin-id",
        "Company.MatihPlugin",
        "0.1.0",
        PluginKind.Trainer,
        "Logistic regression on the numeric features, by gradient descent.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        services.AddSingleton<ITrainer, SampleEntryTrainer>();
    }
}
