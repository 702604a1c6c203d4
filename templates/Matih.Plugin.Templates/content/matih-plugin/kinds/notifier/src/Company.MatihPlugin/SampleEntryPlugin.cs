using Matih.Sdk.Notifications;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Company.MatihPlugin;

/// <summary>The plugin's entry point: who it is, and its notifier. Setting: <c>directory</c> (required).</summary>
public sealed class SampleEntryPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        "sample-plugin-id",
        "Company.MatihPlugin",
        "0.1.0",
        PluginKind.Notifier,
        "Appends notifications as JSON lines to files, one file per target.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        // Check settings here: a wrong one faults this plugin with the setting named, and the host keeps running.
        var directory = settings["directory"];
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new PluginSettingsException("directory", "is required: the folder notifications are written to.");
        }

        if (!Path.IsPathFullyQualified(directory))
        {
            throw new PluginSettingsException("directory", $"expected an absolute path, got '{directory}'.");
        }

        services.AddSingleton<INotifier>(new SampleEntryNotifier(directory));
    }
}
