using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

public sealed class PipelineResumeTests
{
    private const string Pipeline = """
        {
          "pipeline_id": "resume-me",
          "name": "Resume me",
          "tasks": [
            { "task_id": "quick", "type": "sql_execute", "config": { "sql": "SELECT 42 AS answer", "target_table": "analytics.main.quick" } },
            { "task_id": "slow", "type": "sql_execute", "depends_on": ["quick"],
              "config": { "sql": "SELECT sum(i) AS total FROM range(4000000000) t(i)", "target_table": "analytics.main.slow" } }
          ]
        }
        """;

    [Fact]
    public async Task A_run_survives_its_host_being_killed_and_finishes_without_rerunning_what_succeeded()
    {
        var data = Directory.CreateTempSubdirectory("matih-pipeline-resume-").FullName;
        try
        {
            Guid runId;
            await using (var first = await MatihHost.StartAsync(dataDirectory: data))
            {
                using var client = await first.SignedInAsync();
                (await client.PostAsync("api/pipelines", new StringContent(Pipeline, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
                var started = await client.PostAsync("api/pipelines/resume-me/runs", null);
                runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
                while (Task(await Run(client, runId), "slow").GetProperty("state").GetString() != "running")
                {
                    await System.Threading.Tasks.Task.Delay(100);
                }

                // Leaving the block kills the process (SIGKILL): no graceful shutdown, the attempt is cut off.
            }

            await using var second = await MatihHost.StartAsync(dataDirectory: data);
            using var again = await second.SignedInAsync();
            var run = await PipelineTests.WaitAsync(again, runId, "resume-me");

            Assert.Equal("succeeded", run.GetProperty("state").GetString());
            Assert.Equal(1, Task(run, "quick").GetProperty("attemptLog").GetArrayLength());
            var slow = Task(run, "slow").GetProperty("attemptLog").EnumerateArray().Select(a => a.GetProperty("state").GetString()!).ToArray();
            Assert.Equal(["interrupted", "succeeded"], slow);
            var total = await again.PostAsJsonAsync("api/sql", new { sql = "SELECT total = 4000000000::HUGEINT * 3999999999 / 2 FROM analytics.main.slow" });
            Assert.True((await total.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0][0].GetBoolean());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<JsonElement> Run(HttpClient client, Guid runId) =>
        await client.GetFromJsonAsync<JsonElement>($"api/pipelines/resume-me/runs/{runId}");

    private static JsonElement Task(JsonElement run, string taskId) =>
        run.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("taskId").GetString() == taskId);
}
