using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Matih.Core.Sync;
using Matih.Plugins.SourcePostgres;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Matih.Testing;
using Npgsql;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// The PostgreSQL connector against a real local PostgreSQL: a full refresh of a large table beside the raw
/// <c>psql \copy ... TO /dev/null</c> of the same rows (the floor), and CDC delay from source commit to visible in
/// the warehouse while another connection writes at a steady rate.
/// </summary>
public sealed class PostgresSyncBenchmark : IBenchmarkCommand
{
    /// <inheritdoc />
    public string Name => "pg-sync";

    /// <inheritdoc />
    public string Description => "Full refresh vs psql \\copy, and CDC commit-to-visible delay at a steady write rate.";

    /// <inheritdoc />
    public string Usage => "[--rows 5000000] [--repeat 3] [--cdc-rate 1000] [--cdc-seconds 20]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var rows = options.Integer("rows", 5_000_000);
        var repeat = (int)options.Integer("repeat", 3);
        var rate = (int)options.Integer("cdc-rate", 1000);
        var seconds = (int)options.Integer("cdc-seconds", 20);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        await using var postgres = await PostgresServer.StartAsync();
        await ExecuteAsync(postgres, $"""
            CREATE TABLE orders (order_id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, order_date DATE NOT NULL,
                total_amount NUMERIC(12,2) NOT NULL, status TEXT NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
            INSERT INTO orders SELECT g, g % 2000000, DATE '2020-01-01' + (g % 2000)::INT, (g % 100000) / 100.0,
                (ARRAY['processing','shipped','delivered','cancelled'])[1 + g % 4], TIMESTAMPTZ '2025-01-01' + g * INTERVAL '1 second'
            FROM generate_series(1, {rows}) g;
            """);
        await ExecuteAsync(postgres, "VACUUM ANALYZE orders");
        Console.WriteLine($"PostgreSQL {postgres.Port}: orders has {rows:N0} rows");

