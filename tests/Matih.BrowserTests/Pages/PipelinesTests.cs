using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class PipelinesTests(Workbench workbench)
{
    private const string AnalystPassword = "pipeline-analyst-password-1";
    private static readonly string[] s_seedTasks = ["extract_features", "quality_gate", "load_feature_store"];

    // True when the tasks' boxes stand left to right in this order, on one row.
    private const string LeftToRight = """
        ids => {
            const boxes = ids.map(id => document.querySelector(`.task-node[data-task-id='${id}']`)?.getBoundingClientRect());
            return boxes.every(b => b) && boxes.every((b, i) => i === 0 || (b.x > boxes[i - 1].x + b.width && Math.abs(b.y - boxes[0].y) < 2));
        }
        """;

    // Links are drawn once the library's script has measured their ports: count the ones with a real extent.
    private const string LinksDrawn = "n => [...document.querySelectorAll('g.diagram-link.attached')].filter(g => g.getBBox().width > 10).length === n";

    private static string SeedPipeline => File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", "churn-feature-refresh.json"));

    private static string SeedSuite => File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", "churn-features-validation.json"));

    [Fact]
    public async Task The_seed_pipeline_drawn_from_the_palette_is_saved_and_run_and_every_task_shows_succeeded_on_the_graph()
    {
        await PrepareAsync("churn-refresh-drawn");
        // As admin: a run acts as the pipeline's owner, and sql_execute's overwrite is refused to analysts for now
        // ("Session and file statements ... are for administrators"), an engine limitation reported separately.
        var page = await workbench.SignedInPageAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench" }).GetByRole(AriaRole.Link, new() { Name = "Pipelines", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New pipeline" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/pipelines/new$"));
        await Expect(page.GetByTestId("palette").Locator(".palette-item")).ToHaveCountAsync(5);

        await FillAsync(page, "pipeline_id", "churn-refresh-drawn");
        await FillAsync(page, "name", "Daily Churn Feature Refresh (drawn)");
        await FillAsync(page, "schedule", "0 4 * * *");
        await FillAsync(page, "on_failure channel", "slack");
        await FillAsync(page, "on_failure target", "#data-alerts");

        // Each task from the palette, its config from the form its type describes.
        await AddTaskAsync(page, "sql_execute", "extract_features", new()
        {
            ["query_ref"] = "analytics.queries.churn_feature_set",
            ["target_table"] = "analytics.derived.churn_features",
        });
        await page.GetByText("retry_policy and timeout").ClickAsync();
        await FillAsync(page, "max_attempts", "3");
        await FillAsync(page, "backoff_coefficient", "2");
        await FillAsync(page, "initial_interval", "30s");
        await AddTaskAsync(page, "data_quality_check", "quality_gate", new()
        {
            ["suite"] = "churn_features_validation",
            ["dataset"] = "analytics.derived.churn_features",
        });

        // The seed's suite expects the full-scale row count, which the small demo does not have: the gate reports it
        // without stopping the pipeline (the check box writes the one value that differs from the seed).
        await page.GetByTestId("properties").GetByLabel("fail_pipeline_on_error").UncheckAsync();
        await AddTaskAsync(page, "feature_store_sync", "load_feature_store", new()
        {
            ["source_table"] = "analytics.derived.churn_features",
            ["feature_group"] = "customer_churn_features",
            ["entity_key"] = "customer_id",
            ["timestamp_column"] = "last_order_date",
        });

        // Connected port to port (each link is a depends_on), then laid out by dependency depth, left to right.
        await page.GetByRole(AriaRole.Button, new() { Name = "Zoom to fit" }).ClickAsync();
        await ConnectAsync(page, "extract_features", "quality_gate");
        await ConnectAsync(page, "quality_gate", "load_feature_store");
        await Expect(page.Locator("g.diagram-link.attached")).ToHaveCountAsync(2);
        await page.WaitForFunctionAsync(LinksDrawn, 2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Auto-layout" }).ClickAsync();
        await page.WaitForFunctionAsync(LeftToRight, s_seedTasks);
        foreach (var task in s_seedTasks)
        {
            await Expect(page.Locator($".task-node[data-task-id='{task}']")).ToBeInViewportAsync();
        }
        await page.Locator(".task-node[data-task-id='load_feature_store']").ClickAsync();
        await Expect(page.GetByTestId("depends-on")).ToHaveTextAsync("depends_on: quality_gate");

        await page.GetByRole(AriaRole.Button, new() { Name = "Validate", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("valid")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/pipelines/churn-refresh-drawn$"));
        await Expect(page.GetByTestId("saved")).ToBeVisibleAsync();

        // What was saved is the seed's pipeline as the API has it.
        using (var api = await workbench.Host.SignedInAsync())
        {
            var saved = JsonNode.Parse(await api.GetStringAsync("api/pipelines/churn-refresh-drawn"))!;
            var seed = JsonNode.Parse(SeedPipeline)!;
            Assert.Equal("0 4 * * *", saved["schedule"]!.GetValue<string>());
            Assert.True(JsonNode.DeepEquals(seed["notifications"]!["on_failure"], saved["notifications"]!["on_failure"]), saved.ToJsonString());
            for (var i = 0; i < 3; i++)
            {
                var (want, got) = (seed["tasks"]![i]!, saved["tasks"]![i]!);
                Assert.Equal(want["task_id"]!.GetValue<string>(), got["task_id"]!.GetValue<string>());
                Assert.Equal(want["type"]!.GetValue<string>(), got["type"]!.GetValue<string>());
                Assert.True(JsonNode.DeepEquals(want["depends_on"] ?? new JsonArray(), got["depends_on"] ?? new JsonArray()), got.ToJsonString());
                foreach (var (key, value) in got["config"]!.AsObject().Where(c => c.Key != "fail_pipeline_on_error"))
                {
                    Assert.True(JsonNode.DeepEquals(want["config"]![key], value), $"{key} in {got.ToJsonString()}");
                }
            }

            Assert.True(JsonNode.DeepEquals(seed["tasks"]![0]!["retry_policy"], saved["tasks"]![0]!["retry_policy"]), saved.ToJsonString());
            Assert.False(saved["tasks"]![1]!["config"]!["fail_pipeline_on_error"]!.GetValue<bool>());
        }

        // Run: the overlay follows the run until each task has succeeded.
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("run-overlay")).ToBeVisibleAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/pipelines/churn-refresh-drawn\?run="));
        await ExpectEveryTaskSucceededAsync(page, "churn-refresh-drawn");

        await Expect(page.GetByTestId("run-overlay")).ToHaveAttributeAsync("data-state", "succeeded");
        await Expect(page.Locator(".task-node[data-task-id='load_feature_store'] [data-testid=task-state]")).ToHaveTextAsync("succeeded");
        await SeedJourney.ScreenshotAsync(page, "pipeline-designer-run");

        // The run's page: per-task states, attempts and logs.
        await page.GetByTestId("run-overlay").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByTestId("run-summary")).ToHaveAttributeAsync("data-state", "succeeded");
        foreach (var task in s_seedTasks)
        {
            await Expect(page.Locator($"tr.task-row[data-task='{task}'] [data-testid=task-state]")).ToHaveTextAsync("succeeded");
        }

        await Expect(page.Locator("tr.task-row[data-task='load_feature_store']")).ToContainTextAsync("customer_churn_features");
        await page.GetByText("extract_features · 1 attempt").ClickAsync();
        await Expect(page.Locator(".attempt[data-task='extract_features'] .attempt-log")).ToBeVisibleAsync();
        await Expect(page.Locator(".attempt[data-task='extract_features'] .attempt-log")).ToContainTextAsync(ChurnQueryLog());
        await SeedJourney.ScreenshotAsync(page, "pipeline-run");

        // And in the history and the list.
        await page.GotoAsync("/pipelines/churn-refresh-drawn?tab=runs");
        var latest = page.GetByTestId("run-history").Locator("tr.run-row").First;
        await Expect(latest.GetByTestId("run-state")).ToHaveTextAsync("succeeded");
        await Expect(latest).ToContainTextAsync("manual");
        await Expect(latest).ToContainTextAsync("admin");
        await page.GotoAsync("/pipelines");
        var row = page.Locator("tr.pipeline-row[data-pipeline='churn-refresh-drawn']");
        await Expect(row.GetByTestId("last-run")).ToContainTextAsync("succeeded");
        await Expect(row).ToContainTextAsync("0 4 * * * UTC");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_seed_document_loaded_into_the_designer_and_saved_unchanged_is_stored_as_written()
    {
        await PrepareAsync("churn-feature-refresh");
        var page = await workbench.SignedInPageAsync("pia", AnalystPassword);
        await page.GotoAsync("/pipelines/new");
        await Workbench.WaitUntilInteractiveAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Load JSON" }).ClickAsync();
        await page.GetByLabel("Pipeline document").FillAsync(SeedPipeline);
        await page.GetByRole(AriaRole.Button, new() { Name = "Load", Exact = true }).ClickAsync();
        foreach (var task in s_seedTasks)
        {
            await Expect(page.Locator($".task-node[data-task-id='{task}']")).ToBeVisibleAsync();
        }

        await Expect(page.Locator("g.diagram-link.attached")).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/pipelines/churn-feature-refresh$"));

        using var api = await workbench.Host.SignedInAsync();
        var saved = await api.GetStringAsync("api/pipelines/churn-feature-refresh");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(SeedPipeline), JsonNode.Parse(saved)), saved);

        // The boxes come back where they were saved (measured from the canvas's corner).
        var before = await OffsetInCanvasAsync(page, "quality_gate");
        await page.ReloadAsync();
        await Workbench.WaitUntilInteractiveAsync(page);
        await Expect(page.Locator(".task-node[data-task-id='quality_gate']")).ToBeVisibleAsync();
        var after = await OffsetInCanvasAsync(page, "quality_gate");
        Assert.Equal(before.X, after.X, 1.0);
        Assert.Equal(before.Y, after.Y, 1.0);

        // The JSON tab shows the document as stored; the API takes it back verbatim.
        await page.GetByRole(AriaRole.Tab, new() { Name = "JSON" }).ClickAsync();
        await Expect(page.GetByTestId("pipeline-json")).ToContainTextAsync("\"target\": \"#data-pipelines\"");
        var put = await api.PutAsync("api/pipelines/churn-feature-refresh", new StringContent(saved, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        await page.CloseAsync();
    }

    [Fact]
    public async Task Problems_are_listed_by_json_path_with_the_task_outlined_and_undo_copy_and_paste_change_the_graph()
    {
        await PrepareAsync(null);
        var page = await workbench.SignedInPageAsync("pia", AnalystPassword);
        await page.GotoAsync("/pipelines/new");
        await Workbench.WaitUntilInteractiveAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Load JSON" }).ClickAsync();
        await page.GetByLabel("Pipeline document").FillAsync(SeedPipeline);
        await page.GetByRole(AriaRole.Button, new() { Name = "Load", Exact = true }).ClickAsync();
        var nodes = page.Locator(".task-node");
        await Expect(nodes).ToHaveCountAsync(3);

        // A task with an empty config: validation names the field by path and outlines the task.
        await page.GetByTestId("palette").Locator(".palette-item[data-task-type='sql_execute']").ClickAsync();
        await Expect(nodes).ToHaveCountAsync(4);
        await page.GetByRole(AriaRole.Button, new() { Name = "Validate", Exact = true }).ClickAsync();
        var problem = page.GetByTestId("problems").Locator("li").Filter(new() { HasText = "$.tasks[3].config.query_ref" });
        await Expect(problem).ToContainTextAsync("Give exactly one of query_ref (a saved query) or sql.");
        await Expect(page.Locator(".task-node[data-task-id='sql_execute_1']")).ToHaveClassAsync(new Regex("task-node-problem"));
        await Expect(page.GetByLabel("query_ref", new() { Exact = true })).ToBeVisibleAsync();
        await SeedJourney.ScreenshotAsync(page, "pipeline-problems");

        // Ctrl+Z on the canvas takes the task away again; the redo button brings it back.
        await page.GetByTestId("designer-canvas").ClickAsync(new() { Position = new() { X = 12, Y = 12 } });
        await page.Keyboard.PressAsync("Control+z");
        await Expect(nodes).ToHaveCountAsync(3);
        await page.GetByRole(AriaRole.Button, new() { Name = "Redo" }).ClickAsync();
        await Expect(nodes).ToHaveCountAsync(4);
        await page.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Expect(nodes).ToHaveCountAsync(3);

        // Copy two connected tasks and paste them: new ids, and the edge between them comes along.
        await page.Locator(".task-node[data-task-id='quality_gate']").ClickAsync();
        await page.Locator(".task-node[data-task-id='load_feature_store']").ClickAsync(new() { Modifiers = [KeyboardModifier.Control] });
        await page.Keyboard.PressAsync("Control+c");
        await page.Keyboard.PressAsync("Control+v");
        await Expect(page.Locator(".task-node[data-task-id='quality_gate_copy']")).ToBeVisibleAsync();
        await Expect(page.Locator(".task-node[data-task-id='load_feature_store_copy']")).ToBeVisibleAsync();
        await Expect(page.Locator("g.diagram-link.attached")).ToHaveCountAsync(3);
        await page.GetByTestId("designer-canvas").ClickAsync(new() { Position = new() { X = 12, Y = 12 } });
        await page.Locator(".task-node[data-task-id='load_feature_store_copy']").ClickAsync();
        await Expect(page.GetByTestId("depends-on")).ToHaveTextAsync("depends_on: quality_gate_copy");
        await page.CloseAsync();
    }

    private async Task PrepareAsync(string? pipelineId)
    {
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
        using var api = await workbench.Host.SignedInAsync();
        // Refused as a duplicate when another test of this class made her first; signing in shows either way.
        using var _ = await api.PostAsJsonAsync("api/users", new { username = "pia", password = AnalystPassword, role = "analyst" });

        // The quality gate checks the seed's suite.
        var suite = await api.PostAsync("api/quality/suites", new StringContent(SeedSuite, Encoding.UTF8, "application/json"));
        Assert.True(suite.IsSuccessStatusCode, await suite.Content.ReadAsStringAsync());
        if (pipelineId is not null)
        {
            await api.DeleteAsync($"api/pipelines/{pipelineId}");
        }
    }

    // Waits for the overlay to show each task succeeded; when one does not, the failure says why, from the run itself.
    private async Task ExpectEveryTaskSucceededAsync(IPage page, string pipelineId)
    {
        try
        {
            await Expect(page.GetByTestId("run-overlay")).ToHaveAttributeAsync("data-state", RunEnded(), new() { Timeout = 240_000 });
            foreach (var task in s_seedTasks)
            {
                await Expect(page.Locator($".task-node[data-task-id='{task}']")).ToHaveAttributeAsync("data-state", "succeeded");
            }
        }
        catch (PlaywrightException e)
        {
            var runId = RunInAddress().Match(page.Url).Groups[1].Value;
            using var api = await workbench.Host.SignedInAsync();
            var run = await api.GetStringAsync($"api/pipelines/{pipelineId}/runs/{runId}");
            var overlay = await page.GetByTestId("run-overlay").GetAttributeAsync("data-state");
            var hostErrors = string.Join("\n", workbench.Host.Output.Split('\n').Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("exception", StringComparison.OrdinalIgnoreCase)).TakeLast(30));
            throw new Xunit.Sdk.XunitException($"{e.Message}\nThe overlay: {overlay}\nThe run: {run}\nHost: {hostErrors}");
        }
    }

    private static async Task FillAsync(IPage page, string label, string value) =>
        await page.GetByTestId("properties").GetByLabel(label, new() { Exact = true }).FillAsync(value);

    private static async Task AddTaskAsync(IPage page, string type, string taskId, Dictionary<string, string> config)
    {
        var before = await page.Locator(".task-node").CountAsync();
        await page.GetByTestId("palette").Locator($".palette-item[data-task-type='{type}']").ClickAsync();
        await Expect(page.Locator(".task-node")).ToHaveCountAsync(before + 1);
        await Expect(page.GetByTestId("task-properties")).ToBeVisibleAsync();
        await FillAsync(page, "task_id", taskId);
        await Expect(page.Locator($".task-node[data-task-id='{taskId}']")).ToBeVisibleAsync();
        foreach (var (name, value) in config)
        {
            await FillAsync(page, name, value);
        }
    }

    private static async Task<(double X, double Y)> OffsetInCanvasAsync(IPage page, string taskId)
    {
        var canvas = await page.GetByTestId("designer-canvas").BoundingBoxAsync();
        var node = await page.Locator($".task-node[data-task-id='{taskId}']").BoundingBoxAsync();
        return (node!.X - canvas!.X, node.Y - canvas.Y);
    }

    // Drags from the upstream task's right port to the downstream task's left port, as a user would.
    private static async Task ConnectAsync(IPage page, string upstream, string downstream)
    {
        var from = await page.Locator($".task-node[data-task-id='{upstream}'] .task-port-out").BoundingBoxAsync() ?? throw new InvalidOperationException($"{upstream} has no output port on screen.");
        var to = await page.Locator($".task-node[data-task-id='{downstream}'] .task-port-in").BoundingBoxAsync() ?? throw new InvalidOperationException($"{downstream} has no input port on screen.");
        var links = await page.Locator("g.diagram-link.attached").CountAsync();
        await page.Mouse.MoveAsync(from.X + (from.Width / 2), from.Y + (from.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync((from.X + to.X) / 2, (from.Y + to.Y) / 2 + 20, new() { Steps = 4 });
        await page.Mouse.MoveAsync(to.X + (to.Width / 2), to.Y + (to.Height / 2), new() { Steps = 6 });
        await page.Mouse.UpAsync();
        await Expect(page.Locator("g.diagram-link.attached")).ToHaveCountAsync(links + 1);
    }

    [GeneratedRegex("^(succeeded|failed|cancelled)$")]
    private static partial Regex RunEnded();

    [GeneratedRegex(@"[?&]run=([0-9a-f-]{36})")]
    private static partial Regex RunInAddress();

    [GeneratedRegex("Running saved query analytics.queries.churn_feature_set")]
    private static partial Regex ChurnQueryLog();
}
