using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using DuckDB.NET.Data;
using Matih.Core.Catalog;
using Matih.Core.Demo;
using Matih.Core.Warehouse;
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
    public string Usage => "[--scale 1.0] [--data DIR (kept between runs)] [--repeat 3] [--postgres true]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var scale = options.Number("scale", 1.0);
        var repeat = (int)options.Integer("repeat", 3);
        var withPostgres = options.Text("postgres") is "true" or "yes" or "1";
        var data = options.Text("data") ?? Path.Combine(Path.GetTempPath(), $"matih-churn-{scale.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        var sql = await File.ReadAllTextAsync(Path.Combine(MatihHost.RepositoryRoot, "scripts", "sql", "churn_features.sql"), cancellationToken);
        await PrepareAsync(data, scale, cancellationToken);

        // Interleaved, so both see the same machine: the host holds the catalog files while it runs, so it is
        // started for each Matih run and stopped before each bare run.
        var matih = new List<double>();
        var peaks = new List<double>();
        var bare = new List<double>();
        double summarize = 0;
        for (var i = 0; i < repeat; i++)
        {
            await using (var host = await MatihHost.StartAsync(dataDirectory: data))
            {
                using var client = await host.SignedInAsync();
                var clock = Stopwatch.StartNew();
                var response = await client.PostAsJsonAsync("api/sql", new { sql = sql.Replace("CREATE TABLE", "CREATE OR REPLACE TABLE", StringComparison.Ordinal) }, cancellationToken);
                matih.Add(clock.Elapsed.TotalSeconds);
                peaks.Add((host.PeakMemoryBytes ?? 0) / 1024.0 / 1024 / 1024);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException(await response.Content.ReadAsStringAsync(cancellationToken));
                }

                if (i == repeat - 1)
                {
                    var count = await client.PostAsJsonAsync("api/sql", new { sql = "SELECT count(*), avg(is_churned) FROM analytics.derived.churn_features" }, cancellationToken);
                    var row = (await count.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("rows")[0];
                    Console.WriteLine($"churn_features: {row[0].GetInt64():N0} rows, churned share {row[1].GetDouble():P1}");
                    var profiles = new List<(double Exact, double Approximate)>();
                    for (var p = 0; p < 3; p++)
                    {
                        var profileClock = Stopwatch.StartNew();
                        await client.GetAsync("api/catalog/tables/postgresql.novamart.customers/profile?approx=false", cancellationToken);
                        var exact = profileClock.Elapsed.TotalSeconds;
                        profileClock.Restart();
                        await client.GetAsync("api/catalog/tables/postgresql.novamart.customers/profile?approx=true", cancellationToken);
                        profiles.Add((exact, profileClock.Elapsed.TotalSeconds));
                    }

                    Console.WriteLine($"profile of postgresql.novamart.customers (14 columns), median of 3: exact {BenchStores.Median(profiles.Select(x => x.Exact).ToArray()):F2} s, approximate {BenchStores.Median(profiles.Select(x => x.Approximate).ToArray()):F2} s");
                }
            }

            using var connection = new DuckDBConnection("Data Source=:memory:");
            connection.Open();
            foreach (var catalog in new[] { "postgresql", "snowflake", "analytics" })
            {
                connection.Execute($"ATTACH '{Path.Combine(data, "warehouse", catalog + ".duckdb")}' AS {catalog}");
            }

            var bareClock = Stopwatch.StartNew();
            connection.Execute(sql.Replace("CREATE TABLE analytics.derived.churn_features", "CREATE OR REPLACE TABLE analytics.derived.churn_features_bare", StringComparison.Ordinal));
            bare.Add(bareClock.Elapsed.TotalSeconds);
            connection.Execute("DROP TABLE analytics.derived.churn_features_bare");
            if (i == repeat - 1)
            {
                var summarizeClock = Stopwatch.StartNew();
                connection.Execute("SUMMARIZE postgresql.novamart.customers");
                summarize = summarizeClock.Elapsed.TotalSeconds;
            }
        }

        var m = BenchStores.Median(matih);
        var b = BenchStores.Median(bare);
        Console.WriteLine($"DuckDB SUMMARIZE postgresql.novamart.customers (approximate): {summarize:F2} s");
        Console.WriteLine($"{"churn feature SQL (scale " + scale + ")",-40} {"median s",9} {"runs",24}");
        Console.WriteLine($"{"Matih POST /api/sql",-40} {m,9:F2} {string.Join(" ", matih.Select(x => x.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))),24}");
        Console.WriteLine($"{"bare DuckDB, same files",-40} {b,9:F2} {string.Join(" ", bare.Select(x => x.ToString("F2", System.Globalization.CultureInfo.InvariantCulture))),24}");
        Console.WriteLine($"Matih / bare engine: {m / b:F2}x; host peak memory during the statement (VmHWM): {peaks.Max():F1} GiB");
        if (withPostgres)
        {
            await PostgresAsync(data, sql, m, cancellationToken);
        }

        return 0;
    }

    /// <summary>
    /// The same data loaded into a local PostgreSQL 15 (indexed on the join keys, work_mem raised) and the same SQL with
    /// the rewrites PostgreSQL needs: no catalog prefixes, DATE_DIFF as date subtraction, DOUBLE as DOUBLE PRECISION.
    /// </summary>
    private static async Task PostgresAsync(string data, string sql, double matihSeconds, CancellationToken cancellationToken)
    {
        await using var postgres = await Matih.Testing.PostgresServer.StartAsync();
        var export = Path.Combine(data, "pg-export");
        // PostgreSQL reads the files itself (server-side COPY): the folder is world-readable by default.
        Directory.CreateDirectory(export);

        var tables = new (string Source, string Name, string Columns)[]
        {
            ("postgresql.novamart.customers", "customers", "customer_id BIGINT, signup_date DATE, segment TEXT, channel TEXT"),
            ("postgresql.novamart.orders", "orders", "order_id BIGINT, customer_id BIGINT, order_date DATE, total_amount NUMERIC(12,2)"),
            ("postgresql.novamart.returns", "returns", "return_id BIGINT, order_id BIGINT, refund_amount NUMERIC(12,2)"),
            ("snowflake.analytics.clickstream", "clickstream", "customer_id BIGINT, event_type TEXT, event_timestamp TIMESTAMP"),
        };
        var load = Stopwatch.StartNew();
        using (var duck = new DuckDBConnection("Data Source=:memory:"))
        {
            duck.Open();
            foreach (var catalog in new[] { "postgresql", "snowflake" })
            {
                duck.Execute($"ATTACH '{Path.Combine(data, "warehouse", catalog + ".duckdb")}' AS {catalog} (READ_ONLY)");
            }

            foreach (var (source, name, columns) in tables)
            {
                var names = string.Join(", ", columns.Split(", ").Select(c => c.Split(' ')[0]));
                duck.Execute($"COPY (SELECT {names} FROM {source}) TO '{Path.Combine(export, name + ".csv")}' (FORMAT csv, HEADER true)");
            }
        }

        await using (var connection = new Npgsql.NpgsqlConnection(postgres.ConnectionString()))
        {
            await connection.OpenAsync(cancellationToken);
            foreach (var (_, name, columns) in tables)
            {
                await new Npgsql.NpgsqlCommand($"CREATE TABLE {name} ({columns})", connection).ExecuteNonQueryAsync(cancellationToken);
                await new Npgsql.NpgsqlCommand($"COPY {name} FROM '{Path.Combine(export, name + ".csv")}' (FORMAT csv, HEADER true)", connection) { CommandTimeout = 0 }
                    .ExecuteNonQueryAsync(cancellationToken);
            }

            await new Npgsql.NpgsqlCommand("""
                CREATE INDEX ON orders (customer_id); CREATE INDEX ON orders (order_id); CREATE INDEX ON returns (order_id);
                CREATE INDEX ON clickstream (customer_id); ANALYZE;
                """, connection) { CommandTimeout = 0 }.ExecuteNonQueryAsync(cancellationToken);
            Console.WriteLine($"Loaded the same data into PostgreSQL (export, COPY, indexes) in {load.Elapsed.TotalSeconds:F0} s");

            var pgSql = sql
                .Replace("CREATE TABLE analytics.derived.churn_features", "CREATE TABLE churn_features", StringComparison.Ordinal)
                .Replace("postgresql.novamart.", "", StringComparison.Ordinal)
                .Replace("snowflake.analytics.", "", StringComparison.Ordinal)
                .Replace("DATE_DIFF('day', MAX(o.order_date), CURRENT_DATE)", "(CURRENT_DATE - MAX(o.order_date))", StringComparison.Ordinal)
                .Replace("DATE_DIFF('day', c.signup_date, CURRENT_DATE)", "(CURRENT_DATE - c.signup_date)", StringComparison.Ordinal)
                .Replace("AS DOUBLE)", "AS DOUBLE PRECISION)", StringComparison.Ordinal);
            await new Npgsql.NpgsqlCommand("SET work_mem = '256MB'", connection).ExecuteNonQueryAsync(cancellationToken);
            var clock = Stopwatch.StartNew();
            await new Npgsql.NpgsqlCommand(pgSql, connection) { CommandTimeout = 0 }.ExecuteNonQueryAsync(cancellationToken);
            var seconds = clock.Elapsed.TotalSeconds;
            var rows = (long)(await new Npgsql.NpgsqlCommand("SELECT count(*) FROM churn_features", connection).ExecuteScalarAsync(cancellationToken))!;
            Console.WriteLine($"{"PostgreSQL 15, same data, indexed",-40} {seconds,9:F2}   ({rows:N0} rows; Matih is {seconds / matihSeconds:F1}x faster)");
        }

        Directory.Delete(export, recursive: true);
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
}
