using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

/// <summary>ML Workbench > A/B Tests: the seed's Stage 8 test between 0.1.0 (logistic regression) and 1.0.0 (LightGBM).</summary>
[Collection(WorkbenchCollection.Name)]
public sealed class AbTestTests(Workbench workbench)
{
    private const string Test = "churn-model-comparison-v1-v2";

    [Fact]
    public async Task The_seed_test_shows_live_assignments_and_results_and_promote_sends_all_traffic_to_the_winner()
    {
        using var api = await workbench.Host.SignedInAsync();
        await SeedServing.DeployAsync(workbench, api);
        var started = await api.PostAsync("api/abtests", SeedServing.Json(SeedServing.Seed("churn-model-comparison.json")));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);

        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/abtests");
        await Workbench.WaitUntilInteractiveAsync(page);
        await page.Locator($"tr[data-abtest='{Test}']").ClickAsync();
        await Expect(page.GetByTestId("results-state")).ToHaveTextAsync("running");
        var control = page.Locator("[data-variant='control']");
        var treatment = page.Locator("[data-variant='treatment']");
        await Expect(control.GetByTestId("assigned")).ToHaveTextAsync("0");
        await Expect(control.GetByTestId("traffic-now")).ToHaveTextAsync("50%");

        // Traffic while the page is open: the counts follow without a reload.
        for (var id = 9000; id < 9400; id++)
        {
            await SeedServing.PredictAsync(api, id);
        }

        // Outcomes per customer: the treatment's targets are identified as churners more often; few false positives either way.
        await WaitForAssignmentsAsync(api, 400);
        await SeedServing.SqlAsync(api, "CREATE SCHEMA IF NOT EXISTS analytics.abtests");
        await SeedServing.SqlAsync(api, """
            CREATE OR REPLACE TABLE analytics.abtests.outcomes AS
            SELECT DISTINCT CAST(entity_key AS INTEGER) AS customer_id,
                   (hash(entity_key) % 100) < CASE variant WHEN 'treatment' THEN 80 ELSE 50 END AS identified,
                   (hash(entity_key) % 100) < 15 AS false_positive
            FROM analytics.monitoring.prediction_log WHERE deployment = 'churn-predictor-v1' AND variant IS NOT NULL
            """);
        (await api.PostAsJsonAsync("api/abtests/metrics", new { name = "churned_customers_identified", kind = "proportion", sql = "SELECT customer_id AS unit_id, identified AS value FROM analytics.abtests.outcomes" })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("api/abtests/metrics", new { name = "false_positive_rate", kind = "proportion", sql = "SELECT customer_id AS unit_id, false_positive AS value FROM analytics.abtests.outcomes", higherIsBetter = false })).EnsureSuccessStatusCode();

        var results = await api.GetFromJsonAsync<JsonElement>($"api/abtests/{Test}/results");
        var assignments = results.GetProperty("assignments");
        await Expect(control.GetByTestId("assigned")).ToHaveTextAsync(assignments.GetProperty("control").GetInt64().ToString("N0", CultureInfo.InvariantCulture));
        await Expect(treatment.GetByTestId("assigned")).ToHaveTextAsync(assignments.GetProperty("treatment").GetInt64().ToString("N0", CultureInfo.InvariantCulture));
        await Expect(page.GetByTestId("srm-warning")).ToHaveCountAsync(0);

        var primary = page.GetByTestId("ab-results").Locator("tr[data-metric='churned_customers_identified']");
        await Expect(primary.GetByTestId("significance")).ToHaveTextAsync("treatment better");
        await Expect(primary.GetByTestId("lift")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\+\d+\.\d%$"));
        await Expect(page.GetByTestId("ab-results").Locator("tr[data-metric='revenue_saved']").GetByTestId("metric-problem")).ToContainTextAsync("No metric named 'revenue_saved' is defined");
        await Expect(page.GetByTestId("guardrails").Locator("tr[data-guardrail='false_positive_rate']").GetByTestId("guardrail-status")).ToHaveTextAsync("holding");

        await page.GetByTestId("promote").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("100% of churn-predictor-v1's traffic");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();

        await Expect(page.GetByTestId("results-state")).ToHaveTextAsync("promoted");
        await Expect(page.GetByTestId("decision")).ToContainTextAsync("treatment (customer-churn-predictor/1.0.0) promoted to 100% of traffic by admin");
        await Expect(treatment.GetByTestId("traffic-now")).ToHaveTextAsync("100%");
        await Expect(control.GetByTestId("traffic-now")).ToHaveTextAsync("0%");
        await Expect(page.GetByTestId("promote")).ToHaveCountAsync(0);
        await Workbench.ScreenshotAsync(page, "abtests");

        // And it is so: the deployment answers with the winner alone.
        var answer = await SeedServing.PredictAsync(api, 9000);
        Assert.Equal("1.0.0", answer.GetProperty("model_version").GetString());
        Assert.False(answer.TryGetProperty("variant", out _));
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_setup_form_shows_each_problem_under_its_field()
    {
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/abtests");
        await Workbench.WaitUntilInteractiveAsync(page);
        await page.GetByTestId("new-abtest").ClickAsync();

        var form = page.GetByTestId("ab-setup");
        await form.GetByLabel("Name").FillAsync("Churn Test!");
        await form.GetByLabel("Control version").FillAsync("customer-churn-predictor/1.0.0");
        await form.GetByLabel("Treatment version").FillAsync("customer-churn-predictor/1.0.0");
        await form.GetByLabel("Primary metric").FillAsync("churned_customers_identified");
        await form.GetByTestId("ab-start").ClickAsync();

        await Expect(form.GetByTestId("ab-name")).ToContainTextAsync("experiment_name is lower-case letters, digits, '-' and '_'.");
        await Expect(form.GetByTestId("ab-treatment-model")).ToContainTextAsync("Control and treatment serve the same model version.");
        await Expect(form.GetByTestId("ab-primary")).Not.ToContainTextAsync("required");
        await Expect(page.Locator("tr[data-abtest='churn-test']")).ToHaveCountAsync(0);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_sees_the_pages_but_neither_starts_promotes_nor_evaluates()
    {
        const string password = "viewer-password-abtests";
        using (var admin = await workbench.Host.SignedInAsync())
        {
            var created = await admin.PostAsJsonAsync("api/users", new { username = "viona", password, role = "viewer" });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var page = await workbench.SignedInPageAsync("viona", password);
        await page.GotoAsync($"/abtests/{Test}");
        await Workbench.WaitUntilInteractiveAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "A/B Tests", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("new-abtest")).ToHaveCountAsync(0);

        await page.GotoAsync("/monitoring/churn-predictor-drift");
        await Workbench.WaitUntilInteractiveAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Monitoring", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("refresh")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("evaluate")).ToHaveCountAsync(0);
        await page.CloseAsync();
    }

    private static async Task WaitForAssignmentsAsync(HttpClient api, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var counts = (await api.GetFromJsonAsync<JsonElement>($"api/abtests/{Test}/results")).GetProperty("assignments");
            if (counts.GetProperty("control").GetInt64() + counts.GetProperty("treatment").GetInt64() >= expected)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "The prediction log did not receive the A/B traffic in time.");
            await Task.Delay(500);
        }
    }
}
