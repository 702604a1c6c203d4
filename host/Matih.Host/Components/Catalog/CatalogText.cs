using System.Globalization;

namespace Matih.Host.Components.Catalog;

/// <summary>How the catalog writes its figures, in the seed's words: <c>2.1M</c> rows, <c>12 min ago</c>, <c>87%</c>.</summary>
public static class CatalogText
{
    /// <summary>What a missing figure shows.</summary>
    public const string None = "—";

    private static readonly (double Size, string Suffix)[] s_units = [(1e3, "K"), (1e6, "M"), (1e9, "B"), (1e12, "T")];

    /// <summary>A count as the seed's catalog writes it: <c>812</c>, <c>48K</c>, <c>2.1M</c>; <see cref="None"/> when unknown.</summary>
    public static string ShortCount(long? value)
    {
        if (value is not { } count)
        {
            return None;
        }

        if (Math.Abs(count) < 1000)
        {
            return count.ToString(CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < s_units.Length; i++)
        {
            var (size, suffix) = s_units[i];
            var scaled = count / size;

            // One decimal below ten (2.1M), none above (48K); 999.7K becomes 1M.
            var rounded = Math.Abs(scaled) < 9.95 ? Math.Round(scaled, 1) : Math.Round(scaled);
            if (Math.Abs(rounded) < 1000 || i == s_units.Length - 1)
            {
                return rounded.ToString("0.#", CultureInfo.InvariantCulture) + suffix;
            }
        }

        return count.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A whole number with thousands separators, <see cref="None"/> when unknown.</summary>
    public static string Count(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? None;

    /// <summary>How long ago, as the seed writes it: <c>just now</c>, <c>12 min ago</c>, <c>2 hours ago</c>, <c>1 day ago</c>.</summary>
    public static string Ago(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is not { } when)
        {
            return None;
        }

        var span = now - when;
        return span switch
        {
            { TotalSeconds: < 45 } => "just now",
            { TotalMinutes: < 60 } => $"{Math.Max(1, (int)Math.Round(span.TotalMinutes))} min ago",
            { TotalHours: < 24 } => Plural((int)span.TotalHours, "hour") + " ago",
            { TotalDays: < 60 } => Plural((int)span.TotalDays, "day") + " ago",
            _ => when.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>A timestamp in UTC, for tooltips.</summary>
    public static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? None;

    /// <summary>A quality score (0..1) as a percentage, <see cref="None"/> when the table was never validated.</summary>
    public static string Quality(double? score) =>
        score is { } value ? (value * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : None;

    /// <summary>A null share as the seed's profile writes it: <c>12.1%</c>.</summary>
    public static string Percent(double percent) => percent.ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>How long something took: <c>850 ms</c>, <c>4.2 s</c>.</summary>
    public static string Elapsed(long milliseconds) => milliseconds < 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{milliseconds} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{milliseconds / 1000.0:0.0} s");

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
