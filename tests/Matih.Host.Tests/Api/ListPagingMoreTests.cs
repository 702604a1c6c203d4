using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary>
/// The one paging scheme on the monitoring, A/B, experiment, quality, script-audit, user and token lists: each answers
/// <c>{items, total, page, pageSize, sort, order}</c>, pages follow each other without gaps or repeats, a page past the
/// end is empty, and a bad pageSize or sort is a 400 naming the parameter. Items are made through the API and found
/// again with <c>q</c> (or <c>user</c>), so the totals are exact on a shared host.
/// </summary>
[Collection(OpenApiHostCollection.Name)]
public sealed class ListPagingMoreTests(OpenApiHostFixture fixture)
{
    private MatihHost Host => fixture.Host;

    [Fact]
    public async Task Users_page_by_username_and_q_matches_the_username()
    {
        using var admin = await Host.SignedInAsync();
        foreach (var name in new[] { "pgusr-c", "pgusr-a", "pgusr-b" })
        {
            (await admin.PostAsJsonAsync("api/users", new { username = name, password = "paging-password-1", role = "viewer" })).EnsureSuccessStatusCode();
        }

        var names = await AssertPagesAsync(admin, "api/users?q=PGUSR-", 3, "username");

        Assert.Equal(["pgusr-a", "pgusr-b", "pgusr-c"], names);
        await AssertBadParametersAsync(admin, "api/users");
    }

    [Fact]
    public async Task Tokens_page_newest_first_and_q_matches_the_token_name()
    {
        using var admin = await Host.SignedInAsync();
        foreach (var name in new[] { "pgtok-1", "pgtok-2", "pgtok-3" })
        {
            (await admin.PostAsJsonAsync("api/tokens", new { name })).EnsureSuccessStatusCode();
        }

        var ids = await AssertPagesAsync(admin, "api/tokens?q=pgtok-", 3, "id");
        var byName = await admin.GetFromJsonAsync<JsonElement>("api/tokens?q=pgtok-&sort=name&order=desc");

        Assert.Equal(3, ids.Distinct().Count());
        Assert.Equal(["pgtok-3", "pgtok-2", "pgtok-1"], Values(byName, "name"));
        Assert.Equal(("created_at", "desc"), await SortOfAsync(admin, "api/tokens"));
        await AssertBadParametersAsync(admin, "api/tokens");
    }

    [Fact]
    public async Task Monitors_page_by_name_and_q_matches_the_name_or_deployment()
    {
        using var admin = await Host.SignedInAsync();
        foreach (var name in new[] { "pg-mon-2", "pg-mon-3", "pg-mon-1" })
        {
            var document = $$"""
                { "monitor_name": "{{name}}", "deployment": "pg-deployment",
                  "monitors": [ { "type": "prediction_drift", "method": "ks_test", "column": "churn_probability", "threshold": 0.05, "window": "7d" } ],
                  "alerts": { "channels": ["slack:#ml-alerts"] } }
                """;
            var saved = await admin.PostAsync("api/monitors", new StringContent(document, Encoding.UTF8, "application/json"));
            Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        }

        var names = await AssertPagesAsync(admin, "api/monitors?q=pg-mon-", 3, "name");
        var byDeployment = await admin.GetFromJsonAsync<JsonElement>("api/monitors?q=pg-deployment");

        Assert.Equal(["pg-mon-1", "pg-mon-2", "pg-mon-3"], names);
        Assert.Equal(3, byDeployment.GetProperty("total").GetInt32());
        await AssertBadParametersAsync(admin, "api/monitors");
    }

    [Fact]
    public async Task Ab_metrics_page_by_name_and_q_matches_the_name()
    {
        using var admin = await Host.SignedInAsync();
        foreach (var name in new[] { "pg_metric_3", "pg_metric_1", "pg_metric_2" })
        {
            (await admin.PostAsJsonAsync("api/abtests/metrics", new { name, kind = "mean", sql = "SELECT 1 AS unit_id, 1.0 AS value" })).EnsureSuccessStatusCode();
        }

        var names = await AssertPagesAsync(admin, "api/abtests/metrics?q=pg_metric_", 3, "name");

        Assert.Equal(["pg_metric_1", "pg_metric_2", "pg_metric_3"], names);
        await AssertBadParametersAsync(admin, "api/abtests/metrics");
    }

