using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;
using Npgsql;

namespace Matih.Host.Tests.ServerMode;

/// <summary>
/// Server mode: two host processes on one real PostgreSQL (metadata and Hangfire) and one data directory behave as
/// one Matih.
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
            // B is a workbench/API host: its own warehouse folder, no job workers; background work runs on A.
            await using var b = await MatihHost.StartAsync(dataDirectory: shared,
                extraArgs: [.. MatihHost.ServerModeArgs(store, Path.Combine(shared, "warehouse-b")), "--job-workers", "0"]);

            // Created through host A: a user, a saved query and a pipeline running it.
            using var adminA = await a.SignedInAsync();
            Assert.Equal(HttpStatusCode.Created, (await adminA.PostAsJsonAsync("api/users", new { username = "ada", password = "analyst-password-1", role = "analyst" })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await adminA.PostAsJsonAsync("api/queries", new { name = "analytics.queries.the_answer", sql = "SELECT 42 AS answer" })).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await adminA.PostAsync("api/pipelines", Json("""
                { "pipeline_id": "server-mode", "name": "Server mode", "tasks": [
                  { "task_id": "answer", "type": "sql_execute", "config": { "query_ref": "analytics.queries.the_answer" } },
                  { "task_id": "again", "type": "sql_execute", "depends_on": ["answer"], "config": { "sql": "SELECT 43" } } ] }
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
    public async Task A_second_host_on_the_same_warehouse_folder_and_a_host_older_than_the_store_refuse_to_start_and_say_why()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var shared = Directory.CreateTempSubdirectory("matih-server-").FullName;
        try
        {
            await using (var a = await MatihHost.StartAsync(dataDirectory: shared, extraArgs: MatihHost.ServerModeArgs(postgres.ConnectionString())))
            {
                var twin = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                    MatihHost.StartAsync(dataDirectory: shared, extraArgs: MatihHost.ServerModeArgs(postgres.ConnectionString())));
                Assert.Contains("--warehouse-dir", twin.Message, StringComparison.Ordinal);
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
}
