using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Matih.Scripting;

/// <summary>A column of a <see cref="Table"/>: its name and the warehouse type (<c>BIGINT</c>, <c>VARCHAR</c>, ...).</summary>
/// <param name="Name">The column name.</param>
/// <param name="Type">The warehouse type.</param>
public sealed record TableColumn(string Name, string Type);

/// <summary>
/// Rows with named, typed columns: what <see cref="MatihPlatform.SqlAsync"/> returns and what the console shows as a
/// grid. Values are <see cref="long"/>, <see cref="double"/>, <see cref="string"/>,
/// <see cref="bool"/> or null (dates and timestamps arrive as ISO text).
/// </summary>
public sealed class Table
{
    /// <summary>Creates a table from columns and rows (each row one value per column).</summary>
    public Table(IReadOnlyList<TableColumn> columns, IReadOnlyList<object?[]> rows, long? rowCount = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        Columns = columns;
        Rows = rows;
        RowCount = rowCount ?? rows.Count;
    }

    /// <summary>The columns in order.</summary>
    public IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>The rows held (at most the query's row limit; see <see cref="Truncated"/>).</summary>
    public IReadOnlyList<object?[]> Rows { get; }

    /// <summary>Rows the statement produced (may exceed <see cref="Rows"/> when truncated).</summary>
    public long RowCount { get; }

    /// <summary>True when more rows exist than were returned.</summary>
    public bool Truncated { get; init; }

    /// <summary>How long the statement took on the server, in milliseconds.</summary>
    public long ElapsedMs { get; init; }

    /// <summary>Tables the statement wrote (<c>CREATE TABLE ... AS</c>, <c>INSERT</c>), as three-part names.</summary>
    public IReadOnlyList<string> Written { get; init; } = [];

    /// <summary>The value at <paramref name="row"/> in column <paramref name="column"/>.</summary>
    public object? this[int row, string column] => Rows[row][IndexOf(column)];

    /// <summary>The value at <paramref name="row"/> in column number <paramref name="column"/>.</summary>
    public object? this[int row, int column] => Rows[row][column];

    /// <summary>The position of column <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No column has that name; the message lists the columns.</exception>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new ArgumentException($"The table has no column '{name}'. Columns: {string.Join(", ", Columns.Select(c => c.Name))}.", nameof(name));
    }

    /// <summary>Every value of column <paramref name="name"/>, converted to <typeparamref name="T"/>.</summary>
    public IReadOnlyList<T> Column<T>(string name)
    {
        var index = IndexOf(name);
        return Rows.Select(r => ConvertValue<T>(r[index])).ToArray();
    }

    /// <summary>The value of the first column of the first row, converted: <c>(await SqlAsync("SELECT count(*) ...")).Scalar&lt;long&gt;()</c>.</summary>
    /// <exception cref="InvalidOperationException">The table has no rows or no columns.</exception>
    public T Scalar<T>() => Rows.Count > 0 && Columns.Count > 0
        ? ConvertValue<T>(Rows[0][0])
        : throw new InvalidOperationException("The table has no rows, so it has no scalar value.");

    /// <summary>The value at <paramref name="row"/> in column <paramref name="column"/>, converted to <typeparamref name="T"/>.</summary>
    public T Value<T>(int row, string column) => ConvertValue<T>(this[row, column]);

    /// <summary>The rows as dictionaries from column name to value.</summary>
    public IEnumerable<IReadOnlyDictionary<string, object?>> Records() =>
        Rows.Select(r => (IReadOnlyDictionary<string, object?>)Columns.Select((c, i) => (c.Name, Value: r[i])).ToDictionary(x => x.Name, x => x.Value, StringComparer.OrdinalIgnoreCase));

    /// <summary>A chart of column <paramref name="values"/> over column <paramref name="labels"/>.</summary>
    public Series ToSeries(string labels, string values)
    {
        var l = IndexOf(labels);
        var v = IndexOf(values);
        return new Series(values, Rows.Select(r => Text(r[l])).ToArray(), Rows.Select(r => ConvertValue<double>(r[v])).ToArray());
    }

    /// <summary>The first rows as aligned text, as headless runs print them.</summary>
    public override string ToString() => Format(20);

    /// <summary>The first <paramref name="maxRows"/> rows as aligned text.</summary>
    public string Format(int maxRows)
    {
        var shown = Rows.Take(Math.Max(0, maxRows)).Select(r => r.Select(Text).ToArray()).ToArray();
        var widths = Columns.Select((c, i) => Math.Min(40, Math.Max(c.Name.Length, shown.Length == 0 ? 0 : shown.Max(r => r[i].Length)))).ToArray();
        var text = new StringBuilder();
        text.AppendLine(string.Join("  ", Columns.Select((c, i) => c.Name.PadRight(widths[i]))).TrimEnd());
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in shown)
        {
            text.AppendLine(string.Join("  ", row.Select((v, i) => (v.Length > widths[i] ? v[..(widths[i] - 1)] + "…" : v).PadRight(widths[i]))).TrimEnd());
        }

        text.Append(CultureInfo.InvariantCulture, $"({RowCount:N0} {(RowCount == 1 ? "row" : "rows")}{(RowCount > shown.Length ? $", {shown.Length:N0} shown" : "")})");
        return text.ToString();
    }

    /// <summary>A value as plain text: invariant numbers, ISO dates, <c>null</c>.</summary>
    public static string Text(object? value) => value switch
    {
        null => "null",
        string s => s,
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        float f => f.ToString("G", CultureInfo.InvariantCulture),
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>A value converted to <typeparamref name="T"/> (numbers widen and narrow, text parses).</summary>
    public static T ConvertValue<T>(object? value)
    {
        if (value is T same)
        {
            return same;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (value is null)
        {
            return default(T) is null ? default! : throw new InvalidCastException($"The value is null and {typeof(T).Name} cannot be null; ask for {typeof(T).Name}? instead.");
        }

        if (value is JsonElement element)
        {
            return element.Deserialize<T>(ApiClient.ReadOptions)!;
        }

        if (target == typeof(DateTime) && value is string dateText)
        {
            return (T)(object)DateTime.Parse(dateText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        }

        if (target == typeof(DateTimeOffset) && value is string offsetText)
        {
            return (T)(object)DateTimeOffset.Parse(offsetText, CultureInfo.InvariantCulture);
        }

        if (target == typeof(DateOnly) && value is string dayText)
        {
            return (T)(object)DateOnly.Parse(dayText[..Math.Min(10, dayText.Length)], CultureInfo.InvariantCulture);
        }

        if (target == typeof(string))
        {
            return (T)(object)Text(value);
        }

        return (T)System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    /// <summary>A JSON cell as the closest .NET value.</summary>
    internal static object? FromJson(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
        JsonValueKind.Number => value.GetDouble(),
        _ => value.Clone(),
    };
}
