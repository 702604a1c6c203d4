using System.Globalization;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;

namespace Matih.Plugins.SourceFaker;

/// <summary>
/// The plugin's settings from plugins.json: defaults for connections that leave a field out, and how hard the
/// generator may use the machine.
/// </summary>
/// <example>
/// <code>
/// { "id": "source-faker", "settings": { "default_scale": 0.05, "default_seed": 7, "max_parallelism": 2 } }
/// </code>
/// </example>
public sealed record FakerSettings
{
    /// <summary>Scale used when a connection's config has no <c>scale</c> (1.0 = the seed's 2.1M customers).</summary>
    public double DefaultScale { get; init; } = 0.01;

    /// <summary>Seed used when a connection's config has no <c>seed</c>.</summary>
    public long DefaultSeed { get; init; } = 42;

    /// <summary>Worker threads generating rows; the output is identical whatever the value.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Rows per batch handed to the sink.</summary>
    public int BatchRows { get; init; } = 8_192;

    /// <summary>Reads and validates the plugin's settings section.</summary>
    /// <exception cref="PluginSettingsException">A setting is present but wrong; the message names it.</exception>
    public static FakerSettings FromConfiguration(IConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var defaults = new FakerSettings();
        return new FakerSettings
        {
            DefaultScale = ReadDouble(settings, "default_scale", defaults.DefaultScale, FakerConfig.MinScaleExclusive, FakerConfig.MaxScale),
            DefaultSeed = ReadLong(settings, "default_seed", defaults.DefaultSeed, long.MinValue, long.MaxValue),
            MaxParallelism = (int)ReadLong(settings, "max_parallelism", defaults.MaxParallelism, 1, 256),
            BatchRows = (int)ReadLong(settings, "batch_rows", defaults.BatchRows, 64, 1_048_576),
        };
    }

    private static double ReadDouble(IConfiguration settings, string key, double fallback, double minExclusive, double max)
    {
        var text = settings[key];
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > minExclusive && value <= max))
        {
            throw new PluginSettingsException(key, $"must be a number greater than {minExclusive.ToString(CultureInfo.InvariantCulture)} and at most {max.ToString(CultureInfo.InvariantCulture)} (got '{text}').");
        }

        return value;
    }

    private static long ReadLong(IConfiguration settings, string key, long fallback, long min, long max)
    {
        var text = settings[key];
        if (text is null)
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            var range = min == long.MinValue ? "a whole number" : $"a whole number from {min} to {max}";
            throw new PluginSettingsException(key, $"must be {range} (got '{text}').");
        }

        return value;
    }
}
