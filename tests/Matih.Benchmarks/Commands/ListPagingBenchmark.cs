using System.Diagnostics;
using System.Globalization;
using Matih.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// The list routes at 100,000 items (issue #10): a real host over HTTP with a JWT, its SQLite metadata store filled
/// with 100,000 audit entries, saved queries, SQL history entries and catalog datasets (tables in the warehouse plus
/// their dataset records), timed on page 1, a deep page, a <c>q</c> filter and a non-default sort, each beside the same
/// query as bare SQL on the SQLite file (count plus <c>LIMIT/OFFSET</c>) as the floor.
/// </summary>
/// <remarks>
/// The rows are written in process before the host starts: the Core services (<see cref="BenchStores"/>) create the
/// metadata schema and the warehouse in the host's folder layout, then plain SQLite inserts (one transaction per list)
/// and DuckDB <c>CREATE TABLE</c> batches fill them, because creating 400,000 items one request at a time would
/// measure the wrong thing. The host then starts on that folder.
/// </remarks>
public sealed class ListPagingBenchmark : IBenchmarkCommand
{
    private static readonly string[] s_actors = ["admin", "system", "ana", "bo", "chen", "dara", "eli", "fay", "gus", "hana", "ivo", "jun"];
    private static readonly string[] s_actions = ["auth.login", "auth.login_failed", "user.created", "token.created", "connection.created", "connection.sync_started",
        "pipeline.run_started", "pipeline.updated", "deployment.updated", "model.stage_changed", "script.run", "plugin.enabled"];
    private static readonly string[] s_subjects = ["customer", "order", "product", "click", "survey", "return", "campaign", "revenue", "segment", "churn"];

    /// <inheritdoc />
    public string Name => "list-paging";

    /// <inheritdoc />
    public string Description => "List routes at 100,000 items over HTTP (page 1, deep page, q, sort) vs bare SQLite LIMIT/OFFSET.";

