using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;

namespace Matih.BrowserTests.Pages;

/// <summary>
/// The seed's Stage 6 through the real API (the demo's runs registered and deployed as churn-predictor-v1) and traffic
/// through <c>/serve</c>, for the Monitoring and A/B Tests journeys.
/// </summary>
internal static class SeedServing
{
    /// <summary>The seed's deployment.</summary>
    public const string Deployment = "churn-predictor-v1";

    /// <summary>Waits for the demo's runs, then registers 1.0.0 (churn-exp-003) and 0.1.0 (churn-exp-001) and deploys 1.0.0 (idempotent).</summary>
    public static async Task DeployAsync(Workbench workbench, HttpClient api)
    {
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(3));
        foreach (var run in new[] { "churn-exp-001", "churn-exp-003" })
        {
            var deadline = DateTime.UtcNow.AddMinutes(10);
            while (true)
            {
                var response = await api.GetAsync($"api/experiments/customer-churn/runs/{run}");
                if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString() == "succeeded")
                {
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"The demo's {run} did not succeed in time.");
                await Task.Delay(500);
            }
        }

        var control = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Seed("model-registration.json"))!;
        control["version"] = JsonSerializer.SerializeToElement("0.1.0");
        control["source_experiment"] = JsonSerializer.SerializeToElement("churn-exp-001");
        control["framework"] = JsonSerializer.SerializeToElement("mlnet");
        foreach (var (path, body) in new[]
        {
            ("api/models", Seed("model-registration.json")),
            ("api/models", JsonSerializer.Serialize(control)),
            ("api/deployments", Seed("deployment.json")),
        })
        {
            var response = await api.PostAsync(path, Json(body));
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>
    /// Scores customer <paramref name="id"/> with inputs spread by id; <paramref name="lapsed"/> moves days_since_last_order
    /// far beyond the reference's range (the drifted batch).
    /// </summary>
    public static async Task<JsonElement> PredictAsync(HttpClient api, int id, bool lapsed = false)
    {
        var body = $$"""
            { "customer_id": {{id}}, "total_orders": {{id % 7 + 1}}, "avg_order_value": {{AvgOrderValue(id)}}, "days_since_last_order": {{DaysSinceLastOrder(id) + (lapsed ? 400 : 0)}},
              "customer_age_days": {{200 + id % 500}}, "total_sessions_90d": {{TotalSessions(id)}}, "product_views_90d": {{id % 25}}, "return_rate": 0.{{id % 9}}, "segment": "Silver" }
            """;
        var response = await api.PostAsync($"serve/{Deployment}/predict", Json(body));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The inputs <see cref="PredictAsync"/> sends, as SQL over an <c>id</c> column (for reference tables).</summary>
    public const string FeaturesSql = "20 + id % 90 + 0.5 AS avg_order_value, CAST(id % 120 AS INTEGER) AS days_since_last_order, CAST(id % 9 AS INTEGER) AS total_sessions_90d";

    /// <summary>Runs one SQL statement as the signed-in user.</summary>
    public static async Task SqlAsync(HttpClient api, string sql)
    {
        var response = await api.PostAsJsonAsync("api/sql", new { sql });
        Assert.True(response.IsSuccessStatusCode, $"{sql}\n{await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A seed document from scripts/seed.</summary>
    public static string Seed(string name) => File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", name));

    /// <summary>A JSON body.</summary>
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string AvgOrderValue(int id) => (20 + id % 90 + 0.5).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    private static int DaysSinceLastOrder(int id) => id % 120;

    private static int TotalSessions(int id) => id % 9;
}
