using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Matih.Core.Features;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// Feature store online lookups: p50/p99 latency of <see cref="FeatureStore.GetOnline"/> (reading every feature of
/// the entity) for random keys of a churn-shaped feature group, side by side with a DuckDB point query by key on the
/// offline table and on a copy with a primary-key index.
/// </summary>
public sealed class OnlineLookupBenchmark : IBenchmarkCommand
{
    /// <inheritdoc />
    public string Name => "online-lookup";

    /// <inheritdoc />
    public string Description => "Feature store online lookup latency by key vs a DuckDB point query.";

    /// <inheritdoc />
    public string Usage => "[--entities 2000000] [--lookups 100000] [--duckdb-lookups 2000] [--seed 7]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var entities = options.Integer("entities", 2_000_000);
        var lookups = (int)options.Integer("lookups", 100_000);
        var duckLookups = (int)options.Integer("duckdb-lookups", 2_000);
        var seed = (int)options.Integer("seed", 7);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        using var stores = new BenchStores();
        var clock = Stopwatch.StartNew();
        await stores.Warehouse.ExecuteAsync(SourceSql(entities), cancellationToken);
        Console.WriteLine($"Source analytics.derived.bench_churn_features: {entities:N0} entities x 20 columns in {clock.Elapsed.TotalSeconds:F1} s");

