using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Matih.Host.Tests.Api;

[Collection(ScriptCollection.Name)]
public sealed class ScriptPipelineTests(ScriptHostFixture fixture)
{
    [Fact]
    public async Task A_run_script_task_runs_a_script_from_scripts_as_the_pipelines_owner()
    {
        // The host's working directory is its data directory in these tests; scripts/ is read from there.
        var folder = Path.Combine(fixture.Host.DataDirectory, "scripts");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "nightly-count.csx"), """
            var rows = (await SqlAsync("SELECT 1234 AS n")).Scalar<long>();
            Console.WriteLine($"counted {rows} rows for {Args[0]} as {User}");
            rows * 2
            """);
        using var client = await fixture.Host.SignedInAsync();
        var pipeline = """
            {
              "pipeline_id": "script-pipeline",
              "name": "Nightly count",
              "tasks": [
                { "task_id": "count", "type": "run_script", "config": { "script": "scripts/nightly-count.csx", "args": ["2025-12-15"] } },
                { "task_id": "inline", "type": "run_script", "depends_on": ["count"], "config": { "code": "Console.WriteLine(\"inline ran\");", "timeout_seconds": 30 } }
              ]
            }
            """;

        var created = await client.PostAsync("api/pipelines", new StringContent(pipeline, Encoding.UTF8, "application/json"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var runId = (await (await client.PostAsync("api/pipelines/script-pipeline/runs", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        var run = await PipelineTests.WaitAsync(client, runId, "script-pipeline");

        Assert.True(run.GetProperty("state").GetString() == "succeeded", run.ToString());
        var count = run.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("taskId").GetString() == "count");
        Assert.Contains("Result: 2468", count.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("counted 1234 rows for 2025-12-15 as admin", count.GetProperty("attemptLog")[0].GetProperty("log").GetString(), StringComparison.Ordinal);
        var audit = await client.GetFromJsonAsync<JsonElement>("api/scripts/runs?q=pipeline:script-pipeline/count&pageSize=200");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), r => r.GetProperty("source").GetString() == "pipeline:script-pipeline/count" && r.GetProperty("script").GetString() == "scripts/nightly-count.csx");
    }

    [Fact]
    public async Task A_run_script_task_that_does_not_compile_fails_with_the_line()
    {
        using var client = await fixture.Host.SignedInAsync();
        var pipeline = """
            { "pipeline_id": "broken-script", "name": "Broken", "tasks": [ { "task_id": "bad", "type": "run_script", "config": { "code": "var x = ;" } } ] }
            """;
        (await client.PostAsync("api/pipelines", new StringContent(pipeline, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        var runId = (await (await client.PostAsync("api/pipelines/broken-script/runs", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetGuid();
        var run = await PipelineTests.WaitAsync(client, runId, "broken-script");

        Assert.Equal("failed", run.GetProperty("state").GetString());
        var task = run.GetProperty("tasks")[0];
        Assert.Contains("does not compile", task.GetProperty("error").GetString() ?? task.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Contains("line 1", task.GetProperty("error").GetString() ?? task.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_script_task_naming_a_file_outside_scripts_is_refused_when_saved()
    {
        using var client = await fixture.Host.SignedInAsync();
        var pipeline = """
            { "pipeline_id": "escaping-script", "name": "Escaping", "tasks": [ { "task_id": "x", "type": "run_script", "config": { "script": "../secrets.csx" } } ] }
            """;

        var response = await client.PostAsync("api/pipelines", new StringContent(pipeline, Encoding.UTF8, "application/json"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not under scripts/", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
