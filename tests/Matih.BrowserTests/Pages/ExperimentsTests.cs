using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed class ExperimentsTests(Workbench workbench)
{
    private static readonly string[] s_seedColumns = ["Experiment", "Model", "Features", "AUC", "Precision", "Recall", "F1", "Training Time"];

    [Fact]
    public async Task The_demo_runs_are_listed_best_AUC_first_and_two_ticked_runs_overlay_their_ROC_curves()
    {
        await WaitForDemoRunsAsync();
        var page = await workbench.SignedInPageAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench" }).GetByRole(AriaRole.Link, new() { Name = "Experiments", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Experiments");
        await page.GetByTestId("experiments").GetByRole(AriaRole.Link, new() { Name = "customer-churn", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/experiments/customer-churn$"));
        await Expect(page.GetByTestId("experiment-description")).ToContainTextAsync("days_since_last_order > 90");

        // The seed's comparison table, best AUC first.
        var grid = page.GetByTestId("runs");
        await Expect(grid.Locator("thead .sortable-column-header").Filter(new() { HasNotText = "State" })).ToHaveTextAsync(s_seedColumns);

        var names = grid.Locator("a.run-name");
        await Expect(names).ToHaveTextAsync(["churn-exp-003", "churn-exp-002", "churn-exp-001"]);
        var aucs = (await grid.Locator("td.cell-auc").AllInnerTextsAsync()).Select(a => double.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(aucs.OrderDescending(), aucs);
        Assert.All(aucs, a => Assert.InRange(a, 0.75, 0.95));
        await Expect(RunRow(grid, "churn-exp-003")).ToContainTextAsync("Gradient Boosting (LightGBM)");
        await Expect(RunRow(grid, "churn-exp-003")).ToContainTextAsync("7 features");
        await Expect(RunRow(grid, "churn-exp-001").Locator(".run-state")).ToHaveAttributeAsync("data-state", "succeeded");

        // Sorting is done by the engine: by model name, LightGBM's "Gradient Boosting" comes first.
        await grid.Locator("thead .sortable-column-header").Filter(new() { HasTextRegex = new Regex("^Model$") }).ClickAsync();
        await Expect(names).ToHaveTextAsync(["churn-exp-003", "churn-exp-001", "churn-exp-002"]);

        // Tick two runs: their ROC curves overlay, with the precision-recall curves and the metrics diff.
        await RunRow(grid, "churn-exp-001").Locator(".mud-checkbox").ClickAsync();
        await RunRow(grid, "churn-exp-003").Locator(".mud-checkbox").ClickAsync();
        var comparison = page.GetByTestId("comparison");
        await Expect(comparison).ToContainTextAsync("Comparing 2 runs");
        var curves = page.GetByTestId("roc-chart").Locator("polyline.curve");
        await Expect(curves).ToHaveCountAsync(2);
        Assert.Equal(["churn-exp-001", "churn-exp-003"], await curves.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.run)"));
        // Each curve runs from (0, 0) to (1, 1) through many points.
        foreach (var points in await curves.EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('points'))"))
        {
            Assert.True(points.Split(' ').Length >= 20, points);
        }

        await Expect(page.GetByTestId("roc-legend")).ToContainTextAsync($"AUC {aucs[0]:0.000}".Replace(",", ".", StringComparison.Ordinal));
        await Expect(page.GetByTestId("pr-chart").Locator("polyline.curve")).ToHaveCountAsync(2);
        var auc = page.GetByTestId("metrics-diff").Locator("tr[data-metric='auc']");
        await Expect(auc).ToContainTextAsync(new Regex(@"\+0\.\d{3}"));
        await SeedJourneyScreenshotAsync(page, "experiments-compare");

        // A run's page: its importances, confusion matrix and hyperparameters.
        await names.Filter(new() { HasText = "churn-exp-003" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/experiments/customer-churn/runs/churn-exp-003$"));
        await Expect(page.GetByTestId("run-title")).ToHaveTextAsync("churn-exp-003");
        await Expect(page.GetByTestId("feature-importance").Locator(".importance-row")).ToHaveCountAsync(7);
        await Expect(page.GetByTestId("confusion-matrix").Locator("td[data-cell]")).ToHaveCountAsync(4);
        await Expect(page.GetByTestId("run-params").Locator("tr[data-param='num_leaves']")).ToContainTextAsync("7");
        await Expect(page.GetByTestId("roc-chart").Locator("polyline.curve")).ToHaveCountAsync(1);
        await SeedJourneyScreenshotAsync(page, "experiment-run");
    }

    [Fact]
    public async Task New_run_starts_from_the_latest_run_names_what_is_missing_and_opens_the_run_as_it_trains()
    {
        await WaitForDemoRunsAsync();
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/experiments/customer-churn");
        await Workbench.WaitUntilInteractiveAsync(page);
        await page.GetByTestId("new-run").ClickAsync();
        var form = page.GetByTestId("new-run-form");

        // The latest demo run as a starting point: its table, label and seven features, and the next name in its series.
        await Expect(form.GetByLabel("Run name")).ToHaveValueAsync("churn-exp-004");
        await Expect(form.GetByLabel("Feature table")).ToHaveValueAsync("analytics.demo.churn_features");
        await Expect(form.GetByTestId("run-features")).ToHaveValueAsync(new Regex("^7 features: total_orders, "));

        await form.GetByLabel("Experiment").FillAsync("browser-new-run");
        await form.GetByLabel("Run name").FillAsync("");
        await form.GetByTestId("start-run").ClickAsync();
        await Expect(form.GetByTestId("run-problems")).ToContainTextAsync("name is required.");

        await form.GetByLabel("Run name").FillAsync("fast-tree-1");
        await form.GetByTestId("run-trainer").ClickAsync();
        await page.GetByRole(AriaRole.Option).Filter(new() { HasText = "(fast_tree)" }).ClickAsync();
        await form.GetByLabel("Num trees").FillAsync("20");
        await form.GetByTestId("start-run").ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/experiments/browser-new-run/runs/fast-tree-1$"));
        await Expect(page.Locator(".run-state").First).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 120_000 });
        await Expect(page.GetByTestId("run-metrics").Locator("[data-metric='auc']")).ToContainTextAsync(new Regex(@"0\.\d{3}"));
        await Expect(page.GetByTestId("run-params").Locator("tr[data-param='num_trees']")).ToContainTextAsync("20");
        await Expect(page.GetByTestId("run-params").Locator("tr[data-param='num_trees']")).ToContainTextAsync("given");
        await Expect(page.GetByTestId("run-params").Locator("tr[data-param='num_leaves']")).ToContainTextAsync("default");
    }

    private static ILocator RunRow(ILocator grid, string run) =>
        grid.Locator("tbody tr").Filter(new() { Has = grid.Page.Locator($"a.run-name[data-run='{run}']") });

    private static async Task SeedJourneyScreenshotAsync(IPage page, string name)
    {
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Workbench.ScreenshotAsync(page, name);
    }

    /// <summary>The demo queues its three runs after its data loads; they train in seconds at the demo's scale.</summary>
    private async Task WaitForDemoRunsAsync()
    {
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
        using var api = await workbench.Host.SignedInAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        var states = "";
        while (DateTime.UtcNow < deadline)
        {
            var response = await api.GetAsync("api/experiments/customer-churn/runs?sort=name&order=asc");
            if (response.IsSuccessStatusCode)
            {
                var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray().ToArray();
                states = string.Join(", ", items.Select(i => $"{i.GetProperty("name").GetString()} {i.GetProperty("state").GetString()} {i.GetProperty("error")}"));
                if (items.Length == 3 && items.All(i => i.GetProperty("state").GetString() is "succeeded" or "failed" or "cancelled"))
                {
                    Assert.True(items.All(i => i.GetProperty("state").GetString() == "succeeded"), states);
                    return;
                }
            }

            await Task.Delay(1_000);
        }

        Assert.Fail($"The demo runs did not finish in 3 minutes: {states}");
    }
}
