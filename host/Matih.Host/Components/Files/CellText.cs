using System.Globalization;

namespace Matih.Host.Components.Files;

/// <summary>How a preview cell shows a warehouse value.</summary>
public static class CellText
{
    /// <summary>Longest text shown in a cell; the whole value is in its tooltip.</summary>
    public const int MaxLength = 120;

    /// <summary>The value as text: dates as ISO, numbers without a culture's separators, null as <c>NULL</c>.</summary>
    public static string Format(object? value) => value switch
    {
        null or DBNull => "NULL",
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The value cut to <see cref="MaxLength"/> characters for the grid.</summary>
    public static string Short(object? value)
    {
        var text = Format(value);
        return text.Length > MaxLength ? text[..MaxLength] + "…" : text;
    }
}
