using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Matih.Core.Demo;
using Matih.Core.Plugins;
using Matih.Core.Quality;
using Matih.Core.Warehouse;
using Matih.Plugins.SourceFaker;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Matih.Sdk.Quality;
using Matih.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// The seed's 7-expectation suite (<c>churn_features_validation</c>) on <c>analytics.derived.churn_features</c> at a
/// scale: Matih's quality engine (the expectations plugin loaded as the host loads it) against one hand-written SQL
/// pass doing the same checks, interleaved on the same DuckDB instance; then end to end through
/// <c>POST /api/quality/suites/{name}/validate</c> on a running host. Medians after a warm-up; the data is generated
/// once and reused.
/// </summary>
public sealed class QualitySuiteBenchmark : IBenchmarkCommand
{
    private const string Table = "analytics.derived.churn_features";

    // The same seven checks as the suite, as one would write them by hand in one pass.
    private const string HandWritten = """
        SELECT count(*),
               count(customer_id), count(DISTINCT customer_id),
               count(*) FILTER (WHERE days_since_last_order < 0 OR days_since_last_order > 3650),
               min(days_since_last_order), max(days_since_last_order),
               count(*) FILTER (WHERE avg_order_value < 0 OR avg_order_value > 50000),
               min(avg_order_value), max(avg_order_value),
               count(*) FILTER (WHERE segment NOT IN ('Gold', 'Silver', 'Bronze', 'New', 'Inactive'))
        FROM analytics.derived.churn_features
        """;

    /// <inheritdoc />
    public string Name => "quality-suite";

    /// <inheritdoc />
    public string Description => "The seed's 7-expectation suite on churn_features via the API vs one hand-written SQL pass.";

    /// <inheritdoc />
    public string Usage => "[--scale 1.0] [--data DIR (kept between runs)] [--repeat 11]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var scale = options.Number("scale", 1.0);
        var repeat = (int)options.Integer("repeat", 11);
        var data = options.Text("data") ?? Path.Combine(Path.GetTempPath(), $"matih-quality-{scale.ToString(CultureInfo.InvariantCulture)}");
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        await PrepareAsync(data, scale, cancellationToken);
        var suiteJson = File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", "churn-features-validation.json"));

        // The engine in-process, interleaved run by run with the hand-written pass on the same DuckDB instance, so both
        // see the same machine: the fair comparison on a shared box.
        var engine = new List<double>();
        var bare = new List<double>();
        var queries = 0;
        string? text = null;
        object?[]? handRow = null;
        using (var warehouse = new DuckDbWarehouse(new WarehouseOptions { Directory = Path.Combine(data, "warehouse") }))
        {
            var rules = LoadRules();
            var validator = new SuiteValidator(warehouse, rules, TimeProvider.System);
            var suite = ExpectationSuite.Parse(suiteJson, rules).Suite ?? throw new InvalidOperationException("The seed suite did not parse.");
            var table = TableRef.Parse(suite.Dataset!);
            using var connection = warehouse.OpenConnection();
            for (var i = 0; i <= repeat; i++)
            {
                // Alternate which goes first, so neither always finds the other's work in the caches.
                var clock = new Stopwatch();
                var handSeconds = 0.0;
                if (i % 2 == 1)
                {
                    clock.Restart();
                    handRow = HandWrittenPass(connection);
                    handSeconds = clock.Elapsed.TotalSeconds;
                }

                clock.Restart();
                var validation = await validator.ValidateAsync(suite, table, cancellationToken);
                var seconds = clock.Elapsed.TotalSeconds;
                if (i % 2 == 0)
                {
                    clock.Restart();
                    handRow = HandWrittenPass(connection);
                    handSeconds = clock.Elapsed.TotalSeconds;
                }

                if (i > 0)
                {
                    engine.Add(seconds);
                    bare.Add(handSeconds);
                }

                queries = validation.Queries;
                text = ValidationText.Render(validation);
            }
        }

