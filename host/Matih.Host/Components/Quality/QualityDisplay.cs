using System.Globalization;
using System.Text.Json;

namespace Matih.Host.Components.Quality;

/// <summary>How the Quality pages show times, figures and result values.</summary>
public static class QualityDisplay
{
    /// <summary>A run time in UTC, as the seed's report writes it.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>A JSON value for a table cell: numbers with separators, lists shortened.</summary>
    public static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var whole) => whole.ToString("N0", CultureInfo.InvariantCulture),
        JsonValueKind.Number => value.GetDouble().ToString("#,0.####", CultureInfo.InvariantCulture),
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "[" + string.Join(", ", value.EnumerateArray().Take(20).Select(Value)) + (value.GetArrayLength() > 20 ? ", ..." : "") + "]",
        _ => value.GetRawText(),
    };

    /// <summary>A percentage to two decimals.</summary>
    public static string Percent(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetDouble().ToString("0.##", CultureInfo.InvariantCulture) + "%" : "";
}
