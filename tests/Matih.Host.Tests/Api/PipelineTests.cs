using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

public sealed class PipelineTests(DemoHostFixture demo) : IClassFixture<DemoHostFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_seed_pipeline_is_accepted_verbatim_and_reads_back_as_written()
    {
        using var client = await demo.Host.SignedInAsync();
        var seed = SeedDocuments.ChurnPipeline.Replace("churn-feature-refresh", "churn-feature-refresh-readback", StringComparison.Ordinal);

        var created = await client.PostAsync("api/pipelines", Json(seed));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(seed, await client.GetStringAsync("api/pipelines/churn-feature-refresh-readback"));
        var again = await client.PostAsync("api/pipelines", Json(seed));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var listed = await client.GetFromJsonAsync<JsonElement>("api/pipelines");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), p => p.GetProperty("id").GetString() == "churn-feature-refresh-readback" && p.GetProperty("schedule").GetString() == "0 4 * * *");
    }

    [Fact]
    public async Task A_broken_pipeline_is_refused_with_every_problem_by_json_path()
    {
        using var client = await demo.Host.SignedInAsync();
        var broken = JsonNode.Parse(SeedDocuments.ChurnPipeline)!;
        broken["pipeline_id"] = "broken-pipeline";
        broken["schedule"] = "every day at 4";
        broken["tasks"]![0]!["type"] = "sql_run";
        broken["tasks"]![0]!["depends_on"] = new JsonArray("load_feature_store");
        broken["tasks"]![1]!["retry_policy"] = new JsonObject { ["initial_interval"] = "soon" };
        broken["tasks"]![2]!["depends_on"] = new JsonArray("quality_gate", "publish");

        var response = await client.PostAsync("api/pipelines", Json(broken.ToJsonString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        var paths = errors.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Contains("$.schedule", paths);
        Assert.Contains("$.tasks[0].type", paths);
        Assert.Contains("$.tasks[1].retry_policy.initial_interval", paths);
        Assert.Contains("$.tasks[2].depends_on[1]", paths);
        Assert.Contains("sql_execute", errors.GetProperty("$.tasks[0].type")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Task_types_describe_their_config_for_the_designer()
    {
        using var client = await demo.Host.SignedInAsync();

        var types = await client.GetFromJsonAsync<JsonElement>("api/pipelines/task-types");

        var byType = types.EnumerateArray().ToDictionary(t => t.GetProperty("type").GetString()!);
        Assert.Subset(new HashSet<string> { "sql_execute", "data_quality_check", "feature_store_sync", "sync_connection", "run_script" }, byType.Keys.ToHashSet());
        var suite = byType["data_quality_check"].GetProperty("config").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "suite");
        Assert.True(suite.GetProperty("required").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(suite.GetProperty("description").GetString()));
    }

    [Fact]
    public async Task The_seed_pipeline_runs_on_the_demo_its_quality_gate_stops_it_and_a_rerun_after_fixing_the_suite_finishes()
    {
        using var client = await demo.Host.SignedInAsync();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("api/pipelines", Json(SeedDocuments.ChurnPipeline))).StatusCode);
        (await client.PostAsync("api/quality/suites", Json(SeedDocuments.ChurnSuite))).EnsureSuccessStatusCode();

        var started = await client.PostAsync("api/pipelines/churn-feature-refresh/runs", null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        var run = await WaitAsync(client, runId);

        // At demo scale the table has far fewer rows than the seed's 1.8M-2.2M: the gate must stop the pipeline.
        Assert.Equal("failed", run.GetProperty("state").GetString());
        var tasks = run.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("taskId").GetString()!);
        Assert.Equal("succeeded", tasks["extract_features"].GetProperty("state").GetString());
        Assert.True(tasks["extract_features"].GetProperty("outputs").GetProperty("rows").GetInt64() > 1000);
        Assert.Equal("failed", tasks["quality_gate"].GetProperty("state").GetString());
        Assert.Contains("6/7 expectations met", tasks["quality_gate"].GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("[FAIL] Row count", tasks["quality_gate"].GetProperty("attemptLog")[0].GetProperty("log").GetString(), StringComparison.Ordinal);
        Assert.Equal("skipped", tasks["load_feature_store"].GetProperty("state").GetString());

        // Fit the row-count expectation to the demo's scale and re-run from what failed.
        var suite = JsonNode.Parse(SeedDocuments.ChurnSuite)!;
        suite["expectations"]![0]!["kwargs"]!["min_value"] = 1000;
        (await client.PostAsync("api/quality/suites", Json(suite.ToJsonString()))).EnsureSuccessStatusCode();
        var rerun = await client.PostAsJsonAsync($"api/pipelines/churn-feature-refresh/runs/{runId}/rerun", new { });
        Assert.Equal(HttpStatusCode.Accepted, rerun.StatusCode);
        var second = await WaitAsync(client, (await rerun.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid());

        Assert.Equal("succeeded", second.GetProperty("state").GetString());
        var secondTasks = second.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("taskId").GetString()!);
        Assert.Equal(runId, secondTasks["extract_features"].GetProperty("reusedFrom").GetGuid());
        Assert.Contains("7/7 expectations met", secondTasks["quality_gate"].GetProperty("summary").GetString(), StringComparison.Ordinal);
        var group = await client.GetFromJsonAsync<JsonElement>("api/features/customer_churn_features");
        Assert.Equal("analytics.derived.churn_features", group.GetProperty("group").GetProperty("source_table").GetString());
        Assert.Equal(1, group.GetProperty("group").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_viewer_can_read_pipelines_but_not_save_or_run_them()
    {
        using var admin = await demo.Host.SignedInAsync();
        (await admin.PostAsJsonAsync("api/users", new { username = "pipeline-viewer", password = "viewer-password-123", role = "viewer" })).EnsureSuccessStatusCode();
        using var viewer = await demo.Host.SignedInAsync("pipeline-viewer", "viewer-password-123");

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("api/pipelines")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("api/pipelines", Json(SeedDocuments.ChurnPipeline))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("api/pipelines/churn-feature-refresh/runs", null)).StatusCode);
    }

    [Fact]
    public async Task An_analysts_pipeline_runs_as_the_analyst_and_writes_into_a_new_analytics_schema()
    {
        using var admin = await demo.Host.SignedInAsync();
        (await admin.PostAsJsonAsync("api/users", new { username = "pipeline-analyst", password = "analyst-password-123", role = "analyst" })).EnsureSuccessStatusCode();
        using var analyst = await demo.Host.SignedInAsync("pipeline-analyst", "analyst-password-123");
        const string pipeline = """
            { "pipeline_id": "analyst-refresh", "name": "Analyst refresh", "tasks": [
                { "task_id": "segments", "type": "sql_execute",
                  "config": { "sql": "SELECT segment, count(*) AS customers FROM postgresql.novamart.customers GROUP BY segment",
                              "target_table": "analytics.analyst_work.segments", "write_mode": "overwrite" } },
                { "task_id": "escape", "type": "sql_execute",
                  "config": { "sql": "SELECT 1 AS x", "target_table": "snowflake.analytics.not_mine" } } ] }
            """;
        (await analyst.PostAsync("api/pipelines", Json(pipeline))).EnsureSuccessStatusCode();

        var started = await analyst.PostAsync("api/pipelines/analyst-refresh/runs", null);
        var run = await WaitAsync(analyst, (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid(), "analyst-refresh");

        var tasks = run.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("taskId").GetString()!);
        Assert.Equal("succeeded", tasks["segments"].GetProperty("state").GetString());
        Assert.Equal("failed", tasks["escape"].GetProperty("state").GetString());
        Assert.Contains("which the NovaMart demo source fills", tasks["escape"].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, tasks["escape"].GetProperty("attempts").GetInt32());
    }

    internal static async Task<JsonElement> WaitAsync(HttpClient client, Guid runId, string pipeline = "churn-feature-refresh", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(3));
        while (true)
        {
            var run = await client.GetFromJsonAsync<JsonElement>($"api/pipelines/{pipeline}/runs/{runId}");
            if (run.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled")
            {
                return run;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The run is still {run.GetProperty("state").GetString()}: {run}");
            await Task.Delay(250);
        }
    }
}
