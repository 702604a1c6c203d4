using System.Diagnostics;
using Matih.Core.Catalog;
using Matih.Sdk.Catalog;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// Catalog search over many tables: p50/p95 of Matih's ranked search (names, columns, sources) side by side with
/// the bare engine's <c>ILIKE</c> over <c>duckdb_tables()</c> (names only, unranked).
/// </summary>
public sealed class CatalogSearchBenchmark : IBenchmarkCommand
{
    private static readonly string[] s_terms = ["customer", "order", "churn", "revenue", "click", "product", "nps", "segment", "return", "t_42"];

    /// <inheritdoc />
    public string Name => "catalog-search";

    /// <inheritdoc />
    public string Description => "Catalog search latency over many tables vs a bare ILIKE over duckdb_tables().";

    /// <inheritdoc />
    public string Usage => "[--tables 10000] [--searches 500]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var tables = (int)options.Integer("tables", 10_000);
        var searches = (int)options.Integer("searches", 500);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        using var stores = new BenchStores();
        var build = Stopwatch.StartNew();
        string[] subjects = ["customer", "order", "product", "click", "survey", "return", "campaign", "revenue", "segment", "churn"];
        for (var start = 0; start < tables; start += 500)
        {
            var statements = Enumerable.Range(start, Math.Min(500, tables - start)).Select(i =>
                $"CREATE TABLE analytics.main.{subjects[i % subjects.Length]}_t_{i} (id BIGINT, {subjects[(i + 3) % subjects.Length]}_id BIGINT, amount DOUBLE, created_at TIMESTAMP, note VARCHAR)");
            await stores.Warehouse.ExecuteAsync(string.Join(";\n", statements), cancellationToken);
        }

        Console.WriteLine($"Created {tables:N0} tables in {build.Elapsed.TotalSeconds:F1} s");
        var catalog = new CatalogService(stores.Warehouse, stores.Contexts, stores.Datasets, Array.Empty<ICatalogProvider>(), TimeProvider.System);
        var first = Stopwatch.StartNew();
        var total = (await catalog.SearchAsync("customer", 1, 25, cancellationToken)).Total;
        Console.WriteLine($"First search (builds the catalog snapshot): {first.Elapsed.TotalMilliseconds:F0} ms, {total:N0} hits for 'customer'");

        var matih = new List<double>();
        var bare = new List<double>();
        for (var i = 0; i < searches; i++)
        {
            var term = s_terms[i % s_terms.Length];
            var clock = Stopwatch.StartNew();
            await catalog.SearchAsync(term, 1, 25, cancellationToken);
            matih.Add(clock.Elapsed.TotalMilliseconds);

            clock.Restart();
            await stores.Warehouse.QueryAsync($"SELECT database_name, schema_name, table_name FROM duckdb_tables() WHERE table_name ILIKE '%{term}%' ORDER BY table_name LIMIT 25", cancellationToken);
            bare.Add(clock.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"{"search",-44} {"p50 ms",8} {"p95 ms",8}");
        Console.WriteLine($"{"Matih ranked search (names, columns, sources)",-44} {Percentile(matih, 0.5),8:F2} {Percentile(matih, 0.95),8:F2}");
        Console.WriteLine($"{"DuckDB ILIKE over duckdb_tables() (names)",-44} {Percentile(bare, 0.5),8:F2} {Percentile(bare, 0.95),8:F2}");
        return 0;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
