using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matih.Core.Metadata;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Catalog;

/// <summary>
/// Profiles a table's columns: null share, distinct values, and a distribution in the seed's words — the value range
/// for dates ("2019-01 to 2025-12"), min/median/max for numbers, the top values with their share for low-cardinality
/// columns — plus a histogram per column. Two scans: one for the figures, one for every histogram and top-value list
/// (DuckDB's histogram()). Exact by default; approximate when asked or when the table is larger than the configured size.
/// </summary>
public sealed class TableProfiler(DuckDbWarehouse warehouse, IDbContextFactory<MetadataDbContext> contexts, TimeProvider clock)
{
    /// <summary>Tables with more rows than this are profiled approximately unless exact figures are asked for.</summary>
    public long ExactRowLimit { get; init; } = 50_000_000;

    /// <summary>Columns with at most this many distinct values list their top values.</summary>
    public const int LowCardinality = 20;

    /// <summary>Bins in a histogram.</summary>
    public const int Bins = 20;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>Profiles <paramref name="table"/> and stores the result.</summary>
    /// <param name="table">The table.</param>
    /// <param name="approximate">True for estimates, false for exact, null to decide by size.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    public async Task<TableProfileResult?> ProfileAsync(TableRef table, bool? approximate, CancellationToken cancellationToken)
    {
        var schema = await warehouse.GetSchemaAsync(table, cancellationToken).ConfigureAwait(false);
        if (schema is null)
        {
            return null;
        }

        var timer = Stopwatch.StartNew();
        var source = table.ToSql();
        var rows = Convert.ToInt64((await warehouse.QueryAsync($"SELECT count(*) FROM {source}", cancellationToken).ConfigureAwait(false)).Rows[0][0], CultureInfo.InvariantCulture);
        var approx = approximate ?? rows > ExactRowLimit;

        // One scan: per column non-null count, distinct count and, by type, min/max/median/mean/stddev.
        var expressions = new List<string>();
        foreach (var column in schema.Columns)
        {
            var c = TableRef.Quote(column.Name);
            expressions.Add($"count({c})");
            expressions.Add(approx ? $"approx_count_distinct({c})" : $"count(DISTINCT {c})");
            if (column.Type.IsNumeric())
            {
                var d = $"{c}::DOUBLE";
                expressions.Add($"min({d})");
                expressions.Add($"max({d})");
                expressions.Add(approx ? $"approx_quantile({d}, 0.5)" : $"median({d})");
                expressions.Add($"avg({d})");
                expressions.Add($"stddev({d})");
            }
            else if (column.Type is ColumnType.Date or ColumnType.Timestamp or ColumnType.TimestampTz)
            {
                expressions.Add($"min({c})::VARCHAR");
                expressions.Add($"max({c})::VARCHAR");
                expressions.Add($"epoch(min({c}))");
                expressions.Add($"epoch(max({c}))");
            }
        }

        var figures = (await warehouse.QueryAsync($"SELECT {string.Join(", ", expressions)} FROM {source}", cancellationToken).ConfigureAwait(false)).Rows[0];
        var firstPass = new List<(ColumnSchema Column, long NonNull, long? Distinct, double? Min, double? Max, double? Median, double? Mean, double? StdDev, string? MinText, string? MaxText)>();
        var at = 0;
        foreach (var column in schema.Columns)
        {
            var nonNull = Long(figures[at++]) ?? 0;
            var distinct = Long(figures[at++]);
            double? min = null, max = null, median = null, mean = null, stddev = null;
            string? minText = null, maxText = null;
            if (column.Type.IsNumeric())
            {
                (min, max, median, mean, stddev) = (Double(figures[at++]), Double(figures[at++]), Double(figures[at++]), Double(figures[at++]), Double(figures[at++]));
            }
            else if (column.Type is ColumnType.Date or ColumnType.Timestamp or ColumnType.TimestampTz)
            {
                (minText, maxText, min, max) = (figures[at++] as string, figures[at++] as string, Double(figures[at++]), Double(figures[at++]));
            }

            firstPass.Add((column, nonNull, distinct, min, max, median, mean, stddev, minText, maxText));
        }

        // A second scan for every histogram and every top-value list at once (DuckDB's histogram() as JSON).
        var second = new List<string>();
        var slots = new List<(int Column, bool Top)>();
        for (var i = 0; i < firstPass.Count; i++)
        {
            var f = firstPass[i];
            var c = TableRef.Quote(f.Column.Name);
            if (f.Distinct is > 0 and <= LowCardinality)
            {
                second.Add($"to_json(histogram({c}::VARCHAR))::VARCHAR");
                slots.Add((i, true));
            }

            if (f.Min is { } lo && f.Max is { } hi && f.NonNull > 0 && (f.Column.Type.IsNumeric() || f.MinText is not null))
            {
                var value = f.Column.Type.IsNumeric() ? $"{c}::DOUBLE" : $"epoch({c})";
                var width = hi > lo ? (hi - lo) / Bins : 1;
                second.Add($"to_json(histogram(least(floor(({value} - {lo.ToString("R", CultureInfo.InvariantCulture)}) / {width.ToString("R", CultureInfo.InvariantCulture)}), {Bins - 1})::INTEGER))::VARCHAR");
                slots.Add((i, false));
            }
        }

        var maps = second.Count == 0
            ? []
            : (await warehouse.QueryAsync($"SELECT {string.Join(", ", second)} FROM {source}", cancellationToken).ConfigureAwait(false)).Rows[0];
        var tops = new Dictionary<int, IReadOnlyList<ValueShare>>();
        var histograms = new Dictionary<int, IReadOnlyList<HistogramBin>>();
        for (var slot = 0; slot < slots.Count; slot++)
        {
            var (index, top) = slots[slot];
            var counts = maps[slot] is string json ? JsonSerializer.Deserialize<Dictionary<string, long>>(json) ?? [] : [];
            var f = firstPass[index];
            if (top)
            {
                tops[index] = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
                    .Select(kv => new ValueShare(kv.Key, kv.Value, f.NonNull == 0 ? 0 : (double)kv.Value / f.NonNull)).ToArray();
            }
            else
            {
                histograms[index] = Histogram(f.Column, f.Min!.Value, f.Max!.Value, counts);
            }
        }

        var profiles = firstPass.Select((f, i) =>
        {
            var top = tops.GetValueOrDefault(i) ?? [];
            var nullPercent = rows == 0 ? 0 : 100.0 * (rows - f.NonNull) / rows;
            return new ColumnProfile(f.Column.Name, f.Column.SourceType ?? f.Column.Type.ToString().ToUpperInvariant(), Math.Round(nullPercent, 2), f.Distinct,
                Describe(f.Column, rows, f.NonNull, f.Distinct, f.Min, f.Max, f.Median, f.MinText, f.MaxText, top),
                f.Min, f.Max, f.Median, f.Mean, f.StdDev, f.MinText, f.MaxText, top, histograms.GetValueOrDefault(i) ?? []);
        }).ToList();

        var result = new TableProfileResult(table.ToString(), rows, approx, clock.GetUtcNow(), timer.ElapsedMilliseconds, profiles);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        db.Profiles.Add(new StoredProfile { Table = result.Table, TakenAt = result.TakenAt, Json = JsonSerializer.Serialize(result, s_json) });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Stored profiles of <paramref name="table"/>, newest first.</summary>
    public async Task<IReadOnlyList<TableProfileResult>> HistoryAsync(TableRef table, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var id = table.ToString();
        var stored = await db.Profiles.AsNoTracking().Where(p => p.Table == id).OrderByDescending(p => p.Id).Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
        return stored.Select(p => JsonSerializer.Deserialize<TableProfileResult>(p.Json, s_json)!).ToArray();
    }

    /// <summary>The seed's Distribution text for a column.</summary>
    public static string Describe(ColumnSchema column, long rows, long nonNull, long? distinct, double? min, double? max, double? median,
        string? minText, string? maxText, IReadOnlyList<ValueShare> top)
    {
        if (nonNull == 0)
        {
            return "-";
        }

        if (column.Type is ColumnType.Int32 or ColumnType.Int64 && distinct == nonNull && nonNull == rows && rows > LowCardinality)
        {
            return "Uniform";
        }

        if (top.Count > 0 && distinct <= 10)
        {
            var lopsided = top.Max(t => t.Share) - top.Min(t => t.Share) > 0.05;
            return lopsided
                ? "[" + string.Join(", ", top.Select(t => $"{t.Value}: {t.Share * 100:0.#}%")) + "]"
                : "[" + string.Join(", ", top.Select(t => t.Value)) + "]";
        }

        if (minText is not null && maxText is not null)
        {
            return $"{minText[..Math.Min(7, minText.Length)]} to {maxText[..Math.Min(7, maxText.Length)]}";
        }

        if (min is not null && max is not null && median is not null)
        {
            return $"min={Number(min.Value)}, median={Number(median.Value)}, max={Number(max.Value)}";
        }

        return "-";
    }

    private static IReadOnlyList<HistogramBin> Histogram(ColumnSchema column, double min, double max, Dictionary<string, long> counts)
    {
        var width = max > min ? (max - min) / Bins : 1;
        var bins = max > min ? Bins : 1;
        return Enumerable.Range(0, bins).Select(i =>
        {
            var from = min + (i * width);
            var to = i == bins - 1 ? max : from + width;
            var label = column.Type.IsNumeric()
                ? $"{Number(from)}-{Number(to)}"
                : DateTimeOffset.FromUnixTimeSeconds((long)from).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return new HistogramBin(label, from, to, counts.GetValueOrDefault(i.ToString(CultureInfo.InvariantCulture)));
        }).ToArray();
    }

    private static string Number(double value) =>
        Math.Abs(value - Math.Round(value)) < 1e-9 || Math.Abs(value) >= 100
            ? Math.Round(value).ToString("#,0", CultureInfo.InvariantCulture)
            : value.ToString("#,0.##", CultureInfo.InvariantCulture);

    private static long? Long(object? value) => value is null ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static double? Double(object? value) => value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
