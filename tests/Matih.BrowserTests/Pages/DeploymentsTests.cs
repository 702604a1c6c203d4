using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

/// <summary>ML Workbench > Models and Deployments, after the seed's registration and deployment through the API.</summary>
[Collection(WorkbenchCollection.Name)]
public sealed class DeploymentsTests(Workbench workbench)
{
    [Fact]
    public async Task The_deployments_page_shows_the_seed_deployment_and_its_try_it_form_answers_the_seed_request()
    {
        await DeploySeedAsync();
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/deployments");
        await Workbench.WaitUntilInteractiveAsync(page);

        var row = page.Locator("tr[data-deployment='churn-predictor-v1']");
        await Expect(row.GetByTestId("status")).ToHaveTextAsync("running");
        await Expect(row.GetByTestId("replicas")).ToContainTextAsync("2 (2-6)");
        await row.ClickAsync();
        var form = page.GetByTestId("try-it");
        await Expect(form.GetByLabel("Request JSON")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("\"segment\": \"Silver\""));
        await form.GetByTestId("try-predict").ClickAsync();

        var answer = form.GetByTestId("try-answer");
        await Expect(answer).ToContainTextAsync("\"churn_probability\"");
        await Expect(answer).ToContainTextAsync("\"top_factors\"");
        await Expect(answer).ToContainTextAsync("\"model_version\": \"1.0.0\"");
        // The try-it request is served like any other: the table's figures pick it up at the next refresh.
        await Expect(row.GetByTestId("p50")).Not.ToHaveTextAsync("-");
        await Workbench.ScreenshotAsync(page, "deployments");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_models_page_lists_the_registered_version_with_its_lineage()
    {
        await DeploySeedAsync();
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/models");
        await Workbench.WaitUntilInteractiveAsync(page);

        await page.Locator("tr[data-model='customer-churn-predictor']").ClickAsync();
        var version = page.Locator("tr[data-version='1.0.0']");
        await Expect(version.GetByTestId("stage")).ToHaveTextAsync("none");
        await version.GetByTestId("to-production").ClickAsync();
        await Expect(version.GetByTestId("stage")).ToHaveTextAsync("production");
        await version.GetByTestId("show-lineage").ClickAsync();
        var chain = page.GetByTestId("lineage-chain");
        await Expect(chain).ToContainTextAsync("postgresql.novamart.customers");
        await Expect(chain).ToContainTextAsync("run churn-exp-003");
        await Workbench.ScreenshotAsync(page, "models");
        await page.CloseAsync();
    }

    /// <summary>Waits for the demo's churn-exp-003, then registers and deploys the seed's documents (idempotent).</summary>
    private async Task DeploySeedAsync()
    {
        using var api = await workbench.Host.SignedInAsync();
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(3));
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            var run = await api.GetAsync("api/experiments/customer-churn/runs/churn-exp-003");
            if (run.IsSuccessStatusCode && (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString() == "succeeded")
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "The demo's churn-exp-003 did not succeed in time.");
            await Task.Delay(500);
        }

        foreach (var (path, document) in new[] { ("api/models", "model-registration.json"), ("api/deployments", "deployment.json") })
        {
            var body = await File.ReadAllTextAsync(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", document));
            var response = await api.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }
}
