using Matih.Sdk.Catalog;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Company.MatihPlugin;

/// <summary>
/// The plugin's entry point: who it is, and its catalog provider. Settings: <c>directory</c> (required),
/// <c>catalog</c> (optional, default <c>files</c>).
/// </summary>
public sealed class SampleEntryPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        "sample-plugin-id",
        "Company.MatihPlugin",
        "0.1.0",
        PluginKind.CatalogProvider,
        "Lists the CSV files of a folder as datasets.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        // Check settings here: a wrong one faults this plugin with the setting named, and the host keeps running.
        var directory = settings["directory"];
        if (string.IsNullOrWhiteSpace(directory) || !Path.IsPathFullyQualified(directory))
        {
            throw new PluginSettingsException("directory", $"expected the absolute path of a folder of CSV files, got '{directory}'.");
        }

        services.AddSingleton<ICatalogProvider>(new SampleEntryCatalog(directory, settings["catalog"] ?? "files"));
    }
}
