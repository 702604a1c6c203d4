using Matih.Sdk.Data;

namespace Matih.Plugins.SourcePostgres.Discovery;

/// <summary>Maps PostgreSQL column types to Matih's logical types and to how their values are read.</summary>
internal static class TypeMapping
{
    // Built-in type OIDs (pg_type.oid); stable across PostgreSQL versions.
    private const uint Bool = 16;
    private const uint Bytea = 17;
    private const uint Name = 19;
    private const uint Int8 = 20;
    private const uint Int2 = 21;
    private const uint Int4 = 23;
    private const uint Text = 25;
    private const uint Json = 114;
    private const uint Float4 = 700;
    private const uint Float8 = 701;
    private const uint Bpchar = 1042;
    private const uint Varchar = 1043;
    private const uint Date = 1082;
    private const uint Timestamp = 1114;
    private const uint TimestampTz = 1184;
    private const uint Numeric = 1700;
    private const uint Uuid = 2950;
    private const uint Jsonb = 3802;

    /// <summary>.NET decimal holds 28 significant digits; wider numerics travel as text.</summary>
    private const int MaxDecimalPrecision = 28;

    /// <summary>Describes a column.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="typeOid">The column's type, or a domain's base type.</param>
    /// <param name="typmod">The type modifier (numeric precision and scale), -1 when none.</param>
    /// <param name="sourceType">format_type() of the declared type, for display.</param>
    /// <param name="nullable">False for NOT NULL columns.</param>
    public static SourceColumn Map(string name, uint typeOid, int typmod, string sourceType, bool nullable)
    {
        ColumnSchema Column(ColumnType type) => new(name, type, nullable) { SourceType = sourceType };

        return typeOid switch
        {
            Bool => new(Column(ColumnType.Boolean), ValueKind.Boolean, null, false),
            Int2 => new(Column(ColumnType.Int32), ValueKind.Int16, null, false),
            Int4 => new(Column(ColumnType.Int32), ValueKind.Int32, null, false),
            Int8 => new(Column(ColumnType.Int64), ValueKind.Int64, null, false),
            Float4 => new(Column(ColumnType.Double), ValueKind.Float4, null, false),
            Float8 => new(Column(ColumnType.Double), ValueKind.Float8, null, false),
            Numeric => MapNumeric(name, typmod, sourceType, nullable),
            Text or Varchar or Bpchar or Name => new(Column(ColumnType.String), ValueKind.Text, null, false),
            Date => new(Column(ColumnType.Date), ValueKind.Date, null, false),
            Timestamp => new(Column(ColumnType.Timestamp), ValueKind.Timestamp, null, false),
            TimestampTz => new(Column(ColumnType.TimestampTz), ValueKind.TimestampTz, null, false),
            Uuid => new(Column(ColumnType.Uuid), ValueKind.Uuid, null, false),
            // jsonb's binary COPY form carries a version byte; ::text gives the same text the replication stream decodes to.
            Json or Jsonb => new(Column(ColumnType.Json), ValueKind.Text, "text", false),
            Bytea => new(Column(ColumnType.Binary), ValueKind.Bytea, null, false),
            _ => new(Column(ColumnType.String), ValueKind.Text, "text", true),
        };
    }

    private static SourceColumn MapNumeric(string name, int typmod, string sourceType, bool nullable)
    {
        if (typmod < 4)
        {
            // numeric without precision: any size and scale, NaN and infinities; double is the faithful common ground.
            return new(new ColumnSchema(name, ColumnType.Double, nullable) { SourceType = sourceType }, ValueKind.Float8, "float8", false);
        }

        var precision = ((typmod - 4) >> 16) & 0xFFFF;
        var scale = (typmod - 4) & 0xFFFF;
        if (precision > MaxDecimalPrecision || scale > precision)
        {
            return new(new ColumnSchema(name, ColumnType.String, nullable) { SourceType = sourceType }, ValueKind.Text, "text", true);
        }

        var column = new ColumnSchema(name, ColumnType.Decimal, nullable) { SourceType = sourceType, Precision = precision, Scale = scale };
        return new(column, ValueKind.Decimal, null, false);
    }
}