    [Fact]
    public async Task Ab_tests_answer_the_page_envelope_newest_first()
    {
        // Starting an A/B test needs two served model versions; the envelope, the default sort and the 400s are this route's part.
        using var admin = await Host.SignedInAsync();

        var none = await admin.GetFromJsonAsync<JsonElement>("api/abtests?q=no-such-test&page=2&pageSize=5");

        Assert.Equal((0, 0, 2, 5), (none.GetProperty("total").GetInt32(), none.GetProperty("items").GetArrayLength(), none.GetProperty("page").GetInt32(),
            none.GetProperty("pageSize").GetInt32()));
        Assert.Equal(("started_at", "desc"), await SortOfAsync(admin, "api/abtests"));
        await AssertBadParametersAsync(admin, "api/abtests");
    }

    [Fact]
    public async Task Experiments_page_newest_first_with_their_run_counts()
    {
        using var admin = await Host.SignedInAsync();
        await SqlAsync(admin, "CREATE OR REPLACE TABLE analytics.main.pg_train AS SELECT range AS id, (range % 7)::DOUBLE AS x1, (range % 3)::DOUBLE AS x2, "
            + "(range % 2)::INTEGER AS label FROM range(200)");
        foreach (var experiment in new[] { "pg-exp-1", "pg-exp-2", "pg-exp-3" })
        {
            var started = await admin.PostAsJsonAsync($"api/experiments/{experiment}/runs", new
            {
                name = "r1",
                trainer = "logistic_regression",
                table = "analytics.main.pg_train",
                label = "label",
                features = new[] { "x1", "x2" },
                split = new { fraction = 0.2, seed = 42 },
            });
            Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        }

        await AssertPagesAsync(admin, "api/experiments?q=pg-exp-", 3, "name");
        var byName = await admin.GetFromJsonAsync<JsonElement>("api/experiments?q=pg-exp-&sort=name");

        Assert.Equal(["pg-exp-1", "pg-exp-2", "pg-exp-3"], Values(byName, "name"));
        Assert.All(byName.GetProperty("items").EnumerateArray(), e => Assert.Equal(1, e.GetProperty("runs").GetInt32()));
        Assert.Equal(("created_at", "desc"), await SortOfAsync(admin, "api/experiments"));
        await AssertBadParametersAsync(admin, "api/experiments");
    }

    [Fact]
    public async Task Quality_suites_and_a_suites_results_page_in_the_database()
    {
        using var admin = await Host.SignedInAsync();
        await SqlAsync(admin, "CREATE OR REPLACE TABLE analytics.main.pg_quality AS SELECT range AS id FROM range(10)");
        foreach (var name in new[] { "pg_suite_2", "pg_suite_1", "pg_suite_3" })
        {
            var suite = $$"""
                { "suite_name": "{{name}}", "dataset": "analytics.main.pg_quality",
                  "expectations": [ { "type": "expect_column_values_to_not_be_null", "kwargs": { "column": "id" } } ] }
                """;
            var saved = await admin.PostAsync("api/quality/suites", new StringContent(suite, Encoding.UTF8, "application/json"));
            Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
        }

        for (var i = 0; i < 3; i++)
        {
            var validated = await admin.PostAsync("api/quality/suites/pg_suite_1/validate", null);
            Assert.True(validated.IsSuccessStatusCode, await validated.Content.ReadAsStringAsync());
        }

        var suites = await AssertPagesAsync(admin, "api/quality/suites?q=pg_suite_", 3, "suite_name");
        var first = await admin.GetFromJsonAsync<JsonElement>("api/quality/suites?q=pg_suite_1");
        var runs = await AssertPagesAsync(admin, "api/quality/suites/pg_suite_1/results", 3, "runId");

        Assert.Equal(["pg_suite_1", "pg_suite_2", "pg_suite_3"], suites);
        Assert.Equal("succeeded", first.GetProperty("items")[0].GetProperty("last_run").GetProperty("state").GetString());
        Assert.Equal(3, runs.Distinct().Count());
        Assert.Equal(("run_at", "desc"), await SortOfAsync(admin, "api/quality/suites/pg_suite_1/results"));
        await AssertBadParametersAsync(admin, "api/quality/suites");
        await AssertBadParametersAsync(admin, "api/quality/suites/pg_suite_1/results");
    }

