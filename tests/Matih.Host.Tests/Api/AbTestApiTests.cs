using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matih.Host.Tests.Api;

/// <summary>
/// Stages 7 and 8 through the host: the seed's A/B test between the logistic regression (0.1.0) and LightGBM (1.0.0)
/// on the seed's deployment, and the seed's monitor over the traffic it logs.
/// </summary>
[Collection(ServeHostCollection.Name)]
public sealed class AbTestApiTests(ServeHostFixture fixture)
{
    [Fact]
    public async Task The_seed_ab_test_routes_each_customer_stably_reports_results_and_promotes_the_winner()
    {
        using var client = await fixture.Host.SignedInAsync();
        await fixture.EnsureSeedDeployedAsync(client);
        var control = await ServeHostFixture.RegisterAsync(client, "customer-churn-predictor", "0.1.0", "churn-exp-001", "mlnet");
        Assert.True(control.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await control.Content.ReadAsStringAsync());

        var started = await client.PostAsync("api/abtests", ServeHostFixture.Json(ServeHostFixture.Seed("churn-model-comparison.json")));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        Assert.Equal("churn-predictor-v1", (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deployment").GetString());

        var seen = new Dictionary<int, (string Variant, string Version)>();
        for (var id = 1; id <= 600; id++)
        {
            var body = $$"""
                { "customer_id": {{id}}, "total_orders": {{id % 7 + 1}}, "avg_order_value": {{20 + id % 90}}.5, "days_since_last_order": {{id % 120}},
                  "customer_age_days": {{200 + id}}, "total_sessions_90d": {{id % 9}}, "product_views_90d": {{id % 25}}, "return_rate": 0.{{id % 9}}, "segment": "Silver" }
                """;
            var answer = await (await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(body))).Content.ReadFromJsonAsync<JsonElement>();
            seen[id] = (answer.GetProperty("variant").GetString()!, answer.GetProperty("model_version").GetString()!);
            if (id % 100 == 0)
            {
                // The same customer again gets the same variant.
                var again = await (await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(body))).Content.ReadFromJsonAsync<JsonElement>();
                Assert.Equal(seen[id].Variant, again.GetProperty("variant").GetString());
            }
        }

        Assert.All(seen.Values, s => Assert.Equal(s.Variant == "control" ? "0.1.0" : "1.0.0", s.Version));
        Assert.InRange(seen.Values.Count(s => s.Variant == "control"), 240, 360);

        // Outcomes per customer: the treatment's targets churn (are identified) more often.
        await Task.Delay(1500);
        (await client.PostAsJsonAsync("api/sql", new
        {
            sql = """
                CREATE OR REPLACE TABLE analytics.abtests.outcomes AS
                SELECT DISTINCT CAST(entity_key AS INTEGER) AS customer_id,
                       (hash(entity_key) % 100) < CASE variant WHEN 'treatment' THEN 80 ELSE 50 END AS identified,
                       (hash(entity_key) % 100) < 15 AS false_positive
                FROM analytics.monitoring.prediction_log WHERE deployment = 'churn-predictor-v1' AND variant IS NOT NULL
                """,
        })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("api/abtests/metrics", new { name = "churned_customers_identified", kind = "proportion", sql = "SELECT customer_id AS unit_id, identified AS value FROM analytics.abtests.outcomes" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("api/abtests/metrics", new { name = "false_positive_rate", kind = "proportion", sql = "SELECT customer_id AS unit_id, false_positive AS value FROM analytics.abtests.outcomes", higherIsBetter = false })).EnsureSuccessStatusCode();

        var results = await client.GetFromJsonAsync<JsonElement>("api/abtests/churn-model-comparison-v1-v2/results");
        Assert.Equal("running", results.GetProperty("state").GetString());
        Assert.Equal(600, results.GetProperty("assignments").GetProperty("control").GetInt64() + results.GetProperty("assignments").GetProperty("treatment").GetInt64());
        Assert.False(results.GetProperty("sampleRatioMismatch").GetBoolean());
        var primary = results.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("primary").GetBoolean());
        Assert.True(primary.GetProperty("significant").GetBoolean());
        Assert.Contains("churned_customers_identified *", results.GetProperty("text").GetString(), StringComparison.Ordinal);

        var promoted = await client.PostAsJsonAsync("api/abtests/churn-model-comparison-v1-v2/promote", new { });
        Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
        Assert.Equal("promoted", (await promoted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        var after = await (await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(ServeHostFixture.Seed("churn-predict-request.json")))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(after.TryGetProperty("variant", out _));
        Assert.Equal("1.0.0", after.GetProperty("model_version").GetString());
        var versions = await client.GetFromJsonAsync<JsonElement>("api/models/customer-churn-predictor/versions");
        var stages = versions.GetProperty("items").EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!, v => v.GetProperty("stage").GetString());
        Assert.Equal(("production", "archived"), (stages["1.0.0"], stages["0.1.0"]));
    }

    [Fact]
    public async Task The_seed_monitor_is_accepted_verbatim_and_its_report_reads_the_logged_traffic()
    {
        using var client = await fixture.Host.SignedInAsync();
        await fixture.EnsureSeedDeployedAsync(client);
        (await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(ServeHostFixture.Seed("churn-predict-request.json")))).EnsureSuccessStatusCode();
        await Task.Delay(1500);

        var saved = await client.PostAsync("api/monitors", ServeHostFixture.Json(ServeHostFixture.Seed("churn-predictor-drift.json")));
        Assert.True(saved.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());

        var report = await client.GetFromJsonAsync<JsonElement>("api/monitors/churn-predictor-drift/report");
        Assert.True(report.GetProperty("traffic").GetProperty("volume").GetInt64() >= 1);
        Assert.Contains("churn-predictor-v1 - Production Monitoring", report.GetProperty("text").GetString(), StringComparison.Ordinal);
        // The seed's baseline table is not part of the demo: the check says so instead of failing the report.
        var psi = report.GetProperty("drift").EnumerateArray().First(d => d.GetProperty("type").GetString() == "feature_drift");
        Assert.Equal("error", psi.GetProperty("status").GetString());
        Assert.Contains("churn_features_baseline_2025q4 does not exist", psi.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
