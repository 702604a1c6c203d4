using System.Globalization;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Matih.Sdk.Training;

namespace Matih.Core.Experiments;

/// <summary>A problem with the data itself (a label that is not binary, too few rows); the run fails with it as the reason.</summary>
public sealed class TrainingDataException(string message) : Exception(message);

/// <summary>The rows a run trains and tests on, and what identifies them.</summary>
/// <param name="Rows">Labelled rows, in table order (by time when the split is by time).</param>
/// <param name="RowsRead">Rows read from the table, skipped ones included.</param>
/// <param name="SkippedRows">Rows without a label.</param>
/// <param name="ContentHash">An order-independent hash of the labelled rows as trained on.</param>
public sealed record TrainingData(FeatureTable Rows, long RowsRead, long SkippedRows, string ContentHash);

/// <summary>Reads a feature table from the warehouse into a <see cref="FeatureTable"/> and splits it.</summary>
public static class TrainingDataReader
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    /// <summary>Reads the label and feature columns of <paramref name="request"/>'s table.</summary>
    /// <param name="warehouse">The warehouse.</param>
    /// <param name="request">What to read.</param>
    /// <param name="progress">Fraction of rows read so far.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    public static async Task<TrainingData> ReadAsync(DuckDbWarehouse warehouse, ExperimentRunRequest request, IProgress<double> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(warehouse);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var table = request.Table.ToSql();
        var total = await CountAsync(warehouse, table, cancellationToken).ConfigureAwait(false);

        var columns = new List<string> { TableRef.Quote(request.Label) };
        columns.AddRange(request.NumericFeatures.Select(f => $"CAST({TableRef.Quote(f)} AS DOUBLE)"));
        columns.AddRange(request.CategoricalFeatures.Select(f => $"CAST({TableRef.Quote(f)} AS VARCHAR)"));
        // Table order is stable in DuckDB (insertion order), so the same table and seed give the same split; by
        // time, the latest rows come last and are the ones held out.
        var order = request.Split.TimeColumn is { } time ? $" ORDER BY {TableRef.Quote(time)} ASC NULLS FIRST" : "";
        var sql = $"SELECT {string.Join(", ", columns)} FROM {table}{order}";

        var capacity = (int)Math.Min(total, int.MaxValue);
        var labels = new List<bool>(capacity);
        var numeric = request.NumericFeatures.Select(_ => new List<float>(capacity)).ToArray();
        var categorical = request.CategoricalFeatures.Select(_ => new List<string?>(capacity)).ToArray();
        long read = 0, skipped = 0;
        ulong hash = 0;

        using var connection = warehouse.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            read++;
            if ((read & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress.Report(total > 0 ? Math.Min(1, read / (double)total) : 0);
            }

            var label = Label(DuckDbWarehouse.ReadValue(reader, 0), request.Label, read);
            if (label is null)
            {
                skipped++;
                continue;
            }

            var row = Mix(FnvOffset, label.Value ? (byte)1 : (byte)0);
            labels.Add(label.Value);
            for (var j = 0; j < numeric.Length; j++)
            {
                var value = reader.IsDBNull(1 + j) ? float.NaN : (float)reader.GetDouble(1 + j);
                numeric[j].Add(value);
                row = MixInt(row, BitConverter.SingleToInt32Bits(value));
            }

            for (var j = 0; j < categorical.Length; j++)
            {
                var ordinal = 1 + numeric.Length + j;
                var value = reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
                categorical[j].Add(value);
                row = MixText(row, value);
            }

            // Summing row hashes makes the hash independent of row order.
            hash = unchecked(hash + row);
        }

        progress.Report(1);
        var rows = new FeatureTable(
            request.NumericFeatures.Select((name, j) => (name, values: numeric[j].ToArray())).ToDictionary(p => p.name, p => p.values, StringComparer.Ordinal),
            request.CategoricalFeatures.Select((name, j) => (name, values: categorical[j].ToArray())).ToDictionary(p => p.name, p => p.values, StringComparer.Ordinal),
            labels.ToArray());
        return new TrainingData(rows, read, skipped, $"fnv1a64-sum:{hash:x16}");
    }

    /// <summary>Row indexes to train and test on: the latest rows when split by time, else a seeded random share.</summary>
    /// <exception cref="TrainingDataException">Too few rows for both sides.</exception>
    public static (int[] Train, int[] Test) Split(int rows, RunSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        if (rows < 2)
        {
            throw new TrainingDataException($"The table has {rows} labelled row(s); a run needs rows to train on and rows to test on.");
        }

        var test = (int)Math.Clamp(Math.Round(rows * split.Fraction), 1, rows - 1);
        if (split.TimeColumn is not null)
        {
            return (Enumerable.Range(0, rows - test).ToArray(), Enumerable.Range(rows - test, test).ToArray());
        }

        var order = Enumerable.Range(0, rows).ToArray();
        new Random(split.Seed).Shuffle(order);
        var testRows = order[..test];
        var trainRows = order[test..];
        // Ascending indexes read the columns front to back.
        Array.Sort(testRows);
        Array.Sort(trainRows);
        return (trainRows, testRows);
    }

    /// <summary>The rows at <paramref name="indexes"/>.</summary>
    public static FeatureTable Take(FeatureTable table, int[] indexes)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(indexes);
        return new FeatureTable(
            table.Numeric.ToDictionary(p => p.Key, p => Gather(p.Value, indexes), StringComparer.Ordinal),
            table.Categorical.ToDictionary(p => p.Key, p => Gather(p.Value, indexes), StringComparer.Ordinal),
            table.Label is null ? null : Gather(table.Label, indexes));
    }

    private static T[] Gather<T>(T[] values, int[] indexes)
    {
        var result = new T[indexes.Length];
        for (var i = 0; i < indexes.Length; i++)
        {
            result[i] = values[indexes[i]];
        }

        return result;
    }

    private static async Task<long> CountAsync(DuckDbWarehouse warehouse, string table, CancellationToken cancellationToken)
    {
        var result = await warehouse.QueryAsync($"SELECT count(*) FROM {table}", cancellationToken).ConfigureAwait(false);
        return Convert.ToInt64(result.Rows[0][0], CultureInfo.InvariantCulture);
    }

    private static bool? Label(object? value, string column, long row) => value switch
    {
        null => null,
        bool b => b,
        string s when s.Trim() is "1" or "true" or "TRUE" or "True" => true,
        string s when s.Trim() is "0" or "false" or "FALSE" or "False" => false,
        string s when s.Trim().Length == 0 => null,
        IConvertible number when !(value is string) && Convert.ToDouble(number, CultureInfo.InvariantCulture) is var d && (d == 0 || d == 1) => d == 1,
        _ => throw new TrainingDataException($"label: row {row} of column '{column}' holds {Convert.ToString(value, CultureInfo.InvariantCulture)}; a binary label must be 0/1 or true/false."),
    };

    private static ulong Mix(ulong hash, byte value) => unchecked((hash ^ value) * FnvPrime);

    private static ulong MixInt(ulong hash, int value)
    {
        for (var b = 0; b < 4; b++)
        {
            hash = Mix(hash, (byte)(value >> (8 * b)));
        }

        return hash;
    }

    private static ulong MixText(ulong hash, string? value)
    {
        if (value is null)
        {
            return Mix(hash, 0xFF);
        }

        foreach (var c in value)
        {
            hash = Mix(Mix(hash, (byte)c), (byte)(c >> 8));
        }

        // A separator, so ("ab", "c") and ("a", "bc") differ.
        return Mix(hash, 0);
    }
}
