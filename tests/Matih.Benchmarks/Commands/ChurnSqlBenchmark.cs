using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DuckDB.NET.Data;
using Matih.Core.Catalog;
using Matih.Core.Demo;
using Matih.Plugins.SourceFaker;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Matih.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// The seed's churn feature SQL at a scale: through Matih's <c>POST /api/sql</c> on a running host, and the same
/// SQL in a bare DuckDB over the same catalog files (Matih's overhead); then the column profile of customers
/// (exact and approximate) beside DuckDB's SUMMARIZE. The data is generated once into a folder that is reused.
/// </summary>
public sealed class ChurnSqlBenchmark : IBenchmarkCommand
{
    /// <inheritdoc />
    public string Name => "churn-sql";

    /// <inheritdoc />
    public string Description => "The seed's churn SQL via POST /api/sql vs bare DuckDB; customers profile vs SUMMARIZE.";

    /// <inheritdoc />
    public string Usage => "[--scale 1.0] [--data DIR (kept between runs)] [--repeat 3]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var scale = options.Number("scale", 1.0);
        var repeat = (int)options.Integer("repeat", 3);
        var data = options.Text("data") ?? Path.Combine(Path.GetTempPath(), $"matih-churn-{scale.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        var sql = await File.ReadAllTextAsync(Path.Combine(MatihHost.RepositoryRoot, "scripts", "sql", "churn_features.sql"), cancellationToken);
        await PrepareAsync(data, scale, cancellationToken);

        var matih = new List<double>();
        await using (var host = await MatihHost.StartAsync(dataDirectory: data))
        {
            using var client = await host.SignedInAsync();
            for (var i = 0; i < repeat; i++)
            {
                var clock = Stopwatch.StartNew();
                var response = await client.PostAsJsonAsync("api/sql", new { sql = sql.Replace("CREATE TABLE", "CREATE OR REPLACE TABLE", StringComparison.Ordinal) }, cancellationToken);
                matih.Add(clock.Elapsed.TotalSeconds);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException(await response.Content.ReadAsStringAsync(cancellationToken));
                }
            }

            var count = await client.PostAsJsonAsync("api/sql", new { sql = "SELECT count(*), avg(is_churned) FROM analytics.derived.churn_features" }, cancellationToken);
            var row = (await count.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("rows")[0];
            Console.WriteLine($"churn_features: {row[0].GetInt64():N0} rows, churned share {row[1].GetDouble():P1}");

            var profileClock = Stopwatch.StartNew();
            await client.GetAsync("api/catalog/tables/postgresql.novamart.customers/profile?approx=false", cancellationToken);
            var exact = profileClock.Elapsed.TotalSeconds;
            profileClock.Restart();
            await client.GetAsync("api/catalog/tables/postgresql.novamart.customers/profile?approx=true", cancellationToken);
            var approx = profileClock.Elapsed.TotalSeconds;
            Console.WriteLine($"profile of postgresql.novamart.customers (14 columns): exact {exact:F2} s, approximate {approx:F2} s");
        }

        var bare = new List<double>();
        double summarize;
        using (var connection = new DuckDBConnection("Data Source=:memory:"))
        {
            connection.Open();
            foreach (var catalog in new[] { "postgresql", "snowflake", "analytics" })
            {
                Execute(connection, $"ATTACH '{Path.Combine(data, "warehouse", catalog + ".duckdb")}' AS {catalog}");
            }

            var bareSql = sql.Replace("CREATE TABLE analytics.derived.churn_features", "CREATE OR REPLACE TABLE analytics.derived.churn_features_bare", StringComparison.Ordinal);
            for (var i = 0; i < repeat; i++)
            {
                var clock = Stopwatch.StartNew();
                Execute(connection, bareSql);
                bare.Add(clock.Elapsed.TotalSeconds);
            }

            var summarizeClock = Stopwatch.StartNew();
            Execute(connection, "SUMMARIZE postgresql.novamart.customers");
            summarize = summarizeClock.Elapsed.TotalSeconds;
            Execute(connection, "DROP TABLE analytics.derived.churn_features_bare");
        }

        var m = BenchStores.Median(matih);
        var b = BenchStores.Median(bare);
        Console.WriteLine($"DuckDB SUMMARIZE postgresql.novamart.customers (approximate): {summarize:F2} s");
        Console.WriteLine($"{"churn feature SQL (scale " + scale + ")",-40} {"median s",9} {"runs",24}");
        Console.WriteLine($"{"Matih POST /api/sql",-40} {m,9:F2} {string.Join(" ", matih.Select(x => x.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))),24}");
        Console.WriteLine($"{"bare DuckDB, same files",-40} {b,9:F2} {string.Join(" ", bare.Select(x => x.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))),24}");
        Console.WriteLine($"Matih / bare engine: {m / b:F2}x");
        return 0;
    }

    private static async Task PrepareAsync(string data, double scale, CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(data, "warehouse", "postgresql.duckdb")))
        {
            Console.WriteLine($"Reusing the NovaMart data in {data}");
            return;
        }

        Directory.CreateDirectory(data);
        var clock = Stopwatch.StartNew();
        using var stores = new BenchStores(data);
        IConnector faker = new FakerConnector(new FakerSettings());
        var demo = new NovaMartDemo(stores.Warehouse, [faker], stores.Datasets, stores.Lineage, NullLogger<NovaMartDemo>.Instance);
        var result = await demo.LoadAsync(scale, 42, cancellationToken);
        Console.WriteLine($"Generated and loaded NovaMart at scale {scale} into {data} in {clock.Elapsed.TotalSeconds:F1} s: {result.Rows.Values.Sum():N0} rows");
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
