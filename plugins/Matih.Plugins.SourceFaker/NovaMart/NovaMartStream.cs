using Matih.Plugins.SourceFaker.Generation;
using Matih.Plugins.SourceFaker.NovaMart.Streams;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.NovaMart;

/// <summary>One table of the NovaMart dataset as a connector stream: its schema and how to generate its rows.</summary>
internal abstract class NovaMartStream
{
    /// <summary>The six streams, in the order a full sync reads them.</summary>
    public static IReadOnlyList<NovaMartStream> All { get; } =
    [
        new CustomersStream(),
        new OrdersStream(),
        new OrderItemsStream(),
        new ProductsStream(),
        new ReturnsStream(),
        new ClickstreamStream(),
    ];

    public abstract string Name { get; }

    /// <summary>Where the table lives in NovaMart: <c>public</c> in PostgreSQL, <c>analytics</c> in Snowflake.</summary>
    public virtual string Namespace => "public";

    public abstract TableSchema Schema { get; }

    /// <summary>The default incremental cursor (the one the seed's connection uses).</summary>
    public abstract string CursorField { get; }

    /// <summary>Expected rows per unit (customer or product), for estimates and chunk sizes.</summary>
    public abstract double RowsPerUnit { get; }

    public bool CursorIsDate => Schema.Find(CursorField)!.Type == ColumnType.Date;

    /// <summary>How many units (customers, or products for the products stream) the stream is generated from.</summary>
    public virtual long UnitCount(double scale) => NovaMartShape.CustomerCount(scale);

    public long EstimateRows(double scale) => (long)Math.Round(UnitCount(scale) * RowsPerUnit);

    /// <summary>A generator for one worker thread.</summary>
    public abstract IChunkGenerator CreateGenerator(NovaMartDataset data);

    public static NovaMartStream? Find(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Generates the rows of a range of units; one instance per worker, not thread-safe.</summary>
internal interface IChunkGenerator
{
    /// <summary>Writes the rows of units [<paramref name="first"/>, <paramref name="end"/>) to <paramref name="writer"/>, in order.</summary>
    void Generate(long first, long end, ChunkWriter writer);
}

/// <summary>Column declarations with the types NovaMart's PostgreSQL would report.</summary>
internal static class Columns
{
    public static ColumnSchema Id(string name, bool nullable = false) =>
        new(name, ColumnType.Int64, nullable) { SourceType = "bigint" };

    public static ColumnSchema Integer(string name) => new(name, ColumnType.Int32, false) { SourceType = "integer" };

    public static ColumnSchema Text(string name, bool nullable = false) =>
        new(name, ColumnType.String, nullable) { SourceType = "character varying" };

    public static ColumnSchema Money(string name) =>
        new(name, ColumnType.Decimal, false) { Precision = 12, Scale = 2, SourceType = "numeric(12,2)" };

    public static ColumnSchema Date(string name, bool nullable = false) =>
        new(name, ColumnType.Date, nullable) { SourceType = "date" };

    public static ColumnSchema Timestamp(string name) =>
        new(name, ColumnType.Timestamp, false) { SourceType = "timestamp without time zone" };

    public static ColumnSchema Flag(string name) => new(name, ColumnType.Boolean, false) { SourceType = "boolean" };
}

/// <summary>Conversions from the simulator's integers to column values, without boxing.</summary>
internal static class Values
{
    /// <summary>An amount from whole cents (never negative here), built from its bits rather than by division.</summary>
    public static decimal Money(long cents) => new((int)cents, (int)(cents >> 32), 0, false, 2);

    public static DateTime Timestamp(long ticks) => new(ticks, DateTimeKind.Unspecified);
}
