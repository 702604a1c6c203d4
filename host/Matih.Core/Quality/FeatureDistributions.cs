using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;

namespace Matih.Core.Quality;

/// <summary>One histogram bucket as the user wrote it (<c>31-60</c>, <c>181+</c>, <c>&lt;0</c>).</summary>
/// <param name="Label">As written.</param>
/// <param name="Min">Inclusive lower bound, or null for none.</param>
/// <param name="Max">Upper bound, or null for none.</param>
/// <param name="MaxExclusive">True when <paramref name="Max"/> is excluded (whole-number ranges that meet the next bucket: 0-30 then 31-60 means [0, 31)).</param>
public sealed record BucketSpec(string Label, double? Min, double? Max, bool MaxExclusive)
{
    /// <summary>The SQL condition that <paramref name="expression"/> falls in the bucket.</summary>
    public string Condition(string expression)
    {
        var parts = new List<string>(2);
        if (Min is { } min)
        {
            parts.Add($"{expression} >= {min.ToString("R", CultureInfo.InvariantCulture)}");
        }

        if (Max is { } max)
        {
            parts.Add($"{expression} {(MaxExclusive ? "<" : "<=")} {max.ToString("R", CultureInfo.InvariantCulture)}");
        }

        return parts.Count == 0 ? "TRUE" : string.Join(" AND ", parts);
    }
}

/// <summary>A bucket's count.</summary>
/// <param name="Label">As written.</param>
/// <param name="Count">Rows whose value falls in it.</param>
/// <param name="Share">Share of the non-null values, 0..1.</param>
public sealed record BucketCount(string Label, long Count, double Share);

/// <summary>One value of the label column and its share.</summary>
/// <param name="Value">The value as text (<c>null</c> for nulls).</param>
/// <param name="Count">Rows.</param>
/// <param name="Share">Share of all rows, 0..1.</param>
public sealed record LabelCount(string Value, long Count, double Share);

/// <summary>The distribution of a numeric feature, as the seed's Stage 5 box shows it.</summary>
/// <param name="Table">The table.</param>
/// <param name="Column">The feature.</param>
/// <param name="Rows">Rows in the table.</param>
/// <param name="Count">Non-null values.</param>
/// <param name="Mean">Mean.</param>
/// <param name="Median">Median (interpolated).</param>
/// <param name="StdDev">Sample standard deviation.</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="IsInteger">True for whole-number columns (figures shown without decimals).</param>
/// <param name="Buckets">The histogram, in the order given.</param>
/// <param name="OutsideBuckets">Non-null values in no bucket.</param>
/// <param name="Label">The label column, when asked.</param>
/// <param name="Labels">The label's values with their shares, most frequent first (at most 100).</param>
/// <param name="ElapsedMilliseconds">How long the scan took.</param>
public sealed record FeatureDistribution(
    string Table,
    string Column,
    long Rows,
    long Count,
    double? Mean,
    double? Median,
    double? StdDev,
    double? Min,
    double? Max,
    bool IsInteger,
    IReadOnlyList<BucketCount> Buckets,
    long OutsideBuckets,
    string? Label,
    IReadOnlyList<LabelCount> Labels,
    double ElapsedMilliseconds)
{
    /// <summary>The profile as the seed prints it (Count/Mean/Median/Std Dev/Min/Max, bars, label shares).</summary>
    public string Text
    {
        get
        {
            var c = CultureInfo.InvariantCulture;
            string Figure(double? value, bool whole) => value is not { } v ? "-" : whole ? v.ToString("N0", c) : v.ToString("N1", c);
            var text = new StringBuilder();
            var title = $"Feature: {Column}";
            text.AppendLine(title).AppendLine(new string('─', title.Length));
            text.Append("Count:     ").AppendLine(Count.ToString("N0", c));
            text.Append("Mean:      ").AppendLine(Figure(Mean, false));
            text.Append("Median:    ").AppendLine(Figure(Median, false));
            text.Append("Std Dev:   ").AppendLine(Figure(StdDev, false));
            text.Append("Min:       ").AppendLine(Figure(Min, IsInteger));
            text.Append("Max:       ").AppendLine(Figure(Max, IsInteger));
            if (Buckets.Count > 0)
            {
                text.AppendLine().AppendLine("Distribution:");
                var width = Buckets.Max(b => b.Label.Length) + 1;
                var top = Math.Max(Buckets.Max(b => b.Share), 1e-12);
                foreach (var bucket in Buckets)
                {
                    var bar = new string('█', (int)Math.Round(20 * bucket.Share / top));
                    text.Append("  ").Append((bucket.Label + ":").PadRight(width + 1)).Append(' ').Append(bar.PadRight(20)).Append(' ')
                        .AppendLine((100 * bucket.Share).ToString("0.0", c) + "%");
                }
            }

            if (Label is not null && Labels.Count > 0)
            {
                text.AppendLine().AppendLine($"{Label} distribution:");
                text.Append("  ").AppendLine(string.Join("  |  ", Labels.Select(l => $"{l.Value}: {(100 * l.Share).ToString("0.0", c)}%")));
            }

            return text.ToString();
        }
    }
}

