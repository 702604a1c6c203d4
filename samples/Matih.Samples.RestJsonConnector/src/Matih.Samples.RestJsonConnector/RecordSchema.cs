using System.Globalization;
using System.Text.Json;
using Matih.Sdk.Data;

namespace Matih.Samples.RestJsonConnector;

/// <summary>
/// Infers a table schema from JSON records and writes records into row batches by that schema. Columns are the
/// records' top-level properties in first-seen order; nested objects and arrays become JSON columns.
/// </summary>
public static class RecordSchema
{
    /// <summary>Infers the columns of <paramref name="records"/>.</summary>
    /// <param name="records">Sample records (the first page).</param>
    /// <param name="primaryKey">Key columns; each must occur in the records.</param>
    /// <exception cref="InvalidDataException">A record is not a JSON object.</exception>
    /// <exception cref="ArgumentException">A key column does not occur in the records.</exception>
    public static TableSchema Infer(IReadOnlyList<JsonElement> records, IReadOnlyList<string> primaryKey)
    {
        var types = new Dictionary<string, ColumnType?>(StringComparer.Ordinal);
        var order = new List<string>();
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i].ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"Record {i} is {records[i].ValueKind}, not an object; every record must be a JSON object.");
            }

            foreach (var property in records[i].EnumerateObject())
            {
                if (!types.TryGetValue(property.Name, out var known))
                {
                    order.Add(property.Name);
                    known = null;
                }

                types[property.Name] = Merge(known, TypeOf(property.Value));
            }
        }

        foreach (var key in primaryKey)
        {
            if (!types.ContainsKey(key))
            {
                throw new ArgumentException($"config.primary_key: column '{key}' is not in the records (columns: {string.Join(", ", order)}).");
            }
        }

        var columns = order
            .Select(name => new ColumnSchema(name, types[name] ?? ColumnType.String, Nullable: !primaryKey.Contains(name, StringComparer.Ordinal)))
            .ToArray();
        return new TableSchema(columns, primaryKey);
    }

    /// <summary>Columns whose values order records in time or sequence, usable as an incremental cursor.</summary>
    public static IReadOnlyList<string> CursorCandidates(TableSchema schema) =>
        schema.Columns.Where(c => c.Type is ColumnType.Int64 or ColumnType.Double or ColumnType.Date or ColumnType.TimestampTz).Select(c => c.Name).ToArray();

    /// <summary>Appends <paramref name="record"/> to <paramref name="batch"/>, converting each value to its column's type.</summary>
    /// <param name="batch">A batch with the inferred schema's columns.</param>
    /// <param name="record">A JSON object; properties not in the schema are ignored, missing ones are NULL.</param>
    /// <param name="position">The record's number in the stream, for error messages.</param>
    /// <exception cref="InvalidDataException">A value does not fit the type inferred from the first page.</exception>
    public static void Append(RowBatch batch, JsonElement record, long position)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"Record {position} is {record.ValueKind}, not an object.");
        }

        var row = batch.AddRow();
        for (var c = 0; c < batch.Columns.Count; c++)
        {
            var column = batch.Columns[c];
            if (!record.TryGetProperty(column.Name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                batch.Column(c).SetNull(row);
                continue;
            }

            if (!TrySet(batch, c, row, column.Type, value))
            {
                throw new InvalidDataException(
                    $"Record {position}, column '{column.Name}': {value.GetRawText()} does not fit {column.Type}, the type inferred from the first page.");
            }
        }
    }

    /// <summary>The value of <paramref name="field"/> in <paramref name="record"/>, or null when absent or null.</summary>
    public static JsonElement? Field(JsonElement record, string field) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>
    /// Orders two cursor values: numbers numerically, ISO-8601 timestamps by instant, other strings ordinally.
    /// </summary>
    public static int CompareCursors(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number)
        {
            return a.GetDouble().CompareTo(b.GetDouble());
        }

        var left = a.ValueKind == JsonValueKind.String ? a.GetString()! : a.GetRawText();
        var right = b.ValueKind == JsonValueKind.String ? b.GetString()! : b.GetRawText();
        if (TryTimestamp(left, out var l) && TryTimestamp(right, out var r))
        {
            return l.CompareTo(r);
        }

        return string.CompareOrdinal(left, right);
    }

    private static ColumnType? TypeOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True or JsonValueKind.False => ColumnType.Boolean,
        JsonValueKind.Number => value.TryGetInt64(out _) ? ColumnType.Int64 : ColumnType.Double,
        JsonValueKind.String when TryDate(value.GetString()!, out _) => ColumnType.Date,
        JsonValueKind.String when TryTimestamp(value.GetString()!, out _) => ColumnType.TimestampTz,
        JsonValueKind.String => ColumnType.String,
        _ => ColumnType.Json,
    };

    private static ColumnType? Merge(ColumnType? known, ColumnType? next) => (known, next) switch
    {
        (null, _) => next,
        (_, null) => known,
        var (a, b) when a == b => a,
        (ColumnType.Int64, ColumnType.Double) or (ColumnType.Double, ColumnType.Int64) => ColumnType.Double,
        (ColumnType.Date, ColumnType.TimestampTz) or (ColumnType.TimestampTz, ColumnType.Date) => ColumnType.TimestampTz,
        // Mixed kinds: keep every value as text rather than fail the sync.
        _ => ColumnType.String,
    };

    private static bool TrySet(RowBatch batch, int column, int row, ColumnType type, JsonElement value)
    {
        switch (type)
        {
            case ColumnType.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                batch.Column<bool>(column).Set(row, value.GetBoolean());
                return true;
            case ColumnType.Int64 when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var whole):
                batch.Column<long>(column).Set(row, whole);
                return true;
            case ColumnType.Double when value.ValueKind == JsonValueKind.Number:
                batch.Column<double>(column).Set(row, value.GetDouble());
                return true;
            case ColumnType.Date when value.ValueKind == JsonValueKind.String && TryDate(value.GetString()!, out var date):
                batch.Column<DateOnly>(column).Set(row, date);
                return true;
            case ColumnType.TimestampTz when value.ValueKind == JsonValueKind.String && TryTimestamp(value.GetString()!, out var instant):
                batch.Column<DateTime>(column).Set(row, instant.UtcDateTime);
                return true;
            case ColumnType.TimestampTz when value.ValueKind == JsonValueKind.String && TryDate(value.GetString()!, out var day):
                batch.Column<DateTime>(column).Set(row, day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
                return true;
            case ColumnType.String:
                batch.Column<string>(column).Set(row, value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
                return true;
            case ColumnType.Json:
                batch.Column<string>(column).Set(row, value.GetRawText());
                return true;
            default:
                return false;
        }
    }

    private static bool TryDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    // Only full ISO-8601 date-times ("2024-05-01T10:00:00Z"), so "12" or "May 1" stay strings.
    private static bool TryTimestamp(string text, out DateTimeOffset instant)
    {
        instant = default;
        return text.Length >= 19 && text[10] is 'T' or 't' or ' '
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }
}
