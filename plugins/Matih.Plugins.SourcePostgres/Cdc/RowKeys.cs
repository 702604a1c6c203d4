using System.Globalization;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourcePostgres.Cdc;

/// <summary>Primary-key values of a row as one comparable string (off the hot path: CDC changes and re-reads only).</summary>
internal static class RowKeys
{
    private const char Separator = '\u001f';

    public static string Of(RowBatch batch, int row, IReadOnlyList<int> columns)
    {
        if (columns.Count == 1)
        {
            return Format(batch.GetValue(row, columns[0]));
        }

        return string.Join(Separator, columns.Select(c => Format(batch.GetValue(row, c))));
    }

    public static object?[] Values(RowBatch batch, int row, IReadOnlyList<int> columns) =>
        columns.Select(c => batch.GetValue(row, c)).ToArray();

    private static string Format(object? value) => value switch
    {
        null => "\0",
        DateTime t => t.Ticks.ToString(CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToHexString(bytes),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