/// <summary>A distribution request that cannot be answered; <see cref="Field"/> names the part at fault.</summary>
public sealed class DistributionRequestException(string field, string message) : Exception(message)
{
    /// <summary><c>table</c>, <c>column</c>, <c>buckets</c> or <c>label</c>.</summary>
    public string Field { get; } = field;
}

/// <summary>
/// Feature distribution profiling (the seed's Stage 5 box): count, mean, median, standard deviation, min, max and a
/// histogram with the user's buckets for a numeric column, and the value shares of a label column, in one scan
/// (bucket counts are FILTER-ed counts; the label shares come from DuckDB's histogram aggregate).
/// </summary>
public sealed partial class FeatureDistributions(DuckDbWarehouse warehouse)
{
    /// <summary>Label values listed at most.</summary>
    public const int MaxLabels = 100;

    /// <summary>Reads buckets like <c>0-30, 31-60, 61-90, 91-180, 181+</c> (also <c>&lt;0</c> and decimals).</summary>
    /// <exception cref="DistributionRequestException">A bucket cannot be read, or buckets overlap.</exception>
    public static IReadOnlyList<BucketSpec> ParseBuckets(string text)
    {
        var raw = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (raw.Length == 0)
        {
            throw new DistributionRequestException("buckets", "buckets is empty; write them like \"0-30, 31-60, 61-90, 91-180, 181+\".");
        }

        var parsed = new List<(string Label, double? Min, double? Max)>();
        foreach (var item in raw)
        {
            var match = BucketPattern().Match(item);
            if (!match.Success)
            {
                throw new DistributionRequestException("buckets", $"'{item}' is not a bucket; write a range \"31-60\", an open end \"181+\" or \"<0\".");
            }

            double? Read(Group g) => g.Success ? double.Parse(g.Value, CultureInfo.InvariantCulture) : null;
            var (min, max) = match.Groups["below"].Success
                ? ((double?)null, Read(match.Groups["below"]))
                : (Read(match.Groups["min"]), Read(match.Groups["max"]));
            if (min is { } low && max is { } high && low > high)
            {
                throw new DistributionRequestException("buckets", $"'{item}' has its lower bound above its upper bound.");
            }

            parsed.Add((item, min, max));
        }

        var buckets = new List<BucketSpec>(parsed.Count);
        for (var i = 0; i < parsed.Count; i++)
        {
            var (label, min, max) = parsed[i];
            var below = label.StartsWith('<');
            var next = i + 1 < parsed.Count ? parsed[i + 1].Min : null;
            // Whole-number ranges that meet the next bucket ("0-30", "31-60") cover the gap between them too.
            var meets = max is { } m && next is { } n && m == Math.Floor(m) && n == m + 1;
            buckets.Add(meets ? new BucketSpec(label, min, next, true) : new BucketSpec(label, min, max, below));
            if (i > 0 && buckets[i - 1].Max is { } previousMax && min is { } start && start < previousMax)
            {
                throw new DistributionRequestException("buckets", $"'{label}' overlaps '{buckets[i - 1].Label}'; list buckets in ascending order without overlap.");
            }
        }

        return buckets;
    }

