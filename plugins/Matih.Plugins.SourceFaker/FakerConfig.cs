using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Plugins;

namespace Matih.Plugins.SourceFaker;

/// <summary>A connection's config for source-faker: which NovaMart to generate.</summary>
/// <param name="Scale">1.0 = the seed's 2,103,847 customers; everything else follows from the customers.</param>
/// <param name="Seed">Same seed, scale and as_of give identical rows.</param>
/// <param name="AsOf">The day the data is "as of": every date is relative to it.</param>
internal sealed record FakerConfig(double Scale, long Seed, DateOnly AsOf)
{
    public const double MinScaleExclusive = 0;
    public const double MaxScale = 100;

    private const string DateFormat = "yyyy-MM-dd";
    private static readonly DateOnly EarliestAsOf = new(1990, 1, 1);
    private static readonly DateOnly LatestAsOf = new(2999, 12, 31);

    /// <summary>The config fields, as the Add Connection form shows them.</summary>
    public static IReadOnlyList<ParameterSpec> Spec(FakerSettings settings) =>
    [
        new("scale", ParameterType.Number, "Size of the dataset: 1.0 is the seed's 2.1M customers, 20M orders and 30M click events; 0.01 is 21k customers.")
        {
            Default = JsonValue.Create(settings.DefaultScale),
            Minimum = MinScaleExclusive,
            Maximum = MaxScale,
        },
        new("seed", ParameterType.Integer, "Random seed: the same seed, scale and as_of always give identical rows.")
        {
            Default = JsonValue.Create(settings.DefaultSeed),
        },
        new("as_of", ParameterType.String, "The day the data is as of (yyyy-MM-dd, default today in UTC); every date is relative to it, so SQL using CURRENT_DATE on that day sees the seed's shape."),
    ];

    /// <summary>Reads a config, filling absent fields from <paramref name="settings"/>; on failure the error names the field.</summary>
    public static bool TryParse(JsonElement config, FakerSettings settings, DateOnly today, out FakerConfig parsed, out string error)
    {
        parsed = new FakerConfig(settings.DefaultScale, settings.DefaultSeed, today);
        error = string.Empty;
        if (config.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return true;
        }

        if (config.ValueKind != JsonValueKind.Object)
        {
            error = $"config: must be a JSON object (got {Describe(config)}).";
            return false;
        }

        var scale = settings.DefaultScale;
        if (config.TryGetProperty("scale", out var scaleElement) && scaleElement.ValueKind != JsonValueKind.Null)
        {
            if (scaleElement.ValueKind != JsonValueKind.Number || !scaleElement.TryGetDouble(out scale)
                || !(scale > MinScaleExclusive && scale <= MaxScale))
            {
                error = $"scale: must be a number greater than 0 and at most {MaxScale.ToString(CultureInfo.InvariantCulture)} (got {Describe(scaleElement)}).";
                return false;
            }
        }

        var seed = settings.DefaultSeed;
        if (config.TryGetProperty("seed", out var seedElement) && seedElement.ValueKind != JsonValueKind.Null)
        {
            if (seedElement.ValueKind != JsonValueKind.Number || !seedElement.TryGetInt64(out seed))
            {
                error = $"seed: must be a whole number (got {Describe(seedElement)}).";
                return false;
            }
        }

        var asOf = today;
        if (config.TryGetProperty("as_of", out var asOfElement) && asOfElement.ValueKind != JsonValueKind.Null)
        {
            if (asOfElement.ValueKind != JsonValueKind.String
                || !DateOnly.TryParseExact(asOfElement.GetString(), DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out asOf)
                || asOf < EarliestAsOf || asOf > LatestAsOf)
            {
                error = $"as_of: must be a date written yyyy-MM-dd between {Format(EarliestAsOf)} and {Format(LatestAsOf)} (got {Describe(asOfElement)}).";
                return false;
            }
        }

        parsed = new FakerConfig(scale, seed, asOf);
        return true;
    }

    public static string Format(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length > 40 ? text[..40] + "..." : text;
    }
}