    [Fact]
    public async Task Script_runs_page_newest_first_for_one_user()
    {
        using var admin = await Host.SignedInAsync();
        (await admin.PostAsJsonAsync("api/users", new { username = "pgscripter", password = "paging-password-1", role = "admin" })).EnsureSuccessStatusCode();
        using var scripter = await Host.SignedInAsync("pgscripter", "paging-password-1");
        for (var i = 1; i <= 3; i++)
        {
            var run = await scripter.PostAsJsonAsync("api/scripts/run", new { code = $"{i} + 1" });
            Assert.True(run.IsSuccessStatusCode, await run.Content.ReadAsStringAsync());
        }

        await AssertPagesAsync(admin, "api/scripts/runs?user=pgscripter", 3, "runId");
        var slowest = await admin.GetFromJsonAsync<JsonElement>("api/scripts/runs?user=pgscripter&sort=elapsed_ms&pageSize=1");

        Assert.Equal(("elapsed_ms", "desc"), (slowest.GetProperty("sort").GetString(), slowest.GetProperty("order").GetString()));
        Assert.Equal(("started_at", "desc"), await SortOfAsync(admin, "api/scripts/runs"));
        await AssertBadParametersAsync(admin, "api/scripts/runs");
    }

    /// <summary>
    /// Reads <paramref name="url"/> two items a page and all at once: the same items in the same order, none twice,
    /// <paramref name="total"/> of them; a page past the end is empty with the total. Returns <paramref name="key"/> of each.
    /// </summary>
    private static async Task<IReadOnlyList<string>> AssertPagesAsync(HttpClient client, string url, int total, string key)
    {
        var separator = url.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var paged = new List<string>();
        for (var page = 1; page <= (total + 1) / 2; page++)
        {
            var body = await client.GetFromJsonAsync<JsonElement>($"{url}{separator}page={page}&pageSize=2");
            Assert.Equal(total, body.GetProperty("total").GetInt32());
            Assert.Equal((page, 2), (body.GetProperty("page").GetInt32(), body.GetProperty("pageSize").GetInt32()));
            paged.AddRange(Values(body, key));
        }

        var whole = Values(await client.GetFromJsonAsync<JsonElement>($"{url}{separator}pageSize={total}"), key);
        var beyond = await client.GetFromJsonAsync<JsonElement>($"{url}{separator}page=50&pageSize=2");

        Assert.Equal(whole, paged);
        Assert.Equal(total, paged.Distinct().Count());
        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
        Assert.Equal(total, beyond.GetProperty("total").GetInt32());
        return paged;
    }

    private static async Task AssertBadParametersAsync(HttpClient client, string url)
    {
        foreach (var (query, parameter) in new[] { ("pageSize=0", "pageSize"), ("pageSize=501", "pageSize"), ("sort=colour", "sort") })
        {
            var response = await client.GetAsync($"{url}?{query}");
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}?{query}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(parameter, out _), body);
        }
    }

    private static async Task<(string?, string?)> SortOfAsync(HttpClient client, string url)
    {
        var page = await client.GetFromJsonAsync<JsonElement>($"{url}?pageSize=1");
        return (page.GetProperty("sort").GetString(), page.GetProperty("order").GetString());
    }

    private static async Task SqlAsync(HttpClient client, string sql)
    {
        var response = await client.PostAsJsonAsync("api/sql", new { sql });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string[] Values(JsonElement page, string key) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty(key).ToString()).ToArray();
}
