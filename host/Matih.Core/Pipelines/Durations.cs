using System.Globalization;
using System.Text.RegularExpressions;

namespace Matih.Core.Pipelines;

/// <summary>
/// Durations as pipeline documents write them: <c>30s</c>, <c>500ms</c>, <c>5m</c>, <c>1h30m</c>, <c>1d</c>, and
/// ISO 8601 (<c>PT30S</c>) for people coming from Temporal or Airflow exports.
/// </summary>
public static partial class Durations
{
    /// <summary>Parses <paramref name="text"/>; null when it is not a duration.</summary>
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        if (trimmed.StartsWith('P') || trimmed.StartsWith('p'))
        {
            try
            {
                return System.Xml.XmlConvert.ToTimeSpan(trimmed.ToUpperInvariant());
            }
            catch (FormatException)
            {
                return null;
            }
        }

        var parts = Part().Matches(trimmed);
        if (parts.Count == 0 || string.Concat(parts.Select(m => m.Value)) != trimmed)
        {
            return null;
        }

        var total = TimeSpan.Zero;
        foreach (Match part in parts)
        {
            var amount = double.Parse(part.Groups["n"].Value, CultureInfo.InvariantCulture);
            total += part.Groups["u"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        return total;
    }

    /// <summary>Writes <paramref name="value"/> the short way (<c>30s</c>, <c>2m30s</c>).</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1))
        {
            return $"{value.TotalMilliseconds:0}ms";
        }

        var text = "";
        if (value.Days > 0) text += $"{value.Days}d";
        if (value.Hours > 0) text += $"{value.Hours}h";
        if (value.Minutes > 0) text += $"{value.Minutes}m";
        if (value.Seconds > 0 || value.Milliseconds > 0)
        {
            text += value.Milliseconds > 0 ? $"{value.Seconds + value.Milliseconds / 1000.0:0.###}s" : $"{value.Seconds}s";
        }

        return text;
    }

    [GeneratedRegex(@"(?<n>\d+(\.\d+)?)(?<u>ms|s|m|h|d)")]
    private static partial Regex Part();
}
