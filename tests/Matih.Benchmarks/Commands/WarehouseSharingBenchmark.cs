using System.Diagnostics;
using System.Net.Http.Json;
using DuckDB.NET.Data;
using Matih.Testing;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// What taking turns on a shared warehouse costs (server mode): the same small aggregate over HTTP+JWT on an exclusive
/// host, on a shared host alone (back to back: one turn for the burst; spaced out: a turn per statement, so every
/// statement attaches the catalog files), and on two shared hosts querying at once. The bare DuckDB statement in
/// this process is the floor.
/// </summary>
public sealed class WarehouseSharingBenchmark : IBenchmarkCommand
{
    private const string Sql = "SELECT count(*), avg(v) FROM analytics.main.bench WHERE id % 7 = 0";

    /// <inheritdoc />
    public string Name => "warehouse-sharing";

    /// <inheritdoc />
    public string Description => "A small aggregate over HTTP on an exclusive warehouse vs a shared one (warm turn, a turn per statement, two hosts at once).";

    /// <inheritdoc />
    public string Usage => "[--rows 1000000] [--statements 200] [--spaced 30]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var rows = options.Integer("rows", 1_000_000);
        var statements = (int)options.Integer("statements", 200);
        var spaced = (int)options.Integer("spaced", 30);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        await using var postgres = await PostgresServer.StartAsync();
        var exclusiveData = Directory.CreateTempSubdirectory("matih-bench-exclusive-").FullName;
        var sharedData = Directory.CreateTempSubdirectory("matih-bench-shared-").FullName;
        try
        {
            var store = postgres.ConnectionString();
            await using var exclusive = await MatihHost.StartAsync(dataDirectory: exclusiveData, extraArgs: [.. MatihHost.ServerModeArgs(store), "--warehouse-sharing", "exclusive"]);
            await using var a = await MatihHost.StartAsync(dataDirectory: sharedData, extraArgs: MatihHost.ServerModeArgs(store));
            await using var b = await MatihHost.StartAsync(dataDirectory: sharedData, extraArgs: MatihHost.ServerModeArgs(store));
            using var onExclusive = await exclusive.SignedInAsync();
            using var onA = await a.SignedInAsync();
            using var onB = await b.SignedInAsync();
            var create = $"CREATE TABLE analytics.main.bench AS SELECT range AS id, random() AS v FROM range({rows})";
            await RunAsync(onExclusive, create, cancellationToken);
            await RunAsync(onA, create, cancellationToken);

            var bare = Bare(Path.Combine(exclusiveData, "bare.duckdb"), rows, statements);
            Console.WriteLine($"{rows:N0} rows; statement: {Sql}; {Environment.ProcessorCount} cores.");
            Console.WriteLine($"{"case",-44} {"statements",10} {"median ms",10} {"p90 ms",8} {"mean ms",8} {"max ms",8} {"vs exclusive",13}");
            Report("bare DuckDB.NET, in process", bare, null);

            // Warm-up on each host so the first turn's JIT does not land in a phase.
            await TimeAsync(onExclusive, 20, TimeSpan.Zero, cancellationToken);
            await TimeAsync(onA, 20, TimeSpan.Zero, cancellationToken);
            await TimeAsync(onB, 20, TimeSpan.Zero, cancellationToken);

            var baseline = await TimeAsync(onExclusive, statements, TimeSpan.Zero, cancellationToken);
            var exclusiveMedian = BenchStores.Median(baseline);
            Report("exclusive host, back to back", baseline, exclusiveMedian);
            Report("shared host alone, back to back", await TimeAsync(onA, statements, TimeSpan.Zero, cancellationToken), exclusiveMedian);
            Report("shared host alone, 400 ms apart (a turn each)", await TimeAsync(onA, spaced, TimeSpan.FromMilliseconds(400), cancellationToken), exclusiveMedian);
            Report("exclusive host, 400 ms apart", await TimeAsync(onExclusive, spaced, TimeSpan.FromMilliseconds(400), cancellationToken), exclusiveMedian);

            var clock = Stopwatch.StartNew();
            var both = await Task.WhenAll(TimeAsync(onA, statements, TimeSpan.Zero, cancellationToken), TimeAsync(onB, statements, TimeSpan.Zero, cancellationToken));
            var elapsed = clock.Elapsed.TotalSeconds;
            Report("two shared hosts at once: host A", both[0], exclusiveMedian);
            Report("two shared hosts at once: host B", both[1], exclusiveMedian);
            Console.WriteLine($"two shared hosts at once: {2 * statements / elapsed:0} statements/s together; exclusive host alone: {1000 / exclusiveMedian:0}/s.");
            return 0;
        }
        finally
        {
            Directory.Delete(exclusiveData, recursive: true);
            Directory.Delete(sharedData, recursive: true);
        }
    }

    private static List<double> Bare(string file, long rows, int statements)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"ATTACH '{file}' AS analytics; CREATE TABLE analytics.main.bench AS SELECT range AS id, random() AS v FROM range({rows})";
        command.ExecuteNonQuery();
        var times = new List<double>(statements);
        for (var i = 0; i < statements + 20; i++)
        {
            var clock = Stopwatch.StartNew();
            command.CommandText = Sql;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                }
            }

            if (i >= 20)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return times;
    }

    private static async Task<List<double>> TimeAsync(HttpClient client, int statements, TimeSpan gap, CancellationToken cancellationToken)
    {
        var times = new List<double>(statements);
        for (var i = 0; i < statements; i++)
        {
            if (gap > TimeSpan.Zero)
            {
                await Task.Delay(gap, cancellationToken);
            }

            var clock = Stopwatch.StartNew();
            await RunAsync(client, Sql, cancellationToken);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    private static async Task RunAsync(HttpClient client, string sql, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync("api/sql", new { sql }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{sql}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static void Report(string name, List<double> times, double? exclusiveMedian)
    {
        var sorted = times.Order().ToArray();
        var median = BenchStores.Median(sorted);
        var p90 = sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * 0.9) - 1)];
        var ratio = exclusiveMedian is { } baseline ? $"{median / baseline:0.00}x" : "";
        // The mean and the maximum show the waits for the other host's turn, which the median hides.
        Console.WriteLine($"{name,-44} {times.Count,10} {median,10:0.0} {p90,8:0.0} {times.Average(),8:0.0} {sorted[^1],8:0.0} {ratio,13}");
    }
}