        // End to end through the API on a running host (HTTP, auth, the run stored in the metadata store).
        var api = new List<double>();
        await using (var host = await MatihHost.StartAsync(dataDirectory: data))
        {
            using var client = await host.SignedInAsync();
            var saved = await client.PostAsync("api/quality/suites", new StringContent(suiteJson, Encoding.UTF8, "application/json"), cancellationToken);
            if (!saved.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(await saved.Content.ReadAsStringAsync(cancellationToken));
            }

            for (var i = 0; i <= repeat; i++)
            {
                var clock = Stopwatch.StartNew();
                var response = await client.PostAsync("api/quality/suites/churn_features_validation/validate", null, cancellationToken);
                var seconds = clock.Elapsed.TotalSeconds;
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException(await response.Content.ReadAsStringAsync(cancellationToken));
                }

                if (i > 0)
                {
                    api.Add(seconds);
                }
            }
        }

        Console.WriteLine(text);
        var rows = Convert.ToInt64(handRow![0], CultureInfo.InvariantCulture);
        var nonNull = Convert.ToInt64(handRow[1], CultureInfo.InvariantCulture);
        var distinct = Convert.ToInt64(handRow[2], CultureInfo.InvariantCulture);
        var handPasses = new[]
        {
            rows is >= 1_800_000 and <= 2_200_000,
            nonNull == distinct,
            nonNull == rows,
            Convert.ToInt64(handRow[3], CultureInfo.InvariantCulture) == 0,
            Convert.ToInt64(handRow[6], CultureInfo.InvariantCulture) == 0,
            nonNull > 0 && (double)distinct / nonNull is >= 0.99 and <= 1.0,
            Convert.ToInt64(handRow[9], CultureInfo.InvariantCulture) == 0,
        };
        Console.WriteLine($"hand-written pass: {handPasses.Count(p => p)}/7 checks met ({string.Join(" ", handPasses.Select(p => p ? "pass" : "FAIL"))}); {rows:N0} rows");

        var e = BenchStores.Median(engine);
        var b = BenchStores.Median(bare);
        var a = BenchStores.Median(api);
        static string Runs(IEnumerable<double> values) => string.Join(" ", values.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)));
        Console.WriteLine($"{"seed suite, 7 expectations (scale " + scale.ToString(CultureInfo.InvariantCulture) + ")",-46} {"median s",9}  runs");
        Console.WriteLine($"{"Matih quality engine (" + queries + (queries == 1 ? " query)" : " queries)"),-46} {e,9:F3}  {Runs(engine)}");
        Console.WriteLine($"{"one hand-written SQL pass, same DuckDB",-46} {b,9:F3}  {Runs(bare)}");
        Console.WriteLine($"{"POST .../validate end to end (HTTP, stored)",-46} {a,9:F3}  {Runs(api)}");
        Console.WriteLine($"ratio engine / hand-written: {e / b:F2}x (target < 1 s and <= 1.5x); end to end / hand-written: {a / b:F2}x");
        return 0;
    }

    /// <summary>The expectations plugin, loaded the way the host loads it: from the built host's plugins folder.</summary>
    private static IReadOnlyList<IQualityRule> LoadRules()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var builtIn = Path.Combine(MatihHost.RepositoryRoot, "host", "Matih.Host", "bin", configuration, "net10.0", "plugins");
        var file = Path.Combine(Path.GetTempPath(), $"matih-quality-bench-{Environment.ProcessId}.json");
        File.WriteAllText(file, """{ "plugins": [ { "id": "expectations", "path": "Matih.Plugins.Expectations", "enabled": true, "settings": {} } ] }""");
        try
        {
            var services = new ServiceCollection();
            var installed = PluginLoading.LoadAll(PluginsFile.Read(file), builtIn, services, NullLogger.Instance);
            if (installed.Statuses.FirstOrDefault(s => s.Id == "expectations") is not { State: PluginState.Loaded })
            {
                throw new InvalidOperationException($"The expectations plugin did not load from {builtIn}: build the host first (dotnet build -c {configuration} host/Matih.Host).");
            }

            return services.BuildServiceProvider().GetServices<IQualityRule>().ToArray();
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static object?[] HandWrittenPass(DuckDBConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = HandWritten;
        using var reader = command.ExecuteReader();
        reader.Read();
        var row = new object?[reader.FieldCount];
        for (var c = 0; c < row.Length; c++)
        {
            row[c] = DuckDbWarehouse.ReadValue(reader, c);
        }

        return row;
    }

    /// <summary>NovaMart at the scale and the seed's churn_features, made once in <paramref name="data"/>.</summary>
    private static async Task PrepareAsync(string data, double scale, CancellationToken cancellationToken)
    {
        var warehouse = Path.Combine(data, "warehouse");
        if (File.Exists(Path.Combine(warehouse, "analytics.duckdb")) && HasChurnFeatures(warehouse))
        {
            Console.WriteLine($"Reusing {Table} in {data}");
            return;
        }

        if (!File.Exists(Path.Combine(warehouse, "postgresql.duckdb")))
        {
            Directory.CreateDirectory(data);
            var clock = Stopwatch.StartNew();
            using var stores = new BenchStores(data);
            IConnector faker = new FakerConnector(new FakerSettings());
            var demo = new NovaMartDemo(stores.Warehouse, [faker], stores.Datasets, stores.Lineage, NullLogger<NovaMartDemo>.Instance);
            var result = await demo.LoadAsync(scale, 42, cancellationToken);
            Console.WriteLine($"Generated NovaMart at scale {scale} into {data} in {clock.Elapsed.TotalSeconds:F1} s: {result.Rows.Values.Sum():N0} rows");
        }

        var sql = await File.ReadAllTextAsync(Path.Combine(MatihHost.RepositoryRoot, "scripts", "sql", "churn_features.sql"), cancellationToken);
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        foreach (var catalog in new[] { "postgresql", "snowflake", "analytics" })
        {
            connection.Execute($"ATTACH '{Path.Combine(warehouse, catalog + ".duckdb")}' AS {catalog}");
        }

        var build = Stopwatch.StartNew();
        connection.Execute("CREATE SCHEMA IF NOT EXISTS analytics.derived");
        connection.Execute(sql.Replace("CREATE TABLE", "CREATE OR REPLACE TABLE", StringComparison.Ordinal));
        Console.WriteLine($"Built {Table} with the seed SQL in {build.Elapsed.TotalSeconds:F1} s");
    }

    private static bool HasChurnFeatures(string warehouse)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        connection.Execute($"ATTACH '{Path.Combine(warehouse, "analytics.duckdb")}' AS analytics (READ_ONLY)");
        return Convert.ToInt64(connection.Scalar("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'analytics' AND schema_name = 'derived' AND table_name = 'churn_features'"), CultureInfo.InvariantCulture) > 0;
    }
}
