using System.Globalization;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;

namespace Matih.Samples.RestJsonConnector;

/// <summary>The plugin's settings from plugins.json.</summary>
/// <param name="Timeout">How long one HTTP request may take.</param>
/// <param name="BatchRows">Rows per batch handed to the warehouse.</param>
/// <param name="UserAgent">The User-Agent header sent with every request.</param>
public sealed record RestJsonSettings(TimeSpan Timeout, int BatchRows, string UserAgent)
{
    /// <summary>The settings when plugins.json gives none.</summary>
    public static RestJsonSettings Default { get; } = new(TimeSpan.FromSeconds(30), 1000, "Matih-RestJson/1.0");

    /// <summary>Reads and checks the settings; throws <see cref="PluginSettingsException"/> naming a wrong one.</summary>
    public static RestJsonSettings FromConfiguration(IConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var timeout = Integer(settings, "timeout_seconds", (int)Default.Timeout.TotalSeconds, 1, 600);
        var batchRows = Integer(settings, "batch_rows", Default.BatchRows, 1, 100_000);
        var userAgent = settings["user_agent"] is { Length: > 0 } agent ? agent : Default.UserAgent;
        return new RestJsonSettings(TimeSpan.FromSeconds(timeout), batchRows, userAgent);
    }

    private static int Integer(IConfiguration settings, string key, int fallback, int min, int max)
    {
        var text = settings[key];
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new PluginSettingsException(key, $"expected a whole number from {min} to {max}, got '{text}'.");
        }

        return value;
    }
}
