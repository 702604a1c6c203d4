namespace Matih.Sdk.Data;

/// <summary>
/// The logical column types Matih moves between plugins and the warehouse. Each has one .NET storage type in a
/// <see cref="RowBatch"/>: see <see cref="ColumnTypes.StorageType"/>.
/// </summary>
public enum ColumnType
{
    /// <summary>bool.</summary>
    Boolean,
    /// <summary>int.</summary>
    Int32,
    /// <summary>long.</summary>
    Int64,
    /// <summary>double.</summary>
    Double,
    /// <summary>decimal, with <see cref="ColumnSchema.Precision"/> and <see cref="ColumnSchema.Scale"/>.</summary>
    Decimal,
    /// <summary>string.</summary>
    String,
    /// <summary>DateOnly.</summary>
    Date,
    /// <summary>DateTime without a time zone.</summary>
    Timestamp,
    /// <summary>DateTime in UTC.</summary>
    TimestampTz,
    /// <summary>Guid.</summary>
    Uuid,
    /// <summary>byte[].</summary>
    Binary,
    /// <summary>string holding JSON.</summary>
    Json,
}

/// <summary>Helpers for <see cref="ColumnType"/>.</summary>
public static class ColumnTypes
{
    /// <summary>The .NET type that holds values of <paramref name="type"/> in a <see cref="RowBatch"/>.</summary>
    public static Type StorageType(this ColumnType type) => type switch
    {
        ColumnType.Boolean => typeof(bool),
        ColumnType.Int32 => typeof(int),
        ColumnType.Int64 => typeof(long),
        ColumnType.Double => typeof(double),
        ColumnType.Decimal => typeof(decimal),
        ColumnType.String or ColumnType.Json => typeof(string),
        ColumnType.Date => typeof(DateOnly),
        ColumnType.Timestamp or ColumnType.TimestampTz => typeof(DateTime),
        ColumnType.Uuid => typeof(Guid),
        ColumnType.Binary => typeof(byte[]),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown column type."),
    };

    /// <summary>True for types a model can use as a number.</summary>
    public static bool IsNumeric(this ColumnType type) =>
        type is ColumnType.Int32 or ColumnType.Int64 or ColumnType.Double or ColumnType.Decimal;
}
