using System.Globalization;
using Matih.Sdk.Connectors;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Company.MatihPlugin;

/// <summary>The plugin's entry point: who it is, and its one connector. Setting: <c>max_rows</c> (optional).</summary>
public sealed class SampleEntryPlugin : IMatihPlugin
{
    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        "sample-plugin-id",
        "Company.MatihPlugin",
        "0.1.0",
        PluginKind.Connector,
        "Reads greetings into the warehouse.");

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        // Check settings here: a wrong one faults this plugin with the setting named, and the host keeps running.
        var maxRows = 1_000_000;
        if (settings["max_rows"] is { } text && (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out maxRows) || maxRows < 1))
        {
            throw new PluginSettingsException("max_rows", $"expected a positive whole number, got '{text}'.");
        }

        services.AddSingleton<IConnector>(new SampleEntryConnector(maxRows));
    }
}
