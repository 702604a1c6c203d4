using System.Globalization;
using System.Text.Json;
using Matih.Sdk.Data;

namespace Matih.Plugins.Expectations.Internal;

/// <summary>SQL text for the plans: quoted identifiers, literals typed for the column they are compared with, ranges.</summary>
internal static class Sql
{
    public static string Quote(string identifier) => TableRef.Quote(identifier);

    public static string Quote(ColumnSchema column) => TableRef.Quote(column.Name);

    public static string String(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// <paramref name="value"/> as a SQL literal comparable with <paramref name="column"/>'s values, checked here so a
    /// wrong value is reported against its kwarg instead of failing the table's scan.
    /// </summary>
    public static string Literal(JsonElement value, ColumnSchema column, string kwarg)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return "NULL";
        }

        var described = KwargReader.Describe(value);
        var type = column.SourceType ?? column.Type.ToString().ToUpperInvariant();
        if (column.Type.IsNumeric())
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
            {
                return value.GetRawText();
            }

            if (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number))
            {
                return number.ToString("R", CultureInfo.InvariantCulture);
            }

            throw new KwargException(kwarg, $"{kwarg}: {described} is not a number, but column {column.Name} is {type}.");
        }

        switch (column.Type)
        {
            case ColumnType.Boolean:
                return value.ValueKind switch
                {
                    JsonValueKind.True => "TRUE",
                    JsonValueKind.False => "FALSE",
                    JsonValueKind.String when bool.TryParse(value.GetString(), out var flag) => flag ? "TRUE" : "FALSE",
                    _ => throw new KwargException(kwarg, $"{kwarg}: {described} is not true or false, but column {column.Name} is BOOLEAN."),
                };
            case ColumnType.Date or ColumnType.Timestamp or ColumnType.TimestampTz:
                var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                if (text is null || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
                {
                    throw new KwargException(kwarg, $"{kwarg}: {described} is not a date, but column {column.Name} is {type}; write dates as strings like \"2024-01-31\".");
                }

                var cast = column.Type switch
                {
                    ColumnType.Date => "DATE",
                    ColumnType.Timestamp => "TIMESTAMP",
                    _ => "TIMESTAMPTZ",
                };
                return $"CAST({String(text)} AS {cast})";
            case ColumnType.Uuid:
                if (value.ValueKind != JsonValueKind.String || !Guid.TryParse(value.GetString(), out var guid))
                {
                    throw new KwargException(kwarg, $"{kwarg}: {described} is not a UUID, but column {column.Name} is UUID.");
                }

                return $"CAST({String(guid.ToString())} AS UUID)";
            default:
                return value.ValueKind switch
                {
                    JsonValueKind.String => String(value.GetString()!),
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => String(value.GetRawText()),
                    _ => throw new KwargException(kwarg, $"{kwarg}: {described} cannot be compared with the values of column {column.Name} ({type})."),
                };
        }
    }

    /// <summary>
    /// The condition "<paramref name="expression"/> is within the bounds" with GE's semantics: a null bound is open,
    /// strict bounds exclude the bound itself.
    /// </summary>
    public static string Within(string expression, string? min, string? max, bool strictMin, bool strictMax)
    {
        var parts = new List<string>(2);
        if (min is not null)
        {
            parts.Add($"{expression} {(strictMin ? ">" : ">=")} {min}");
        }

        if (max is not null)
        {
            parts.Add($"{expression} {(strictMax ? "<" : "<=")} {max}");
        }

        return parts.Count == 0 ? "TRUE" : string.Join(" AND ", parts);
    }

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