        var floor = new List<double>();
        var matih = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            floor.Add(await PsqlCopyAsync(postgres));
            matih.Add(await FullRefreshAsync(postgres, rows, cancellationToken));
        }

        var f = BenchStores.Median(floor);
        var m = BenchStores.Median(matih);
        Console.WriteLine($"{"full refresh of orders",-40} {"median s",9} {"rows/s",12}");
        Console.WriteLine($"{"psql \\copy (SELECT *) TO /dev/null",-40} {f,9:F2} {rows / f,12:N0}");
        Console.WriteLine($"{"Matih source-postgres -> warehouse",-40} {m,9:F2} {rows / m,12:N0}");
        Console.WriteLine($"Matih throughput / raw COPY: {f / m:F2}x");

        await CdcDelayAsync(postgres, rate, seconds, cancellationToken);
        return 0;
    }

    private static async Task<double> FullRefreshAsync(PostgresServer postgres, long rows, CancellationToken cancellationToken)
    {
        using var stores = new BenchStores();
        var connector = new PostgresConnector(new PostgresPluginSettings(PostgresPluginSettings.DefaultLagWarningBytes));
        var config = Config(postgres, cdc: false);
        var streams = await connector.DiscoverAsync(config, cancellationToken);
        var orders = streams.Single(s => s.Name == "orders");
        var targets = new Dictionary<string, StreamTarget> { ["orders"] = new(new TableRef("postgresql", "bench", "orders"), SyncMode.FullRefresh, orders.Schema.PrimaryKey) };
        var clock = Stopwatch.StartNew();
        await using (var sink = new WarehouseSink(stores.Warehouse, "bench", targets))
        {
            await connector.ReadAsync(config, new ReadRequest([new ConfiguredStream("orders", SyncMode.FullRefresh, null, orders.Schema.PrimaryKey)], null), sink, cancellationToken);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var count = (long)(await stores.Warehouse.QueryAsync("SELECT count(*) FROM postgresql.bench.orders", cancellationToken)).Rows[0][0]!;
        return count == rows ? seconds : throw new InvalidOperationException($"Expected {rows} rows, the warehouse has {count}.");
    }

    private static async Task CdcDelayAsync(PostgresServer postgres, int rate, int seconds, CancellationToken cancellationToken)
    {
        await ExecuteAsync(postgres, "CREATE TABLE events (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)");
        using var stores = new BenchStores();
        var connector = new PostgresConnector(new PostgresPluginSettings(PostgresPluginSettings.DefaultLagWarningBytes));
        var config = Config(postgres, cdc: true);
        var schema = (await connector.DiscoverAsync(config, cancellationToken)).Single(s => s.Name == "events").Schema;
        var targets = new Dictionary<string, StreamTarget> { ["events"] = new(new TableRef("postgresql", "bench", "events"), SyncMode.Incremental, schema.PrimaryKey) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sink = new WarehouseSink(stores.Warehouse, "bench-cdc", targets);
        var reading = Task.Run(() => connector.ReadAsync(config, new ReadRequest([new ConfiguredStream("events", SyncMode.Incremental, null, schema.PrimaryKey)], null), sink, stop.Token), stop.Token);

        // Wait for the initial snapshot to land: the table exists once its first checkpoint committed.
        while (await stores.Warehouse.GetSchemaAsync(targets["events"].Table, cancellationToken) is null)
        {
            if (reading.IsFaulted)
            {
                await reading;
            }

            await Task.Delay(50, cancellationToken);
        }

        var committed = new ConcurrentDictionary<long, long>();
        var writer = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(postgres.ConnectionString());
            await connection.OpenAsync(cancellationToken);
            await using var insert = new NpgsqlCommand("INSERT INTO events (payload) VALUES ('x') RETURNING id", connection);
            var clock = Stopwatch.StartNew();
            var total = (long)rate * seconds;
            for (long n = 0; n < total; n++)
            {
                var due = TimeSpan.FromSeconds((double)n / rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, cancellationToken);
                }

                var id = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
                committed[id] = Stopwatch.GetTimestamp();
            }
        }, cancellationToken);

        var delays = new List<double>();
        long seen = 0;
        var deadline = DateTime.UtcNow.AddSeconds(seconds + 30);
        while (DateTime.UtcNow < deadline)
        {
            var max = (await stores.Warehouse.QueryAsync("SELECT coalesce(max(id), 0) FROM postgresql.bench.events", cancellationToken)).Rows[0][0];
            var visible = Convert.ToInt64(max, System.Globalization.CultureInfo.InvariantCulture);
            var now = Stopwatch.GetTimestamp();
            for (var id = seen + 1; id <= visible; id++)
            {
                if (committed.TryGetValue(id, out var at))
                {
                    delays.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                }
            }

            seen = Math.Max(seen, visible);
            if (writer.IsCompleted && seen >= committed.Count && committed.Count > 0)
            {
                break;
            }

            await Task.Delay(10, cancellationToken);
        }

        await writer;
        await stop.CancelAsync();
        try
        {
            await reading;
        }
        catch (OperationCanceledException)
        {
            // The continuous read ends by cancellation.
        }

        await sink.DisposeAsync();
        delays.Sort();
        Console.WriteLine($"CDC at {rate:N0} inserts/s for {seconds} s: {delays.Count:N0} changes seen; commit-to-visible delay p50 {delays[delays.Count / 2]:F0} ms, p99 {delays[(int)(delays.Count * 0.99)]:F0} ms, max {delays[^1]:F0} ms");
    }

    private static JsonElement Config(PostgresServer postgres, bool cdc) => JsonSerializer.SerializeToElement(new
    {
        host = "127.0.0.1",
        port = postgres.Port,
        database = "postgres",
        username = "postgres",
        password = "unused",
        schemas = new[] { "public" },
        ssl_mode = "disable",
        replication_method = cdc
            ? (object)new { method = "CDC", replication_slot = "bench_slot", publication = "bench_pub", continuous = true }
            : new { method = "Standard" },
    });

    private static async Task<double> PsqlCopyAsync(PostgresServer postgres)
    {
        var start = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-c", "\\copy (SELECT * FROM orders) TO '/dev/null'" })
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? clock.Elapsed.TotalSeconds : throw new InvalidOperationException(await process.StandardError.ReadToEndAsync());
    }

    private static async Task ExecuteAsync(PostgresServer postgres, string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }
}
