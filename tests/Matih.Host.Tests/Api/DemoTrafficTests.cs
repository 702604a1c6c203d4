using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matih.Host.Tests.Api;

/// <summary>The demo's replay of two weeks of traffic, the second drifted: the seed's Stage 7 monitor as written.</summary>
public sealed class DemoTrafficTests(DemoHostFixture demo) : IClassFixture<DemoHostFixture>
{
    [Fact]
    public async Task A_replay_sets_up_the_seed_monitor_and_its_dashboard_shows_a_quiet_week_then_a_drifted_one()
    {
        using var client = await demo.Host.SignedInAsync();
        await WaitForDemoRunsAsync(client);

        var response = await client.PostAsJsonAsync("api/demo/traffic", new { per_day = 400 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var replay = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(14 * 400, replay.GetProperty("predictions").GetInt64());
        var prepared = replay.GetProperty("prepared").EnumerateArray().Select(p => p.GetString()!).ToArray();
        Assert.Contains("registered customer-churn-predictor/1.0.0 from churn-exp-003", prepared);
        Assert.Contains("deployed churn-predictor-v1 (the seed's document)", prepared);
        Assert.Contains("saved monitor churn-predictor-drift (the seed's document)", prepared);

        // The evaluation over the seed's 7-day window sees only the drifted week.
        var results = replay.GetProperty("evaluation").GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal("alert", Status(results, "psi", "total_sessions_90d"));
        Assert.Equal("alert", Status(results, "psi", "days_since_last_order"));
        Assert.Equal("ok", Status(results, "psi", "avg_order_value"));
        Assert.Equal("alert", Status(results, "ks_test", "churn_probability"));

        var report = await client.GetFromJsonAsync<JsonElement>("api/monitors/churn-predictor-drift/report");
        Assert.Equal(14 * 400, report.GetProperty("traffic").GetProperty("volume").GetInt64());
        var days = report.GetProperty("daily").EnumerateArray()
            .Where(d => d.GetProperty("traffic").GetProperty("volume").GetInt64() > 0)
            .Select(d => d.GetProperty("drift").GetProperty("total_sessions_90d").GetDouble())
            .ToArray();
        Assert.True(days.First() < 0.1, $"The first replayed day should be quiet, PSI {days.First():F3}");
        Assert.True(days.Last() > 0.1, $"The last replayed day should drift, PSI {days.Last():F3}");
        Assert.Contains("[ALERT]", report.GetProperty("text").GetString(), StringComparison.Ordinal);

        // Set up once: a second replay only adds traffic.
        var again = await client.PostAsJsonAsync("api/demo/traffic", new { days = 1, drifted_days = 0, per_day = 50 });
        var second = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(50, second.GetProperty("predictions").GetInt64());
        Assert.Empty(second.GetProperty("prepared").EnumerateArray());
    }

    [Fact]
    public async Task A_replay_with_impossible_options_is_refused_naming_the_field()
    {
        using var client = await demo.Host.SignedInAsync();

        var response = await client.PostAsJsonAsync("api/demo/traffic", new { days = 7, drifted_days = 8 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("between 0 and days (7)", problem.GetProperty("errors").GetProperty("drifted_days")[0].GetString(), StringComparison.Ordinal);
    }

    private static string? Status(JsonElement[] results, string method, string subject) =>
        results.Single(r => r.GetProperty("method").GetString() == method && r.GetProperty("subject").GetString() == subject).GetProperty("status").GetString();

    private static async Task WaitForDemoRunsAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        foreach (var run in new[] { "churn-exp-001", "churn-exp-003" })
        {
            while (true)
            {
                // The demo queues its runs once its data is loaded: a run may not exist yet.
                var response = await client.GetAsync($"api/experiments/customer-churn/runs/{run}");
                var state = response.StatusCode == HttpStatusCode.NotFound
                    ? "queued"
                    : (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString();
                if (state == "succeeded")
                {
                    break;
                }

                Assert.True(state is "queued" or "running" && DateTime.UtcNow < deadline, $"Demo run {run} is {state}.");
                await Task.Delay(500);
            }
        }
    }
}
