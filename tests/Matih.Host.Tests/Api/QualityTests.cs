using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary>The seed's Stage 5 through the API on the NovaMart demo: the suite verbatim, its runs, the catalog score, the profile.</summary>
public sealed class QualityTests(DemoHostFixture demo) : IClassFixture<DemoHostFixture>
{
    private const string ChurnFeatures = "analytics.derived.churn_features";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_seed_suite_is_accepted_verbatim_and_reads_back_as_written()
    {
        using var client = await demo.Host.SignedInAsync();
        var seed = SeedDocuments.ChurnSuite.Replace("churn_features_validation", "churn_features_readback", StringComparison.Ordinal);

        var created = await client.PostAsync("api/quality/suites", Json(seed));
        var replaced = await client.PostAsync("api/quality/suites", Json(seed));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(seed, await client.GetStringAsync("api/quality/suites/churn_features_readback"));
        var listed = await client.GetFromJsonAsync<JsonElement>("api/quality/suites?q=churn_features_readback");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), s => s.GetProperty("suite_name").GetString() == "churn_features_readback" && s.GetProperty("expectations").GetInt32() == 7);
    }

    [Fact]
    public async Task A_broken_suite_is_refused_with_every_problem_by_json_path()
    {
        using var client = await demo.Host.SignedInAsync();
        var broken = JsonNode.Parse(SeedDocuments.ChurnSuite)!;
        broken["suite_name"] = "broken suite!";
        broken["expectations"]![0]!["type"] = "expect_table_row_count_to_be_betwen";
        broken["expectations"]![1]!["kwargs"] = new JsonObject();
        broken["expectations"]![5]!["kwargs"]!["mostly"] = 2;

        var response = await client.PostAsync("api/quality/suites", Json(broken.ToJsonString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["$.expectations[0].type", "$.expectations[1].kwargs.column", "$.expectations[5].kwargs.mostly", "$.suite_name"],
            errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Contains("Known types: ", errors.GetProperty("$.expectations[0].type")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("expect_table_row_count_to_be_between", errors.GetProperty("$.expectations[0].type")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_seed_suite_on_the_demo_fails_only_its_row_count_and_says_why()
    {
        using var client = await demo.Host.SignedInAsync();
        await EnsureChurnFeaturesAsync(client);
        (await client.PostAsync("api/quality/suites", Json(SeedDocuments.ChurnSuite))).EnsureSuccessStatusCode();

        var response = await client.PostAsync("api/quality/suites/churn_features_validation/validate", null);

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("failed", run.GetProperty("state").GetString());
        Assert.False(run.GetProperty("success").GetBoolean());
        var statistics = run.GetProperty("statistics");
        Assert.Equal(7, statistics.GetProperty("evaluated_expectations").GetInt32());
        Assert.Equal(6, statistics.GetProperty("successful_expectations").GetInt32());
        Assert.Equal(1, statistics.GetProperty("unsuccessful_expectations").GetInt32());
        var results = run.GetProperty("results").EnumerateArray().ToArray();
        var rowCount = results[0];
        Assert.False(rowCount.GetProperty("success").GetBoolean());
        var rows = rowCount.GetProperty("result").GetProperty("observed_value").GetInt64();
        Assert.InRange(rows, 15_000, 22_000);
        Assert.All(results.Skip(1), r => Assert.True(r.GetProperty("success").GetBoolean(), r.ToString()));
        var unique = results[1].GetProperty("result");
        Assert.Equal(rows, unique.GetProperty("element_count").GetInt64());
        Assert.Equal(0, unique.GetProperty("unexpected_count").GetInt64());
        var text = run.GetProperty("text").GetString()!;
        Assert.Contains("Suite: churn_features_validation\n", text, StringComparison.Ordinal);
        Assert.Contains("Status: FAILED (6/7 expectations met)", text, StringComparison.Ordinal);
        Assert.Contains($"  [FAIL] Row count: {rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} (expected 1.8M - 2.2M)", text, StringComparison.Ordinal);
        Assert.Contains("  [PASS] customer_id uniqueness: 100%", text, StringComparison.Ordinal);
        Assert.Contains("  [PASS] customer_id nulls: 0.0%", text, StringComparison.Ordinal);
        Assert.Matches(@"\[PASS\] days_since_last_order range: all values in \[[\d,]+, [\d,]+\]", text);
        Assert.Contains("  [PASS] segment values: all in expected set", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_are_kept_per_suite_and_set_the_quality_score_in_the_catalog()
    {
        using var client = await demo.Host.SignedInAsync();
        await EnsureChurnFeaturesAsync(client);
        (await client.PostAsync("api/quality/suites", Json(SeedDocuments.ChurnSuite))).EnsureSuccessStatusCode();

        var run = await (await client.PostAsJsonAsync("api/quality/suites/churn_features_validation/validate", new { dataset = ChurnFeatures })).Content.ReadFromJsonAsync<JsonElement>();
        var id = run.GetProperty("runId").GetString();
        var history = (await client.GetFromJsonAsync<JsonElement>("api/quality/suites/churn_features_validation/results")).GetProperty("items");
        var stored = await client.GetFromJsonAsync<JsonElement>($"api/quality/results/{id}");
        var table = await client.GetFromJsonAsync<JsonElement>($"api/catalog/tables/{ChurnFeatures}");

        Assert.Equal(id, history[0].GetProperty("runId").GetString());
        Assert.Equal("failed", history[0].GetProperty("state").GetString());
        Assert.Equal(run.GetProperty("text").GetString(), stored.GetProperty("text").GetString());
        Assert.Equal(6.0 / 7, table.GetProperty("quality_score").GetDouble(), 6);
    }

    [Fact]
    public async Task Validating_an_unknown_suite_or_a_bad_dataset_says_what_is_wrong()
    {
        using var client = await demo.Host.SignedInAsync();
        (await client.PostAsync("api/quality/suites", Json(SeedDocuments.ChurnSuite))).EnsureSuccessStatusCode();

        var unknown = await client.PostAsync("api/quality/suites/no_such_suite/validate", null);
        var badName = await client.PostAsJsonAsync("api/quality/suites/churn_features_validation/validate", new { dataset = "churn_features" });

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("'no_such_suite'", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Contains("three-part", (await badName.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("dataset")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_may_read_suites_but_not_save_or_run_them()
    {
        using var admin = await demo.Host.SignedInAsync();
        (await admin.PostAsJsonAsync("api/users", new { username = "quinn", password = "viewer-password-1", role = "viewer" })).EnsureSuccessStatusCode();
        using var viewer = await demo.Host.SignedInAsync("quinn", "viewer-password-1");

        var save = await viewer.PostAsync("api/quality/suites", Json(SeedDocuments.ChurnSuite));
        var run = await viewer.PostAsync("api/quality/suites/churn_features_validation/validate", null);
        var list = await viewer.GetAsync("api/quality/suites");

        Assert.Equal(HttpStatusCode.Forbidden, save.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, run.StatusCode);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task The_feature_distribution_has_the_seed_figures_buckets_and_label_shares()
    {
        using var client = await demo.Host.SignedInAsync();
        await EnsureChurnFeaturesAsync(client);

        var response = await client.PostAsJsonAsync("api/quality/distribution", new
        {
            table = ChurnFeatures,
            column = "days_since_last_order",
            buckets = "0-30, 31-60, 61-90, 91-180, 181+",
            label = "is_churned",
        });

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var profile = await response.Content.ReadFromJsonAsync<JsonElement>();
        var count = profile.GetProperty("count").GetInt64();
        var buckets = profile.GetProperty("buckets").EnumerateArray().ToArray();
        Assert.Equal(["0-30", "31-60", "61-90", "91-180", "181+"], buckets.Select(b => b.GetProperty("label").GetString()));
        Assert.Equal(count, buckets.Sum(b => b.GetProperty("count").GetInt64()) + profile.GetProperty("outside_buckets").GetInt64());
        Assert.Equal(0, profile.GetProperty("outside_buckets").GetInt64());
        Assert.InRange(profile.GetProperty("median").GetDouble(), profile.GetProperty("min").GetDouble(), profile.GetProperty("max").GetDouble());
        var labels = profile.GetProperty("label_distribution").EnumerateArray().ToArray();
        Assert.Equal(["0", "1"], labels.Select(l => l.GetProperty("value").GetString()));
        Assert.Equal(1.0, labels.Sum(l => l.GetProperty("share").GetDouble()), 9);
        var text = profile.GetProperty("text").GetString()!;
        Assert.StartsWith("Feature: days_since_last_order\n", text, StringComparison.Ordinal);
        Assert.Contains("is_churned distribution:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_distribution_of_a_text_column_is_refused_naming_the_column()
    {
        using var client = await demo.Host.SignedInAsync();
        await EnsureChurnFeaturesAsync(client);

        var response = await client.PostAsJsonAsync("api/quality/distribution", new { table = ChurnFeatures, column = "segment", buckets = "0-30, 31+" });
        var badBuckets = await client.PostAsJsonAsync("api/quality/distribution", new { table = ChurnFeatures, column = "total_orders", buckets = "0-30, thirty+" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("numeric column", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("column")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badBuckets.StatusCode);
        Assert.Contains("'thirty+'", (await badBuckets.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("buckets")[0].GetString(), StringComparison.Ordinal);
    }

    private static async Task EnsureChurnFeaturesAsync(HttpClient client)
    {
        var exists = await client.GetAsync($"api/catalog/tables/{ChurnFeatures}");
        if (exists.IsSuccessStatusCode)
        {
            return;
        }

        var sql = await File.ReadAllTextAsync(Path.Combine(MatihHost.RepositoryRoot, "scripts", "sql", "churn_features.sql"));
        var created = await client.PostAsJsonAsync("api/sql", new { sql = sql.Replace("CREATE TABLE", "CREATE OR REPLACE TABLE", StringComparison.Ordinal) });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
    }
}
