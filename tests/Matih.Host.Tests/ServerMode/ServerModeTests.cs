using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;
using Npgsql;

namespace Matih.Host.Tests.ServerMode;

/// <summary>
/// Server mode: two host processes on one real PostgreSQL (metadata and Hangfire) and one data directory, warehouse
/// included, behave as one Matih.
/// </summary>
public sealed class ServerModeTests
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task What_one_host_creates_the_other_serves_and_runs()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var shared = Directory.CreateTempSubdirectory("matih-server-").FullName;
        try
        {
            // The test server trusts every login, so a password can ride along to show it never leaks.
            const string Secret = "server-mode-secret-1";
            var store = postgres.ConnectionString() + ";Password=" + Secret;
            await using var a = await MatihHost.StartAsync(dataDirectory: shared, environment: new Dictionary<string, string>
            {
                ["MATIH__METADATASTORE"] = "PostgreSql",
                ["MATIH__METADATACONNECTIONSTRING"] = store,
            });
            // B is a workbench/API host with no job workers: background work runs on A.
            await using var b = await MatihHost.StartAsync(dataDirectory: shared, extraArgs: [.. MatihHost.ServerModeArgs(store), "--job-workers", "0"]);

            // Created through host A: a user, a saved query and a pipeline running it.
            using var adminA = await a.SignedInAsync();
            Assert.Equal(HttpStatusCode.Created, (await adminA.PostAsJsonAsync("api/users", new { username = "ada", password = "analyst-password-1", role = "analyst" })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await adminA.PostAsJsonAsync("api/queries", new { name = "analytics.queries.the_answer", sql = "SELECT 42 AS answer" })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await adminA.PostAsync("api/pipelines", Json("""
                { "pipeline_id": "server-mode", "name": "Server mode", "tasks": [
                  { "task_id": "answer", "type": "sql_execute", "config": { "query_ref": "analytics.queries.the_answer" } },
                  { "task_id": "again", "type": "sql_execute", "depends_on": ["answer"],
                    "config": { "sql": "CREATE TABLE analytics.main.from_the_pipeline AS SELECT 43 AS answer" } } ] }
                """))).StatusCode);

            // Visible and usable through host B: the user signs in there, the query and the pipeline are there.
            using var adaB = await b.SignedInAsync("ada", "analyst-password-1");
            var query = await adaB.GetFromJsonAsync<JsonElement>("api/queries/analytics.queries.the_answer");
            Assert.Equal("SELECT 42 AS answer", query.GetProperty("sql").GetString());
            var started = await adaB.PostAsync("api/pipelines/server-mode/runs", null);
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();

            // The run started on B is followed on A: one store, one queue; A's workers ran every task.
            var run = await Api.PipelineTests.WaitAsync(adminA, runId, "server-mode", TimeSpan.FromMinutes(1));
            Assert.Equal("succeeded", run.GetProperty("state").GetString());
            var workers = run.GetProperty("tasks").EnumerateArray().SelectMany(t => t.GetProperty("attemptLog").EnumerateArray()).Select(x => x.GetProperty("worker").GetString()!).ToList();
            Assert.Equal(2, workers.Count);
            Assert.All(workers, w => Assert.Contains($":{a.ProcessId}:", w, StringComparison.Ordinal));

            // The table A's worker wrote is in the one warehouse B reads.
            Assert.Equal(43, (await SqlAsync(adaB, "SELECT answer FROM analytics.main.from_the_pipeline")).GetProperty("rows")[0][0].GetInt32());

            // B's job check sees A's job server on the shared Hangfire storage.
            using (var anonymous = b.Anonymous())
            {
                var health = await anonymous.GetFromJsonAsync<JsonElement>("health");
                Assert.Contains("PostgreSqlStorage), 1 server(s)", health.GetProperty("stores").GetProperty("jobs").GetProperty("description").GetString(), StringComparison.Ordinal);
            }
            Assert.Contains($"PostgreSQL 127.0.0.1:{postgres.Port}/postgres as postgres", a.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(Secret, a.Output + b.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    [Fact]
    public async Task Two_hosts_write_one_warehouse_at_the_same_time_and_each_reads_what_the_other_wrote()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var shared = Directory.CreateTempSubdirectory("matih-server-").FullName;
        try
        {
            await using var a = await MatihHost.StartAsync(dataDirectory: shared, extraArgs: MatihHost.ServerModeArgs(postgres.ConnectionString()));
            await using var b = await MatihHost.StartAsync(dataDirectory: shared, extraArgs: MatihHost.ServerModeArgs(postgres.ConnectionString()));
            using var adminA = await a.SignedInAsync();
            using var adminB = await b.SignedInAsync();
            await SqlAsync(adminA, "CREATE TABLE analytics.main.events (host VARCHAR, n INTEGER)");

            // Both hosts insert at once: each statement waits its host's turn on the files, none fails.
            await Task.WhenAll(Enumerable.Range(0, 40).Select(n =>
                SqlAsync(n % 2 == 0 ? adminA : adminB, $"INSERT INTO analytics.main.events VALUES ('{(n % 2 == 0 ? "a" : "b")}', {n})")));

            foreach (var client in new[] { adminA, adminB })
            {
                var counts = await SqlAsync(client, "SELECT host, count(*) FROM analytics.main.events GROUP BY host ORDER BY host");
                Assert.Equal("""[["a",20],["b",20]]""", counts.GetProperty("rows").GetRawText().Replace(" ", "", StringComparison.Ordinal));
            }

            using var anonymous = b.Anonymous();
            var health = await anonymous.GetFromJsonAsync<JsonElement>("health");
            Assert.Contains("shared: hosts on this folder take turns", health.GetProperty("stores").GetProperty("warehouse").GetProperty("description").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    [Fact]
    public async Task An_exclusive_host_beside_shared_ones_and_a_host_older_than_the_store_refuse_to_start_and_say_why()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var shared = Directory.CreateTempSubdirectory("matih-server-").FullName;
        try
        {
            await using (var a = await MatihHost.StartAsync(dataDirectory: shared, extraArgs: MatihHost.ServerModeArgs(postgres.ConnectionString())))
            {
                // An exclusive host would keep the files for its life and starve the shared one: refused at start.
                var exclusive = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                    MatihHost.StartAsync(dataDirectory: shared, extraArgs: [.. MatihHost.ServerModeArgs(postgres.ConnectionString()), "--warehouse-sharing", "exclusive"]));
                Assert.Contains("--warehouse-sharing shared", exclusive.Message, StringComparison.Ordinal);
            }

            await using (var connection = new NpgsqlConnection(postgres.ConnectionString()))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(
                    "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('29991231000000_FromTheFuture', '99.0.0')", connection);
                await command.ExecuteNonQueryAsync();
            }

            var older = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                MatihHost.StartAsync(dataDirectory: shared, extraArgs: MatihHost.ServerModeArgs(postgres.ConnectionString())));
            Assert.Contains($"PostgreSQL 127.0.0.1:{postgres.Port}/postgres", older.Message, StringComparison.Ordinal);
            Assert.Contains("29991231000000_FromTheFuture", older.Message, StringComparison.Ordinal);
            Assert.Contains("newer Matih", older.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    private static async Task<JsonElement> SqlAsync(HttpClient client, string sql)
    {
        var response = await client.PostAsJsonAsync("api/sql", new { sql });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{sql}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
