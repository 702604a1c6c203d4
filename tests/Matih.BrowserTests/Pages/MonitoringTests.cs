using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

/// <summary>ML Workbench > Monitoring: the seed's Stage 7 monitor over traffic served through /serve, a batch of which drifted.</summary>
[Collection(WorkbenchCollection.Name)]
public sealed class MonitoringTests(Workbench workbench)
{
    private const string Monitor = "churn-predictor-drift";

    [Fact]
    public async Task The_dashboard_flags_the_drifted_feature_after_evaluate_now_and_shows_volume_and_risk_bands()
    {
        using var api = await workbench.Host.SignedInAsync();
        await SeedServing.DeployAsync(workbench, api);

        // The seed's reference and label tables, written to match the traffic below: the seed's monitor is posted verbatim.
        await SeedServing.SqlAsync(api, "CREATE SCHEMA IF NOT EXISTS analytics.derived");
        await SeedServing.SqlAsync(api, $"CREATE OR REPLACE TABLE analytics.derived.churn_features_baseline_2025q4 AS SELECT {SeedServing.FeaturesSql} FROM range(1, 901) t(id)");
        await SeedServing.SqlAsync(api, "CREATE OR REPLACE TABLE analytics.derived.actual_churn_labels AS SELECT id AS customer_id, id % 10 <> 0 AS churned FROM range(7000, 7600) t(id)");
        var saved = await api.PostAsync("api/monitors", SeedServing.Json(SeedServing.Seed("churn-predictor-drift.json")));
        Assert.True(saved.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());

        // 300 customers like the reference, then 300 who have not ordered for over a year.
        var before = await VolumeAsync(api);
        for (var id = 7000; id < 7600; id++)
        {
            await SeedServing.PredictAsync(api, id, lapsed: id >= 7300);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await VolumeAsync(api) < before + 600)
        {
            Assert.True(DateTime.UtcNow < deadline, "The prediction log did not receive the 600 predictions in time.");
            await Task.Delay(500);
        }

        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/monitoring");
        await Workbench.WaitUntilInteractiveAsync(page);
        await page.Locator($"tr[data-monitor='{Monitor}']").ClickAsync();
        await Expect(page.GetByTestId("dashboard-title")).ToHaveTextAsync($"{SeedServing.Deployment} - Production Monitoring");

        await page.GetByTestId("evaluate").ClickAsync();
        await Expect(page.GetByTestId("evaluation")).ToContainTextAsync("[ALERT] Feature drift on days_since_last_order");

        var drift = page.GetByTestId("drift");
        await Expect(drift.Locator("tr[data-feature='days_since_last_order']").GetByTestId("check-status")).ToHaveTextAsync("ALERT");
        await Expect(drift.Locator("tr[data-feature='avg_order_value']").GetByTestId("check-status")).ToHaveTextAsync("OK");
        await Expect(page.Locator($"tr[data-monitor='{Monitor}']").GetByTestId("monitor-state")).ToContainTextAsync("alerting");
        await Expect(page.GetByTestId("recent-alerts").Locator("tr[data-alert='days_since_last_order']").GetByTestId("alert-state")).ToHaveTextAsync("alerting");
        var alerts = await api.GetFromJsonAsync<JsonElement>($"api/monitors/{Monitor}/alerts");
        Assert.True(alerts.EnumerateArray().Single(a => a.GetProperty("subject").GetString() == "days_since_last_order").GetProperty("alerting").GetBoolean());

        // The figures are the engine's: the same report the API gives, with at least the 600 predictions sent here.
        var report = await api.GetFromJsonAsync<JsonElement>($"api/monitors/{Monitor}/report");
        var volume = report.GetProperty("traffic").GetProperty("volume").GetInt64();
        Assert.True(volume >= before + 600, $"The report counts {volume} predictions.");
        await Expect(page.GetByTestId("volume")).ToHaveTextAsync($"{volume.ToString("N0", CultureInfo.InvariantCulture)} requests");
        var bands = report.GetProperty("riskBands").EnumerateObject().ToDictionary(p => p.Name.ToUpperInvariant(), p => p.Value.GetDouble());
        Assert.Equal(1.0, bands.Values.Sum(), 3);
        foreach (var band in new[] { "LOW", "MEDIUM", "HIGH" })
        {
            var share = (bands.GetValueOrDefault(band) * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
            await Expect(page.GetByTestId("risk-bands").Locator($"tr[data-band='{band}']").GetByTestId("band-share")).ToHaveTextAsync(share);
        }

        // The labels of this week's customers: nine in ten churned, so precision@1000 holds.
        var week = page.GetByTestId("accuracy").Locator("tr[data-week='2']");
        await Expect(week.GetByTestId("accuracy-value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^0\.\d\d$"));
        await Expect(week.GetByTestId("check-status")).ToHaveTextAsync("OK");
        await Expect(page.GetByTestId("psi-chart").Locator("svg")).ToBeVisibleAsync();
        await Workbench.ScreenshotAsync(page, "monitoring");
        await page.CloseAsync();
    }

    private static async Task<long> VolumeAsync(HttpClient api) =>
        (await api.GetFromJsonAsync<JsonElement>($"api/monitors/{Monitor}/report")).GetProperty("traffic").GetProperty("volume").GetInt64();
}