        var store = new FeatureStore(stores.Warehouse, stores.Contexts, stores.Datasets, stores.Lineage, TimeProvider.System);
        var spec = new FeatureGroupSync("bench_churn_features", "analytics.derived.bench_churn_features", "customer_id", "last_order_date");
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var version = await store.SyncAsync(spec, cancellationToken);
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"Sync v{version.Version} (offline write + online load): {version.Elapsed.TotalSeconds:F1} s, {version.Entities:N0} entities online, " +
            $"managed heap +{(heapAfter - heapBefore) / (1024.0 * 1024):N0} MiB");

        // A restart: a fresh store loads the online table on its first lookup.
        var restarted = new FeatureStore(stores.Warehouse, stores.Contexts, stores.Datasets, stores.Lineage, TimeProvider.System);
        clock.Restart();
        _ = restarted.GetOnline(spec.FeatureGroup, "1") ?? throw new InvalidOperationException("Entity 1 is missing after reload.");
        Console.WriteLine($"First lookup after a restart (loads the online store): {clock.Elapsed.TotalSeconds:F1} s");

        var random = new Random(seed);
        var keys = Enumerable.Range(0, lookups).Select(_ => random.NextInt64(entities).ToString(CultureInfo.InvariantCulture)).ToArray();
        var online = new double[lookups];
        long checksum = 0;
        for (var i = 0; i < Math.Min(10_000, lookups); i++)
        {
            checksum += Touch(store.GetOnline(spec.FeatureGroup, keys[i]));
        }

        for (var i = 0; i < lookups; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var features = store.GetOnline(spec.FeatureGroup, keys[i]);
            checksum += Touch(features);
            online[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        // The fairest DuckDB rival: a copy of the latest rows with an ART index on the key.
        await stores.Warehouse.ExecuteAsync("""
            CREATE TABLE analytics.features.bench_indexed AS SELECT * FROM analytics.derived.bench_churn_features;
            CREATE UNIQUE INDEX bench_indexed_key ON analytics.features.bench_indexed (customer_id);
            """, cancellationToken);
        var offlineScan = PointQueries(stores.Warehouse.OpenConnection(),
            $"SELECT * EXCLUDE (_version, _synced_at) FROM analytics.features.bench_churn_features WHERE _version = {version.Version} AND customer_id = $key",
            keys.Take(duckLookups), ref checksum);
        var indexed = PointQueries(stores.Warehouse.OpenConnection(), "SELECT * FROM analytics.features.bench_indexed WHERE customer_id = $key",
            keys.Take(duckLookups), ref checksum);

        Console.WriteLine();
        Console.WriteLine($"{"lookup by key (all 20 features read)",-52} {"n",8} {"p50 us",9} {"p99 us",9} {"p99.9 us",9} {"max us",10}");
        Print("FeatureStore.GetOnline (in-memory index)", online);
        Print("DuckDB point query, offline table (zone maps)", offlineScan);
        Print("DuckDB point query, PRIMARY KEY (ART index)", indexed);
        Console.WriteLine($"(checksum {checksum})");
        return 0;
    }

    private static string SourceSql(long entities) => $"""
        CREATE SCHEMA IF NOT EXISTS analytics.derived;
        CREATE TABLE analytics.derived.bench_churn_features AS
        SELECT
            i AS customer_id,
            DATE '2019-01-01' + CAST(hash(i) % 1800 AS INTEGER) AS signup_date,
            ['standard', 'premium', 'vip', 'new'][1 + CAST(hash(i + 1) % 4 AS INTEGER)] AS segment,
            ['web', 'app', 'store', 'referral', 'ads'][1 + CAST(hash(i + 2) % 5 AS INTEGER)] AS signup_channel,
            CAST(hash(i + 3) % 60 AS BIGINT) AS total_orders,
            CAST((hash(i + 4) % 1000000) / 100.0 AS DECIMAL(38,2)) AS total_revenue,
            (hash(i + 5) % 50000) / 100.0 AS avg_order_value,
            DATE '2025-01-01' + CAST(hash(i + 6) % 365 AS INTEGER) AS last_order_date,
            CAST(hash(i + 7) % 400 AS BIGINT) AS days_since_last_order,
            CAST(hash(i + 8) % 2000 AS BIGINT) AS customer_age_days,
            CAST(hash(i + 9) % 24 AS BIGINT) AS active_months,
            (hash(i + 10) % 10000) / 100.0 AS order_value_stddev,
            CAST(hash(i + 11) % 300 AS BIGINT) AS total_sessions_90d,
            CAST(hash(i + 12) % 90 AS BIGINT) AS active_days_90d,
            CAST(hash(i + 13) % 500 AS BIGINT) AS product_views_90d,
            CAST(hash(i + 14) % 50 AS BIGINT) AS cart_adds_90d,
            CAST(hash(i + 15) % 80 AS BIGINT) AS searches_90d,
            CAST(hash(i + 16) % 10 AS BIGINT) AS total_returns,
            (hash(i + 17) % 1000) / 1000.0 AS return_rate,
            CAST(hash(i + 18) % 2 AS INTEGER) AS is_churned
        FROM range({entities.ToString(CultureInfo.InvariantCulture)}) t(i);
        """;

    private static int Touch(IReadOnlyDictionary<string, object?>? features)
    {
        if (features is null)
        {
            throw new InvalidOperationException("A key that exists was not found.");
        }

        var count = 0;
        foreach (var (_, value) in features)
        {
            count += value is null ? 0 : 1;
        }

        return count;
    }

    private static double[] PointQueries(DuckDBConnection connection, string sql, IEnumerable<string> keys, ref long checksum)
    {
        using var owned = connection;
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        var parameter = new DuckDBParameter("key", 0L);
        command.Parameters.Add(parameter);
        var times = new List<double>();
        foreach (var key in keys)
        {
            var start = Stopwatch.GetTimestamp();
            parameter.Value = long.Parse(key, CultureInfo.InvariantCulture);
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    for (var c = 0; c < reader.FieldCount; c++)
                    {
                        checksum += reader.IsDBNull(c) ? 0 : 1;
                        _ = reader.GetValue(c);
                    }
                }
            }

            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        return [.. times];
    }

    private static void Print(string label, double[] micros)
    {
        var sorted = micros.Order().ToArray();
        double At(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        Console.WriteLine($"{label,-52} {sorted.Length,8:N0} {At(0.5),9:F1} {At(0.99),9:F1} {At(0.999),9:F1} {sorted[^1],10:F1}");
    }
}
