using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Matih.Core.Files;
using Matih.Sdk.Data;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// CSV import: the seed's survey file shape (48,217 rows) and a large one, through Matih's file import (validated
/// against the declared columns, atomic) side by side with DuckDB's own read_csv into a table in a bare database.
/// </summary>
public sealed class CsvImportBenchmark : IBenchmarkCommand
{
    private const string Columns = "customer_id (INT), survey_date (DATE), nps_score (INT), satisfaction_rating (INT), comments (TEXT)";

    /// <inheritdoc />
    public string Name => "csv-import";

    /// <inheritdoc />
    public string Description => "Matih CSV import vs DuckDB read_csv on the same files.";

    /// <inheritdoc />
    public string Usage => "[--large-rows 5000000] [--repeat 3]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var largeRows = options.Integer("large-rows", 5_000_000);
        var repeat = (int)options.Integer("repeat", 3);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        var folder = Directory.CreateTempSubdirectory("matih-csv-bench-").FullName;
        try
        {
            Console.WriteLine($"{"file",-28} {"rows",11} {"Matih s",9} {"DuckDB s",9} {"ratio",7}  (ratio = DuckDB time / Matih time; 1.0 = same speed)");
            foreach (var rows in new[] { 48_217L, largeRows })
            {
                var file = Path.Combine(folder, $"customer_surveys_{rows}.csv");
                Write(file, rows);
                var matih = new List<double>();
                var bare = new List<double>();
                for (var i = 0; i < repeat; i++)
                {
                    bare.Add(await BareAsync(file, folder));
                    matih.Add(await MatihAsync(file, rows, cancellationToken));
                }

                var m = BenchStores.Median(matih);
                var b = BenchStores.Median(bare);
                Console.WriteLine($"{Path.GetFileName(file),-28} {rows,11:N0} {m,9:F2} {b,9:F2} {b / m,7:F2}");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return 0;
    }

    private static async Task<double> MatihAsync(string file, long rows, CancellationToken cancellationToken)
    {
        using var stores = new BenchStores();
        var imports = new FileImports(stores.Warehouse, stores.Datasets, stores.Lineage);

        // A running host is warm (EF model built, DuckDB and SQLite open): warm up with one import first.
        await imports.ImportAsync(file, Path.GetFileName(file), TableRef.Parse("novamart.surveys.warm_up"), DeclaredColumns.Parse(Columns), BadRowPolicy.Fail, cancellationToken);
        var clock = Stopwatch.StartNew();
        var result = await imports.ImportAsync(file, Path.GetFileName(file), TableRef.Parse("novamart.surveys.customer_nps"), DeclaredColumns.Parse(Columns), BadRowPolicy.Fail, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;
        if (!result.Imported || result.RowsImported != rows)
        {
            throw new InvalidOperationException($"Import failed: {result.Error}");
        }

        return seconds;
    }

    private static Task<double> BareAsync(string file, string folder)
    {
        var database = Path.Combine(folder, "bare.duckdb");
        File.Delete(database);
        using var connection = new DuckDBConnection($"Data Source={database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $$"""
            CREATE TABLE customer_nps AS SELECT * FROM read_csv('{{file}}', header = true,
                columns = {'customer_id': 'INTEGER', 'survey_date': 'DATE', 'nps_score': 'INTEGER', 'satisfaction_rating': 'INTEGER', 'comments': 'VARCHAR'})
            """;
        var clock = Stopwatch.StartNew();
        command.ExecuteNonQuery();
        var seconds = clock.Elapsed.TotalSeconds;
        connection.Close();
        File.Delete(database);
        return Task.FromResult(seconds);
    }

    private static void Write(string path, long rows)
    {
        var random = new Random(42);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        writer.Write("customer_id,survey_date,nps_score,satisfaction_rating,comments\n");
        var start = new DateOnly(2025, 1, 1);
        string[] comments = ["Great service", "Delivery was late, again", "\"Okay\", I guess", "Would recommend to friends", ""];
        for (long i = 1; i <= rows; i++)
        {
            var comment = comments[random.Next(comments.Length)];
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{i},{start.AddDays(random.Next(365)):yyyy-MM-dd},{random.Next(11)},{random.Next(1, 6)},\"{comment.Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n"));
        }
    }
}