    /// <summary>Profiles <paramref name="column"/> of <paramref name="table"/>.</summary>
    /// <param name="table">The table.</param>
    /// <param name="column">A numeric column.</param>
    /// <param name="buckets">The histogram buckets (<c>0-30, 31-60, 181+</c>); null for ten equal-width buckets over min..max.</param>
    /// <param name="label">A label column whose value shares are reported too, or null.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    /// <exception cref="DistributionRequestException">The table, a column or the buckets are wrong; the field is named.</exception>
    public async Task<FeatureDistribution> ProfileAsync(TableRef table, string column, string? buckets, string? label, CancellationToken cancellationToken)
    {
        var timer = Stopwatch.StartNew();
        var schema = await warehouse.GetSchemaAsync(table, cancellationToken).ConfigureAwait(false)
            ?? throw new DistributionRequestException("table", $"The table {table} does not exist.");
        var feature = schema.Find(column)
            ?? throw new DistributionRequestException("column", $"The table has no column '{column}'. Its columns are: {string.Join(", ", schema.Columns.Select(c => c.Name))}.");
        if (!feature.Type.IsNumeric())
        {
            throw new DistributionRequestException("column", $"{feature.Name} is {feature.SourceType ?? feature.Type.ToString()}; a distribution needs a numeric column.");
        }

        ColumnSchema? labelColumn = null;
        if (!string.IsNullOrWhiteSpace(label))
        {
            labelColumn = schema.Find(label)
                ?? throw new DistributionRequestException("label", $"The table has no column '{label}'. Its columns are: {string.Join(", ", schema.Columns.Select(c => c.Name))}.");
        }

        var value = $"CAST({TableRef.Quote(feature.Name)} AS DOUBLE)";
        IReadOnlyList<BucketSpec> specs;
        if (string.IsNullOrWhiteSpace(buckets))
        {
            specs = await EqualWidthAsync(table, value, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            specs = ParseBuckets(buckets);
        }

        var expressions = new List<string>
        {
            "count(*)", $"count({value})", $"avg({value})", $"median({value})", $"stddev_samp({value})", $"min({value})", $"max({value})",
        };
        expressions.AddRange(specs.Select(s => $"count(*) FILTER (WHERE {s.Condition(value)})"));
        if (labelColumn is not null)
        {
            var labelSql = TableRef.Quote(labelColumn.Name);
            expressions.Add($"CAST(to_json(histogram(CAST({labelSql} AS VARCHAR))) AS VARCHAR)");
            expressions.Add($"count(*) - count({labelSql})");
        }

        var row = (await warehouse.QueryAsync($"SELECT {string.Join(", ", expressions)} FROM {table.ToSql()}", cancellationToken).ConfigureAwait(false)).Rows[0];
        var rows = Long(row[0]);
        var count = Long(row[1]);
        var counts = specs.Select((s, i) => Long(row[7 + i])).ToArray();
        var bucketCounts = specs.Select((s, i) => new BucketCount(s.Label, counts[i], count == 0 ? 0 : (double)counts[i] / count)).ToArray();
        var labels = new List<LabelCount>();
        if (labelColumn is not null)
        {
            var histogram = row[7 + specs.Count] as string;
            if (histogram is not null)
            {
                using var document = JsonDocument.Parse(histogram);
                foreach (var entry in document.RootElement.EnumerateObject())
                {
                    var n = entry.Value.GetInt64();
                    labels.Add(new LabelCount(entry.Name, n, rows == 0 ? 0 : (double)n / rows));
                }
            }

            var nulls = Long(row[8 + specs.Count]);
            if (nulls > 0)
            {
                labels.Add(new LabelCount("null", nulls, rows == 0 ? 0 : (double)nulls / rows));
            }

            labels = labels.OrderByDescending(l => l.Count).ThenBy(l => l.Value, StringComparer.Ordinal).Take(MaxLabels).ToList();
            if (labels.Count <= 10)
            {
                // A few classes (0/1, segments) read best in their own order.
                labels = labels.OrderBy(l => l.Value, StringComparer.Ordinal).ToList();
            }
        }

        return new FeatureDistribution(
            table.ToString(), feature.Name, rows, count, Double(row[2]), Double(row[3]), Double(row[4]), Double(row[5]), Double(row[6]),
            feature.Type is ColumnType.Int32 or ColumnType.Int64, bucketCounts, count - counts.Sum(), labelColumn?.Name, labels,
            Math.Round(timer.Elapsed.TotalMilliseconds, 1));
    }

    private async Task<IReadOnlyList<BucketSpec>> EqualWidthAsync(TableRef table, string value, CancellationToken cancellationToken)
    {
        var range = (await warehouse.QueryAsync($"SELECT min({value}), max({value}) FROM {table.ToSql()}", cancellationToken).ConfigureAwait(false)).Rows[0];
        if (Double(range[0]) is not { } min || Double(range[1]) is not { } max)
        {
            return [];
        }

        if (max == min)
        {
            return [new BucketSpec(Number(min), min, max, false)];
        }

        var width = (max - min) / 10;
        return Enumerable.Range(0, 10).Select(i =>
        {
            var low = min + (i * width);
            var high = i == 9 ? max : min + ((i + 1) * width);
            return new BucketSpec($"{Number(low)}-{Number(high)}", low, high, i < 9);
        }).ToArray();
    }

    private static string Number(double value) => value.ToString(Math.Abs(value) >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture);

    private static long Long(object? value) => value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static double? Double(object? value) => value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture) is var d && double.IsFinite(d) ? d : null;

    [GeneratedRegex(@"^\s*(?:<\s*(?<below>-?\d+(?:\.\d+)?)|(?<min>-?\d+(?:\.\d+)?)\s*(?:\+|-\s*(?<max>-?\d+(?:\.\d+)?)))\s*$")]
    private static partial Regex BucketPattern();
}
