using Matih.Sdk.Data;

namespace Matih.Core.Warehouse;

/// <summary>Maps between Matih's logical column types and DuckDB's SQL types.</summary>
public static class DuckDbTypes
{
    /// <summary>The DuckDB type for a column.</summary>
    public static string ToSql(ColumnSchema column) => column.Type switch
    {
        ColumnType.Boolean => "BOOLEAN",
        ColumnType.Int32 => "INTEGER",
        ColumnType.Int64 => "BIGINT",
        ColumnType.Double => "DOUBLE",
        ColumnType.Decimal => $"DECIMAL({Math.Clamp(column.Precision ?? 18, 1, 38)},{Math.Clamp(column.Scale ?? 2, 0, column.Precision ?? 18)})",
        ColumnType.String => "VARCHAR",
        ColumnType.Json => "JSON",
        ColumnType.Date => "DATE",
        ColumnType.Timestamp => "TIMESTAMP",
        ColumnType.TimestampTz => "TIMESTAMPTZ",
        ColumnType.Uuid => "UUID",
        ColumnType.Binary => "BLOB",
        _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, "Unknown column type."),
    };

    /// <summary>The logical type for a DuckDB type name as <c>information_schema</c> reports it.</summary>
    public static ColumnSchema FromSql(string name, string sqlType, bool nullable)
    {
        var upper = sqlType.ToUpperInvariant();
        var type = upper switch
        {
            "BOOLEAN" => ColumnType.Boolean,
            "TINYINT" or "SMALLINT" or "INTEGER" or "UTINYINT" or "USMALLINT" => ColumnType.Int32,
            "BIGINT" or "UINTEGER" or "UBIGINT" or "HUGEINT" or "UHUGEINT" => ColumnType.Int64,
            "FLOAT" or "DOUBLE" or "REAL" => ColumnType.Double,
            "DATE" => ColumnType.Date,
            "TIMESTAMP" or "TIMESTAMP_S" or "TIMESTAMP_MS" or "TIMESTAMP_NS" or "DATETIME" => ColumnType.Timestamp,
            "TIMESTAMP WITH TIME ZONE" or "TIMESTAMPTZ" => ColumnType.TimestampTz,
            "UUID" => ColumnType.Uuid,
            "BLOB" => ColumnType.Binary,
            "JSON" => ColumnType.Json,
            _ when upper.StartsWith("DECIMAL", StringComparison.Ordinal) || upper.StartsWith("NUMERIC", StringComparison.Ordinal) => ColumnType.Decimal,
            _ => ColumnType.String,
        };
        int? precision = null, scale = null;
        if (type == ColumnType.Decimal)
        {
            var open = upper.IndexOf('(');
            if (open > 0)
            {
                var parts = upper[(open + 1)..].TrimEnd(')').Split(',');
                precision = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
                scale = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0;
            }
        }

        return new ColumnSchema(name, type, nullable) { Precision = precision, Scale = scale, SourceType = sqlType };
    }

    /// <summary>The logical type for a .NET value type a DuckDB reader returns.</summary>
    public static ColumnType FromClr(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(bool) => ColumnType.Boolean,
            _ when type == typeof(sbyte) || type == typeof(byte) || type == typeof(short) || type == typeof(ushort) || type == typeof(int) => ColumnType.Int32,
            _ when type == typeof(uint) || type == typeof(long) || type == typeof(ulong) || type == typeof(System.Numerics.BigInteger) => ColumnType.Int64,
            _ when type == typeof(float) || type == typeof(double) => ColumnType.Double,
            _ when type == typeof(decimal) => ColumnType.Decimal,
            _ when type == typeof(DateOnly) => ColumnType.Date,
            _ when type == typeof(DateTime) => ColumnType.Timestamp,
            _ when type == typeof(DateTimeOffset) => ColumnType.TimestampTz,
            _ when type == typeof(Guid) => ColumnType.Uuid,
            _ when type == typeof(byte[]) => ColumnType.Binary,
            _ => ColumnType.String,
        };
    }
}
