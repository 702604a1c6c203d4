using System.Diagnostics;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Matih.Core.Catalog;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;

namespace Matih.Core.Files;

/// <summary>A column the user declares for an imported file (<c>customer_id INT</c>).</summary>
public sealed record DeclaredColumn(string Name, string Type);

/// <summary>What to do when rows do not fit the declared schema.</summary>
public enum BadRowPolicy
{
    /// <summary>Import nothing and report the bad rows (the default: atomic).</summary>
    Fail,
    /// <summary>Import the good rows and keep the bad ones in <c>{table}_rejects</c>.</summary>
    KeepRejects,
}

/// <summary>One row that does not fit, with where and why.</summary>
/// <param name="Line">1-based line in the file.</param>
/// <param name="Column">The column at fault, when known.</param>
/// <param name="Value">The offending text, when known.</param>
/// <param name="Error">Why it does not fit.</param>
public sealed record BadRow(long Line, string? Column, string? Value, string Error);

/// <summary>A file's inferred (or declared) schema and its first rows.</summary>
public sealed record FilePreview(string Format, IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<object?[]> Rows, IReadOnlyList<BadRow> BadRows);

/// <summary>The outcome of an import; a refused import says why and which rows, and wrote nothing.</summary>
public sealed record FileImportResult(
    bool Imported,
    string Table,
    long RowsImported,
    long RowsRejected,
    string? RejectsTable,
    IReadOnlyList<BadRow> BadRows,
    long ElapsedMs,
    string? Error);

/// <summary>
/// Imports CSV and Parquet files into the warehouse: preview with the inferred schema, validation against the
/// declared columns (every bad row with its line, column and value), atomic by default, rejects kept on request.
/// </summary>
public sealed partial class FileImports(DuckDbWarehouse warehouse, DatasetRegistry datasets, Lineage.LineageGraph lineage)
{
    /// <summary>Rows shown in a preview.</summary>
    public const int PreviewRows = 10;

    /// <summary>Bad rows listed at most (all are counted).</summary>
    public const int MaxBadRowsListed = 100;

    /// <summary>Longest line accepted (huge text fields are fine up to this).</summary>
    public const long MaxLineBytes = 64L * 1024 * 1024;