    /// <inheritdoc />
    public string Usage => "[--items 100000] [--tables 100000] [--requests 30] [--folder DIR (kept; filled once, reused after)]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var items = (int)options.Integer("items", 100_000);
        var tables = (int)options.Integer("tables", 100_000);
        var requests = (int)options.Integer("requests", 30);
        var given = options.Text("folder");
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        var folder = given is null ? Directory.CreateTempSubdirectory("matih-list-paging-").FullName : Directory.CreateDirectory(given).FullName;
        var filled = File.Exists(Path.Combine(folder, "metadata.db"));
        Console.WriteLine($"Host: {MatihHost.HostAssembly}");
        Console.WriteLine($"Folder: {folder}; {Environment.ProcessorCount} cores; {items:N0} items per list, {tables:N0} catalog tables, {requests} requests per figure");
        try
        {
            if (!filled)
            {
                await FillAsync(folder, items, tables, cancellationToken);
            }
            else
            {
                Console.WriteLine("Reusing the filled folder (its --items and --tables are the ones it was filled with).");
            }

            await using var host = await MatihHost.StartAsync(dataDirectory: folder);
            using var client = await host.SignedInAsync();
            await using var floor = new SqliteConnection($"Data Source={Path.Combine(folder, "metadata.db")};Mode=ReadOnly");
            await floor.OpenAsync(cancellationToken);

            // The catalog builds its snapshot on the first search: report it, then time searches on the warm snapshot.
            var first = Stopwatch.StartNew();
            (await client.GetAsync("api/catalog/search?pageSize=50", cancellationToken)).EnsureSuccessStatusCode();
            Console.WriteLine($"First catalog search (builds the snapshot of {tables:N0} tables): {first.Elapsed.TotalMilliseconds:F0} ms");

            var pageDeep = Math.Max(1, Math.Min(1000, items / 50));
            var offset = (pageDeep - 1) * 50;
            Scenario[] scenarios =
            [
                new("audit", "page 1", "api/audit?pageSize=50",
                    "SELECT COUNT(*) FROM audit_log", "SELECT * FROM audit_log ORDER BY At DESC, Id DESC LIMIT 50"),
                new("audit", $"page {pageDeep}", $"api/audit?pageSize=50&page={pageDeep}",
                    "SELECT COUNT(*) FROM audit_log", $"SELECT * FROM audit_log ORDER BY At DESC, Id DESC LIMIT 50 OFFSET {offset}"),
                new("audit", "q=-0042", "api/audit?pageSize=50&q=-0042",
                    $"SELECT COUNT(*) FROM audit_log WHERE {AuditText("-0042")}", $"SELECT * FROM audit_log WHERE {AuditText("-0042")} ORDER BY At DESC, Id DESC LIMIT 50"),
                new("audit", "sort=actor", "api/audit?pageSize=50&sort=actor",
                    "SELECT COUNT(*) FROM audit_log", "SELECT * FROM audit_log ORDER BY Actor, Id LIMIT 50"),
                new("saved queries", "page 1", "api/queries?pageSize=50",
                    "SELECT COUNT(*) FROM saved_queries", "SELECT * FROM saved_queries ORDER BY Name LIMIT 50"),
                new("saved queries", $"page {pageDeep}", $"api/queries?pageSize=50&page={pageDeep}",
                    "SELECT COUNT(*) FROM saved_queries", $"SELECT * FROM saved_queries ORDER BY Name LIMIT 50 OFFSET {offset}"),
                new("saved queries", "q=q0042", "api/queries?pageSize=50&q=q0042",
                    $"SELECT COUNT(*) FROM saved_queries WHERE {QueryText("q0042")}", $"SELECT * FROM saved_queries WHERE {QueryText("q0042")} ORDER BY Name LIMIT 50"),
                new("saved queries", "sort=updated_by desc", "api/queries?pageSize=50&sort=updated_by&order=desc",
                    "SELECT COUNT(*) FROM saved_queries", "SELECT * FROM saved_queries ORDER BY UpdatedBy DESC, Name DESC LIMIT 50"),
                new("SQL history", "page 1", "api/sql/history?pageSize=50",
                    "SELECT COUNT(*) FROM query_history WHERE UserName = 'admin'", "SELECT * FROM query_history WHERE UserName = 'admin' ORDER BY StartedAt DESC, Id DESC LIMIT 50"),
                new("SQL history", $"page {pageDeep}", $"api/sql/history?pageSize=50&page={pageDeep}",
                    "SELECT COUNT(*) FROM query_history WHERE UserName = 'admin'", $"SELECT * FROM query_history WHERE UserName = 'admin' ORDER BY StartedAt DESC, Id DESC LIMIT 50 OFFSET {offset}"),
                new("SQL history", "q=bench_42", "api/sql/history?pageSize=50&q=bench_42",
                    "SELECT COUNT(*) FROM query_history WHERE UserName = 'admin' AND lower(Sql) LIKE '%bench_42%'",
                    "SELECT * FROM query_history WHERE UserName = 'admin' AND lower(Sql) LIKE '%bench_42%' ORDER BY StartedAt DESC, Id DESC LIMIT 50"),
                new("SQL history", "sort=elapsed_ms", "api/sql/history?pageSize=50&sort=elapsed_ms",
                    "SELECT COUNT(*) FROM query_history WHERE UserName = 'admin'", "SELECT * FROM query_history WHERE UserName = 'admin' ORDER BY ElapsedMs DESC, Id DESC LIMIT 50"),
                new("catalog search", "page 1 (no q)", "api/catalog/search?pageSize=50",
                    "SELECT COUNT(*) FROM datasets", "SELECT * FROM datasets ORDER BY Id LIMIT 50"),
                new("catalog search", $"page {pageDeep} (no q)", $"api/catalog/search?pageSize=50&page={pageDeep}",
                    "SELECT COUNT(*) FROM datasets", $"SELECT * FROM datasets ORDER BY Id LIMIT 50 OFFSET {offset}"),
                new("catalog search", "q=customer", "api/catalog/search?pageSize=50&q=customer",
                    "SELECT COUNT(*) FROM datasets WHERE lower(Id) LIKE '%customer%'", "SELECT * FROM datasets WHERE lower(Id) LIKE '%customer%' ORDER BY Id LIMIT 50"),
                new("catalog search", "q=t_4242 (narrow)", "api/catalog/search?pageSize=50&q=t_4242",
                    "SELECT COUNT(*) FROM datasets WHERE lower(Id) LIKE '%t\\_4242%' ESCAPE '\\'",
                    "SELECT * FROM datasets WHERE lower(Id) LIKE '%t\\_4242%' ESCAPE '\\' ORDER BY Id LIMIT 50"),
            ];

            Console.WriteLine();
            Console.WriteLine($"{"list",-15} {"request",-22} {"total",9} {"HTTP p50 ms",12} {"SQLite p50 ms",14} {"ratio",7}");
            foreach (var scenario in scenarios)
            {
                var (total, http) = await TimeHttpAsync(client, scenario.Url, requests, cancellationToken);
                var bare = await TimeSqlAsync(floor, scenario.CountSql, scenario.PageSql, requests, cancellationToken);
                Console.WriteLine($"{scenario.List,-15} {scenario.Request,-22} {total,9:N0} {http,12:F1} {bare,14:F2} {http / Math.Max(bare, 0.001),6:F1}x");
            }

            return 0;
        }
        finally
        {
            if (given is null)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                    // A file still held open; the temp folder is cleaned by the OS eventually.
                }
            }
        }
    }

    private static string AuditText(string q) =>
        $"(lower(Actor) LIKE '%{q}%' OR lower(Action) LIKE '%{q}%' OR lower(Target) LIKE '%{q}%')";

    private static string QueryText(string q) => $"(lower(Name) LIKE '%{q}%' OR lower(Description) LIKE '%{q}%')";

    /// <summary>Three warm-up requests, then the median of <paramref name="requests"/>; returns the list's total too.</summary>
    private static async Task<(int Total, double Median)> TimeHttpAsync(HttpClient client, string url, int requests, CancellationToken cancellationToken)
    {
        var total = 0;
        var times = new List<double>();
        for (var i = -3; i < requests; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(url, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {body}");
            }

            total = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("total").GetInt32();
            if (i >= 0)
            {
                times.Add(elapsed);
            }
        }

        return (total, BenchStores.Median(times));
    }

    /// <summary>The floor: the same count and page as bare SQL on one open connection, rows read to the end.</summary>
    private static async Task<double> TimeSqlAsync(SqliteConnection connection, string countSql, string pageSql, int requests, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        for (var i = -3; i < requests; i++)
        {
            var clock = Stopwatch.StartNew();
            await using (var count = connection.CreateCommand())
            {
                count.CommandText = countSql;
                await count.ExecuteScalarAsync(cancellationToken);
            }

            await using (var page = connection.CreateCommand())
            {
                page.CommandText = pageSql;
                await using var reader = await page.ExecuteReaderAsync(cancellationToken);
                var values = new object[reader.FieldCount];
                while (await reader.ReadAsync(cancellationToken))
                {
                    reader.GetValues(values);
                }
            }

            if (i >= 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        return BenchStores.Median(times);
    }

    /// <summary>Creates the host's stores in <paramref name="folder"/> and fills them, before the host starts.</summary>
    private static async Task FillAsync(string folder, int items, int tables, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using (var stores = new BenchStores(folder))
        {
            // Tables of the warehouse are what the catalog lists; their dataset records add origin, rows and a description.
            for (var start = 0; start < tables; start += 1000)
            {
                var statements = Enumerable.Range(start, Math.Min(1000, tables - start)).Select(i =>
                    $"CREATE TABLE analytics.main.{s_subjects[i % s_subjects.Length]}_t_{i} (id BIGINT, {s_subjects[(i + 3) % s_subjects.Length]}_id BIGINT, amount DOUBLE, created_at TIMESTAMP)");
                await stores.Warehouse.ExecuteAsync(string.Join(";\n", statements), cancellationToken);
            }

            Console.WriteLine($"Created {tables:N0} warehouse tables in {clock.Elapsed.TotalSeconds:F1} s");
        }

        clock.Restart();
        var times = new DateTimeOffsetToBinaryConverter();
        var now = DateTimeOffset.UtcNow;
        long Stamp(int i) => (long)times.ConvertToProvider(now.AddSeconds(-(items - i) * 10L))!;

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "metadata.db")};Default Timeout=60");
        await connection.OpenAsync(cancellationToken);
        await InsertAsync(connection, "INSERT INTO audit_log (At, Actor, Action, Target, Detail) VALUES ($1, $2, $3, $4, $5)", items, i =>
            [Stamp(i), s_actors[i % s_actors.Length], s_actions[(i / 3) % s_actions.Length], $"target-{i:D6}", $"Bulk entry {i}"], cancellationToken);
        await InsertAsync(connection, "INSERT INTO saved_queries (Name, Sql, Description, UpdatedBy, UpdatedAt) VALUES ($1, $2, $3, $4, $5)", items, i =>
            [$"analytics.bench.q{i:D6}", $"SELECT {i} AS n", $"Bench query {i}", s_actors[i % s_actors.Length], Stamp(i)], cancellationToken);
        await InsertAsync(connection, "INSERT INTO query_history (UserName, Sql, StartedAt, ElapsedMs, RowCount, Error) VALUES ($1, $2, $3, $4, $5, NULL)", items, i =>
            ["admin", $"SELECT {i} AS bench_{i % 100}", Stamp(i), (long)(i * 7919 % 5000), (long)(i % 1000)], cancellationToken);
        await InsertAsync(connection, "INSERT INTO datasets (Id, SourceLocation, Origin, RowCount, LastUpdated, Description) VALUES ($1, $2, $3, $4, $5, $6)", tables, i =>
            [$"analytics.main.{s_subjects[i % s_subjects.Length]}_t_{i}", $"bench_{i % 50}.csv", "import", (long)i, Stamp(i % items), $"Bench table {i} of {s_subjects[i % s_subjects.Length]}s"],
            cancellationToken);
        Console.WriteLine($"Inserted {items:N0} audit entries, saved queries and SQL history entries and {tables:N0} dataset records in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task InsertAsync(SqliteConnection connection, string sql, int count, Func<int, object[]> values, CancellationToken cancellationToken)
    {
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = sql;
        var parameters = Enumerable.Range(1, sql.Count(c => c == '$')).Select(n => insert.Parameters.Add("$" + n.ToString(CultureInfo.InvariantCulture), SqliteType.Text)).ToArray();
        for (var i = 0; i < count; i++)
        {
            var row = values(i);
            for (var p = 0; p < parameters.Length; p++)
            {
                parameters[p].SqliteType = row[p] is long ? SqliteType.Integer : SqliteType.Text;
                parameters[p].Value = row[p];
            }

            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private sealed record Scenario(string List, string Request, string Url, string CountSql, string PageSql);
}
