namespace Matih.Core.Catalog;

/// <summary>One value of a low-cardinality column and its share of the non-null values.</summary>
public sealed record ValueShare(string Value, long Count, double Share);

/// <summary>One histogram bin.</summary>
public sealed record HistogramBin(string Label, double From, double To, long Count);

/// <summary>
/// A column's profile, as the seed's profile table shows it (Column, Type, Nulls, Unique, Distribution) plus the
/// figures behind it and a histogram for charts.
/// </summary>
public sealed record ColumnProfile(
    string Column,
    string Type,
    double NullPercent,
    long? Distinct,
    string Distribution,
    double? Min,
    double? Max,
    double? Median,
    double? Mean,
    double? StdDev,
    string? MinText,
    string? MaxText,
    IReadOnlyList<ValueShare> TopValues,
    IReadOnlyList<HistogramBin> Histogram);

/// <summary>A table's profile at one moment.</summary>
/// <param name="Table">The table.</param>
/// <param name="RowCount">Rows profiled.</param>
/// <param name="Approximate">True when distinct counts and medians are estimates (big tables, or asked for).</param>
/// <param name="TakenAt">When.</param>
/// <param name="ElapsedMs">How long it took.</param>
/// <param name="Columns">Per column.</param>
public sealed record TableProfileResult(string Table, long RowCount, bool Approximate, DateTimeOffset TakenAt, long ElapsedMs, IReadOnlyList<ColumnProfile> Columns);

/// <summary>A stored profile, so changes over time are visible.</summary>
public sealed class StoredProfile
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The table, <c>catalog.schema.table</c>.</summary>
    public required string Table { get; set; }

    /// <summary>When it was taken.</summary>
    public DateTimeOffset TakenAt { get; set; }

    /// <summary>The profile as JSON.</summary>
    public required string Json { get; set; }
}
