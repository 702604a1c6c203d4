using System.Globalization;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;

namespace Matih.Plugins.SourcePostgres;

/// <summary>The plugin's settings from plugins.json (all optional).</summary>
/// <param name="LagWarningBytes"><c>lag_warning_bytes</c>: slot lag or retained WAL above this is flagged on the Sources page (default 1 GB).</param>
public sealed record PostgresPluginSettings(long LagWarningBytes)
{
    /// <summary>1 GB.</summary>
    public const long DefaultLagWarningBytes = 1L << 30;

    /// <summary>The defaults.</summary>
    public static PostgresPluginSettings Default { get; } = new(DefaultLagWarningBytes);

    /// <summary>Reads the settings section.</summary>
    /// <exception cref="PluginSettingsException">A setting is not valid.</exception>
    public static PostgresPluginSettings FromConfiguration(IConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var text = settings["lag_warning_bytes"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return Default;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) || bytes < 1)
        {
            throw new PluginSettingsException("lag_warning_bytes", $"must be a whole number of bytes greater than 0 (got '{text}').");
        }

        return new PostgresPluginSettings(bytes);
    }
}