    private static readonly Dictionary<string, string> s_typeAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["INT"] = "INTEGER", ["INTEGER"] = "INTEGER", ["INT4"] = "INTEGER", ["SMALLINT"] = "SMALLINT",
        ["BIGINT"] = "BIGINT", ["INT8"] = "BIGINT", ["LONG"] = "BIGINT",
        ["TEXT"] = "VARCHAR", ["STRING"] = "VARCHAR", ["VARCHAR"] = "VARCHAR",
        ["DATE"] = "DATE", ["TIMESTAMP"] = "TIMESTAMP", ["DATETIME"] = "TIMESTAMP", ["TIMESTAMPTZ"] = "TIMESTAMPTZ",
        ["FLOAT"] = "DOUBLE", ["DOUBLE"] = "DOUBLE", ["REAL"] = "DOUBLE", ["NUMBER"] = "DOUBLE",
        ["BOOLEAN"] = "BOOLEAN", ["BOOL"] = "BOOLEAN", ["UUID"] = "UUID", ["JSON"] = "JSON",
    };

    /// <summary>Reads the schema and the first rows of <paramref name="path"/> (named <paramref name="fileName"/> by the user).</summary>
    public async Task<FilePreview> PreviewAsync(string path, string fileName, IReadOnlyList<DeclaredColumn>? declared, CancellationToken cancellationToken)
    {
        var format = FormatOf(fileName);
        CheckNotEmpty(path);
        using var connection = warehouse.OpenConnection();
        // With declared columns a bad row near the top must not hide the preview: skip it here, list it below.
        var source = Source(path, format, declared, rejects: format == "csv" && declared is { Count: > 0 });
        var rows = new List<object?[]>();
        List<ColumnSchema> columns;
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {source} LIMIT {PreviewRows}";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            columns = Enumerable.Range(0, reader.FieldCount).Select(i => DuckDbTypes.FromSql(reader.GetName(i), reader.GetDataTypeName(i), true)).ToList();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => DuckDbWarehouse.ReadValue(reader, i)).ToArray());
            }
        }
        catch (DuckDBException e)
        {
            throw new FileImportException(Explain(e.Message, fileName));
        }

        var bad = format == "csv" && declared is { Count: > 0 } ? await BadRowsAsync(connection, path, declared, cancellationToken).ConfigureAwait(false) : [];
        return new FilePreview(format, columns, rows, bad);
    }

    /// <summary>Imports a file into <paramref name="destination"/>, replacing it. Nothing is written when it is refused.</summary>
    public async Task<FileImportResult> ImportAsync(string path, string fileName, TableRef destination, IReadOnlyList<DeclaredColumn>? declared, BadRowPolicy policy, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var format = FormatOf(fileName);
        CheckNotEmpty(path);
        warehouse.EnsureCatalog(destination.Catalog);
        using var connection = warehouse.OpenConnection();
        IReadOnlyList<BadRow> bad = [];
        long rejected = 0;
        string? rejectsTable = null;
        try
        {
            connection.Execute($"CREATE SCHEMA IF NOT EXISTS {TableRef.Quote(destination.Catalog)}.{TableRef.Quote(destination.Schema)}");
            using var transaction = connection.BeginTransaction();

            // Good files take one plain scan. When bad rows are not welcome and the plain scan fails, a second scan
            // that collects rejects lists every bad row; with keep_rejects, one collecting scan does both.
            var collect = format == "csv" && policy == BadRowPolicy.KeepRejects;
            try
            {
                connection.Execute($"CREATE OR REPLACE TABLE {destination.ToSql()} AS SELECT * FROM {Source(path, format, declared, rejects: collect)}");
            }
            catch (DuckDBException) when (format == "csv" && !collect)
            {
                transaction.Rollback();
                using var retry = connection.BeginTransaction();
                connection.Execute($"CREATE OR REPLACE TEMP TABLE _matih_import_check AS SELECT * FROM {Source(path, format, declared, rejects: true)}");
                (bad, rejected) = await ReadRejectsAsync(connection, cancellationToken).ConfigureAwait(false);
                retry.Rollback();
                if (rejected == 0)
                {
                    throw;
                }

                return Refused(destination, fileName, bad, rejected, clock.ElapsedMilliseconds);
            }

            if (collect)
            {
                (bad, rejected) = await ReadRejectsAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            if (rejected > 0)
            {
                var rejects = destination with { Table = destination.Table + "_rejects" };
                connection.Execute($"CREATE OR REPLACE TABLE {rejects.ToSql()} AS SELECT * FROM ({FirstErrorPerLine}) ORDER BY line");
                rejectsTable = rejects.ToString();
            }

            transaction.Commit();
        }
        catch (DuckDBException e)
        {
            return new FileImportResult(false, destination.ToString(), 0, rejected, null, bad, clock.ElapsedMilliseconds, Explain(e.Message, fileName));
        }

        var count = Convert.ToInt64(connection.Scalar($"SELECT count(*) FROM {destination.ToSql()}"), System.Globalization.CultureInfo.InvariantCulture);
        await datasets.RecordAsync(destination, "import", fileName, count, cancellationToken).ConfigureAwait(false);
        await lineage.RecordEdgeAsync($"file:{fileName}", destination.ToString(), "import", new Dictionary<string, string[]>(), fileName, cancellationToken).ConfigureAwait(false);
        return new FileImportResult(true, destination.ToString(), count, rejected, rejectsTable, bad, clock.ElapsedMilliseconds, null);
    }

    private static FileImportResult Refused(TableRef destination, string fileName, IReadOnlyList<BadRow> bad, long rejected, long elapsedMs)
    {
        var encoding = bad.FirstOrDefault(b => b.Error == NotUtf8);
        return new FileImportResult(false, destination.ToString(), 0, rejected, null, bad, elapsedMs, encoding is not null
            ? $"{fileName} is not valid UTF-8 (line {encoding.Line}); save it as UTF-8 and upload it again. Nothing was imported."
            : $"{rejected} row{(rejected == 1 ? "" : "s")} of {fileName} do not fit the schema; nothing was imported. Fix them, or import with on_error=keep_rejects to keep the good rows.");
    }

    /// <summary>Checks declared columns; returns a problem per bad entry (name or type), by index.</summary>
    public static IReadOnlyList<string> CheckDeclared(IReadOnlyList<DeclaredColumn> declared)
    {
        var problems = new List<string>();
        for (var i = 0; i < declared.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(declared[i].Name))
            {
                problems.Add($"columns[{i}].name is required.");
            }

            if (SqlType(declared[i].Type) is null)
            {
                problems.Add($"columns[{i}].type '{declared[i].Type}' is not a type Matih knows; use INT, BIGINT, DOUBLE, DECIMAL(p,s), TEXT, DATE, TIMESTAMP, BOOLEAN.");
            }
        }

        return problems;
    }

    private const string NotUtf8 = "The line is not valid UTF-8.";

    // DuckDB reports a ragged line once per missing column: keep the first error of each line.
    private const string FirstErrorPerLine = """
        SELECT DISTINCT ON (line) line, column_name, csv_line, error_type, error_message
        FROM reject_errors ORDER BY line, column_idx
        """;

    private async Task<IReadOnlyList<BadRow>> BadRowsAsync(DuckDBConnection connection, string path, IReadOnlyList<DeclaredColumn> declared, CancellationToken cancellationToken)
    {
        // Materialise every column so each value is cast (a count alone would skip the casts), then read the rejects.
        connection.Execute($"CREATE OR REPLACE TEMP TABLE _matih_preview_scan AS SELECT * FROM {Source(path, "csv", declared, rejects: true)}");
        connection.Execute("DROP TABLE _matih_preview_scan");
        return (await ReadRejectsAsync(connection, cancellationToken).ConfigureAwait(false)).Rows;
    }

    private static async Task<(IReadOnlyList<BadRow> Rows, long Count)> ReadRejectsAsync(DuckDBConnection connection, CancellationToken cancellationToken)
    {
        var count = Convert.ToInt64(connection.Scalar("SELECT count(DISTINCT line) FROM reject_errors"), System.Globalization.CultureInfo.InvariantCulture);
        var rows = new List<BadRow>();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM ({FirstErrorPerLine}) ORDER BY line LIMIT {MaxBadRowsListed}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var column = reader.IsDBNull(1) ? null : reader.GetString(1);
            var line = reader.IsDBNull(2) ? null : reader.GetString(2);
            var error = reader.GetString(3).Contains("ENCODING", StringComparison.OrdinalIgnoreCase)
                ? NotUtf8
                : FirstLine(reader.GetString(4));
            rows.Add(new BadRow(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), column, ValueOf(error) ?? line, error));
        }

        return (rows, count);
    }

    // DuckDB names the offending text in cast errors: Could not convert string "2025-02-30" to 'DATE'.
    private static string? ValueOf(string error) => OffendingValue().Match(error) is { Success: true } match ? match.Groups[1].Value : null;

    private static string Source(string path, string format, IReadOnlyList<DeclaredColumn>? declared, bool rejects)
    {
        var file = $"'{path.Replace("'", "''", StringComparison.Ordinal)}'";
        if (format == "parquet")
        {
            return $"read_parquet({file})";
        }

        // A long max_line_size alone makes DuckDB size its read buffers from it (16x) and lose parallelism; an
        // explicit buffer of the same size keeps typical files as fast as DuckDB's defaults.
        var options = new List<string> { "header = true", "auto_detect = true", $"max_line_size = {MaxLineBytes}", $"buffer_size = {MaxLineBytes}", "encoding = 'utf-8'" };
        if (declared is { Count: > 0 })
        {
            options.Add("columns = {" + string.Join(", ", declared.Select(c => $"'{c.Name.Replace("'", "''", StringComparison.Ordinal)}': '{SqlType(c.Type)}'")) + "}");
        }

        if (rejects)
        {
            options.Add("store_rejects = true");
        }

        return $"read_csv({file}, {string.Join(", ", options)})";
    }

    private static string? SqlType(string declared)
    {
        var trimmed = declared.Trim();
        if (s_typeAliases.TryGetValue(trimmed, out var known))
        {
            return known;
        }

        var decimalMatch = DecimalType().Match(trimmed);
        return decimalMatch.Success ? $"DECIMAL({decimalMatch.Groups[1].Value},{(decimalMatch.Groups[2].Success ? decimalMatch.Groups[2].Value : "0")})" : null;
    }

    private static string FormatOf(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".csv" or ".txt" or ".tsv" => "csv",
        ".parquet" or ".pq" => "parquet",
        var other => throw new FileImportException($"{fileName}: {(other.Length == 0 ? "no file extension" : $"'{other}' files")} cannot be imported; upload .csv or .parquet."),
    };

    private static void CheckNotEmpty(string path)
    {
        if (new FileInfo(path).Length == 0)
        {
            throw new FileImportException("The file is empty.");
        }
    }

    private static string Explain(string message, string fileName)
    {
        var first = FirstLine(message);
        if (message.Contains("Invalid unicode", StringComparison.OrdinalIgnoreCase) || message.Contains("byte sequence", StringComparison.OrdinalIgnoreCase))
        {
            var line = LineOf().Match(message);
            return $"{fileName} is not valid UTF-8{(line.Success ? $" (line {line.Groups[1].Value})" : "")}; save it as UTF-8 and upload it again.";
        }

        return $"{fileName}: {first}";
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    [GeneratedRegex(@"^DECIMAL\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$", RegexOptions.IgnoreCase)]
    private static partial Regex DecimalType();

    [GeneratedRegex("string \"(.*?)\" to")]
    private static partial Regex OffendingValue();

    [GeneratedRegex(@"[Ll]ine:? (\d+)")]
    private static partial Regex LineOf();
}

/// <summary>A file that cannot be read at all (empty, wrong format, not UTF-8); the message says what to do.</summary>
public sealed class FileImportException(string message) : Exception(message);
