using System.Globalization;
using System.Text.Json;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourcePostgres.Incremental;

/// <summary>
/// The saved state of a Standard incremental stream, <c>{"cursor_field": "updated_at", "cursor": "2025-12-15T04:12:33.123456"}</c>:
/// the largest cursor value delivered so far. The next sync reads rows whose cursor is greater.
/// </summary>
/// <remarks>
/// Numbers are saved as JSON numbers, dates as <c>yyyy-MM-dd</c>, timestamps as ISO 8601 with microseconds
/// (<c>Z</c>-suffixed for timestamptz). A state for another cursor field is ignored: the stream is read from the start.
/// </remarks>
internal static class CursorState
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff";

    /// <summary>Cursor columns must have one of these types.</summary>
    public static bool Supports(ColumnType type) => type is ColumnType.Int32 or ColumnType.Int64 or ColumnType.Decimal
        or ColumnType.Date or ColumnType.Timestamp or ColumnType.TimestampTz;

    /// <summary>The saved cursor of <paramref name="column"/> in <paramref name="state"/>, or null when none applies.</summary>
    public static object? Read(JsonElement? state, ColumnSchema column)
    {
        if (state is not { ValueKind: JsonValueKind.Object } saved
            || !saved.TryGetProperty("cursor_field", out var field) || field.GetString() != column.Name
            || !saved.TryGetProperty("cursor", out var cursor) || cursor.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return column.Type switch
        {
            ColumnType.Int32 or ColumnType.Int64 => cursor.GetInt64(),
            ColumnType.Decimal => cursor.GetDecimal(),
            ColumnType.Date => DateOnly.ParseExact(cursor.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            ColumnType.Timestamp => DateTime.ParseExact(cursor.GetString()!, TimestampFormat, CultureInfo.InvariantCulture),
            ColumnType.TimestampTz => DateTime.ParseExact(cursor.GetString()!, TimestampFormat + "'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            _ => null,
        };
    }

    /// <summary>The state to save for <paramref name="column"/> with largest value <paramref name="cursor"/> (null: none seen).</summary>
    public static JsonElement Write(ColumnSchema column, object? cursor)
    {
        object? value = cursor switch
        {
            null => null,
            int i => (long)i,
            long l => l,
            decimal d => d,
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t when column.Type == ColumnType.TimestampTz => t.ToUniversalTime().ToString(TimestampFormat + "'Z'", CultureInfo.InvariantCulture),
            DateTime t => t.ToString(TimestampFormat, CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(cursor), cursor, "Unsupported cursor value."),
        };
        return JsonSerializer.SerializeToElement(new Dictionary<string, object?> { ["cursor_field"] = column.Name, ["cursor"] = value });
    }

    /// <summary>The SQL condition selecting rows past <paramref name="cursor"/>.</summary>
    public static string Condition(ColumnSchema column, object cursor)
    {
        var name = Sql.Quote(column.Name);
        return cursor switch
        {
            long l => $"{name} > {l.ToString(CultureInfo.InvariantCulture)}",
            decimal d => $"{name} > {d.ToString(CultureInfo.InvariantCulture)}",
            DateOnly d when d == DateOnly.MaxValue => $"{name} > 'infinity'::date",
            DateOnly d => $"{name} > '{d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}'::date",
            DateTime t when t == DateTime.MaxValue => $"{name} > 'infinity'::{(column.Type == ColumnType.TimestampTz ? "timestamptz" : "timestamp")}",
            DateTime t when column.Type == ColumnType.TimestampTz =>
                $"{name} > '{t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}+00'::timestamptz",
            DateTime t => $"{name} > '{t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)}'::timestamp",
            _ => throw new ArgumentOutOfRangeException(nameof(cursor), cursor, "Unsupported cursor value."),
        };
    }
}

/// <summary>Tracks the largest cursor value across the batches of one read, scanning the typed vector (no boxing per row).</summary>
internal sealed class CursorTracker
{
    private readonly int _column;
    private readonly ColumnType _type;

    public CursorTracker(int column, ColumnType type, object? start)
    {
        _column = column;
        _type = type;
        Max = start;
    }

    /// <summary>The largest value seen, or the start value.</summary>
    public object? Max { get; private set; }

    /// <summary>Looks at every row of <paramref name="batch"/>.</summary>
    public void Inspect(RowBatch batch)
    {
        switch (_type)
        {
            case ColumnType.Int32:
                Update(MaxOf(batch.Column<int>(_column), batch.Count), v => (long)v);
                break;
            case ColumnType.Int64:
                Update(MaxOf(batch.Column<long>(_column), batch.Count), v => v);
                break;
            case ColumnType.Decimal:
                Update(MaxOf(batch.Column<decimal>(_column), batch.Count), v => v);
                break;
            case ColumnType.Date:
                Update(MaxOf(batch.Column<DateOnly>(_column), batch.Count), v => v);
                break;
            default:
                Update(MaxOf(batch.Column<DateTime>(_column), batch.Count), v => v);
                break;
        }
    }

    private void Update<T, TSaved>((bool Found, T Value) candidate, Func<T, TSaved> convert)
        where TSaved : IComparable<TSaved>
    {
        if (candidate.Found && (Max is not TSaved current || convert(candidate.Value).CompareTo(current) > 0))
        {
            Max = convert(candidate.Value);
        }
    }

    private static (bool Found, T Value) MaxOf<T>(ColumnVector<T> vector, int count)
        where T : IComparable<T>
    {
        var found = false;
        T max = default!;
        var values = vector.Values;
        for (var row = 0; row < count; row++)
        {
            if (!vector.IsNull(row) && (!found || values[row].CompareTo(max) > 0))
            {
                max = values[row];
                found = true;
            }
        }

        return (found, max);
    }
}
