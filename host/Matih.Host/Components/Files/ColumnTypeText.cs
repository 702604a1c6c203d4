using Matih.Sdk.Data;

namespace Matih.Host.Components.Files;

/// <summary>A column's type as SQL writes it, for table headers and stream listings.</summary>
public static class ColumnTypeText
{
    /// <summary>The source's own name for the type when it has one (<c>character varying(255)</c>), else the warehouse's.</summary>
    public static string Of(ColumnSchema column) => column.SourceType ?? Warehouse(column);

    /// <summary>The type the warehouse stores the column as: <c>INTEGER</c>, <c>DATE</c>, <c>DECIMAL(10,2)</c>.</summary>
    public static string Warehouse(ColumnSchema column) => column.Type switch
    {
        ColumnType.Boolean => "BOOLEAN",
        ColumnType.Int32 => "INTEGER",
        ColumnType.Int64 => "BIGINT",
        ColumnType.Double => "DOUBLE",
        ColumnType.Decimal => column.Precision is { } precision ? $"DECIMAL({precision},{column.Scale ?? 0})" : "DECIMAL",
        ColumnType.String => "VARCHAR",
        ColumnType.Date => "DATE",
        ColumnType.Timestamp => "TIMESTAMP",
        ColumnType.TimestampTz => "TIMESTAMPTZ",
        ColumnType.Uuid => "UUID",
        ColumnType.Binary => "BLOB",
        ColumnType.Json => "JSON",
        _ => column.Type.ToString().ToUpperInvariant(),
    };
}
