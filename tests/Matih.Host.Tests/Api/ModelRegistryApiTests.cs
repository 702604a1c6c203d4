using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary>The seed's Stage 6 model registration through the API, after a real run named churn-exp-003 on the demo.</summary>
[Collection(ServeHostCollection.Name)]
public sealed class ModelRegistryApiTests(ServeHostFixture fixture)
{
    private MatihHost Host => fixture.Host;

    [Fact]
    public async Task The_seed_registration_posted_verbatim_registers_version_1_0_0_with_its_lineage()
    {
        using var client = await Host.SignedInAsync();

        var response = await client.PostAsync("api/models", ServeHostFixture.Json(ServeHostFixture.Seed("model-registration.json")));

        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("customer-churn-predictor", "1.0.0", "churn-exp-003", "lightgbm"),
            (Text(body, "model_name"), Text(body, "version"), Text(body, "source_experiment"), Text(body, "framework")));
        Assert.Equal(0.871, body.GetProperty("metrics").GetProperty("auc").GetDouble());
        var run = await client.GetFromJsonAsync<JsonElement>($"api/experiments/{ServeHostFixture.Experiment}/runs/churn-exp-003");
        Assert.Equal(run.GetProperty("metrics").GetProperty("auc").GetDouble(), body.GetProperty("run_metrics").GetProperty("auc").GetDouble());
        Assert.Equal("string", body.GetProperty("input_schema").GetProperty("segment").GetString());
        Assert.Equal("priya@novamart.com", body.GetProperty("tags").GetProperty("owner").GetString());
        // The demo trains without days_since_last_order (its label is computed from it); the seed declares it: a warning, not a refusal.
        Assert.Contains(body.GetProperty("warnings").EnumerateArray(), w => Text(w, "path") == "input_schema.days_since_last_order");
        var artifact = body.GetProperty("artifact");
        Assert.Equal(Path.Combine(Host.DataDirectory, "artifacts", "models", "customer-churn-predictor", "1.0.0", "model.zip"), Text(artifact, "path"));
        Assert.Equal(64, Text(artifact, "sha256").Length);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            Assert.Equal("/api/models/customer-churn-predictor/versions/1.0.0", response.Headers.Location!.ToString());
        }

        var version = await client.GetFromJsonAsync<JsonElement>("api/models/customer-churn-predictor/versions/1.0.0");
        var lineage = version.GetProperty("lineage");
        Assert.Equal("churn-exp-003", lineage.GetProperty("run").GetProperty("name").GetString());
        Assert.Equal(ServeHostFixture.ChurnFeatures, Text(lineage, "feature_table"));
        var upstream = lineage.GetProperty("upstream").GetProperty("nodes").EnumerateArray().Select(n => Text(n, "id")).ToArray();
        Assert.Contains("postgresql.novamart.customers", upstream);
        Assert.Contains("snowflake.analytics.clickstream", upstream);
        var models = await client.GetFromJsonAsync<JsonElement>("api/models");
        Assert.Contains(models.GetProperty("items").EnumerateArray(), m => Text(m, "name") == "customer-churn-predictor");
        var versions = await client.GetFromJsonAsync<JsonElement>("api/models/customer-churn-predictor/versions");
        Assert.Contains(versions.GetProperty("items").EnumerateArray(), v => Text(v, "version") == "1.0.0");
    }

    [Fact]
    public async Task Versions_are_immutable_the_same_document_again_is_200_and_a_changed_one_409()
    {
        using var client = await Host.SignedInAsync();

        var first = await ServeHostFixture.RegisterAsync(client, "immutable-api", "1.0.0");
        var again = await ServeHostFixture.RegisterAsync(client, "immutable-api", "1.0.0");
        var changed = await ServeHostFixture.RegisterAsync(client, "immutable-api", "1.0.0", run: "churn-exp-001", framework: "mlnet");

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("created").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.Contains("different source_experiment, framework", await changed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registration_at_odds_with_its_run_is_a_problem_naming_each_field()
    {
        using var client = await Host.SignedInAsync();
        var document = System.Text.Json.Nodes.JsonNode.Parse(ServeHostFixture.Seed("model-registration.json"))!.AsObject();
        document["model_name"] = "at-odds";
        document["framework"] = "pytorch";
        document["input_schema"]!["segment"] = "float";
        document["input_schema"]!.AsObject().Remove("return_rate");

        var response = await client.PostAsync("api/models", ServeHostFixture.Json(document.ToJsonString()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["framework", "input_schema", "input_schema.segment"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Moving_a_version_to_production_archives_the_previous_one_and_needs_the_analyst_role()
    {
        using var client = await Host.SignedInAsync();
        using var viewer = await Host.SignedInAsync(ServeHostFixture.ViewerName, ServeHostFixture.ViewerPassword);
        using var anonymous = Host.Anonymous();
        (await ServeHostFixture.RegisterAsync(client, "staged-api", "1.0.0")).EnsureSuccessStatusCode();
        (await ServeHostFixture.RegisterAsync(client, "staged-api", "1.1.0", run: "churn-exp-001", framework: "mlnet")).EnsureSuccessStatusCode();

        var first = await client.PostAsJsonAsync("api/models/staged-api/versions/1.0.0/stage", new { stage = "production" });
        var second = await client.PostAsJsonAsync("api/models/staged-api/versions/1.1.0/stage", new { stage = "production" });
        var byViewer = await viewer.PostAsJsonAsync("api/models/staged-api/versions/1.0.0/stage", new { stage = "production" });
        var registerByViewer = await ServeHostFixture.RegisterAsync(viewer, "viewer-model", "1.0.0");
        var registerAnonymously = await ServeHostFixture.RegisterAsync(anonymous, "anonymous-model", "1.0.0");
        var badStage = await client.PostAsJsonAsync("api/models/staged-api/versions/1.0.0/stage", new { stage = "live" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var promoted = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("production", "1.0.0"), (Text(promoted, "stage"), promoted.GetProperty("archived_versions")[0].GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, byViewer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, registerByViewer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, registerAnonymously.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badStage.StatusCode);
        var versions = await viewer.GetFromJsonAsync<JsonElement>("api/models/staged-api/versions");
        Assert.Equal([("1.1.0", "production"), ("1.0.0", "archived")], versions.GetProperty("items").EnumerateArray().Select(v => (Text(v, "version"), Text(v, "stage"))));
        var history = await viewer.GetFromJsonAsync<JsonElement>("api/models/staged-api/history");
        Assert.Equal(3, history.GetArrayLength());
    }

    [Fact]
    public async Task Models_and_their_versions_page_in_a_stable_order_and_a_bad_parameter_is_a_400_naming_it()
    {
        using var client = await Host.SignedInAsync();
        (await ServeHostFixture.RegisterAsync(client, "paging-m-b", "1.0.0")).EnsureSuccessStatusCode();
        (await ServeHostFixture.RegisterAsync(client, "paging-m-a", "1.0.0")).EnsureSuccessStatusCode();
        (await ServeHostFixture.RegisterAsync(client, "paging-m-a", "1.1.0", run: "churn-exp-001", framework: "mlnet")).EnsureSuccessStatusCode();
        (await ServeHostFixture.RegisterAsync(client, "paging-m-a", "1.2.0")).EnsureSuccessStatusCode();

        var firstModel = await client.GetFromJsonAsync<JsonElement>("api/models?q=PAGING-M&pageSize=1");
        var secondModel = await client.GetFromJsonAsync<JsonElement>("api/models?q=paging-m&pageSize=1&page=2");
        var pastModels = await client.GetFromJsonAsync<JsonElement>("api/models?q=paging-m&pageSize=1&page=3");
        var newest = await client.GetFromJsonAsync<JsonElement>("api/models/paging-m-a/versions?pageSize=2");
        var oldest = await client.GetFromJsonAsync<JsonElement>("api/models/paging-m-a/versions?pageSize=2&page=2");
        var pastVersions = await client.GetFromJsonAsync<JsonElement>("api/models/paging-m-a/versions?pageSize=2&page=3");
        var badSort = await client.GetAsync("api/models?sort=colour");
        var badSize = await client.GetAsync("api/models/paging-m-a/versions?pageSize=0");
        var unknown = await client.GetAsync("api/models/no-such-model/versions");

        Assert.Equal(2, firstModel.GetProperty("total").GetInt32());
        Assert.Equal("paging-m-a", Text(firstModel.GetProperty("items")[0], "name"));
        Assert.Equal(3, firstModel.GetProperty("items")[0].GetProperty("versions").GetInt32());
        Assert.Equal("paging-m-b", Text(secondModel.GetProperty("items")[0], "name"));
        Assert.Equal(0, pastModels.GetProperty("items").GetArrayLength());
        Assert.Equal(3, newest.GetProperty("total").GetInt32());
        Assert.Equal(["1.2.0", "1.1.0"], newest.GetProperty("items").EnumerateArray().Select(v => Text(v, "version")));
        Assert.Equal(["1.0.0"], oldest.GetProperty("items").EnumerateArray().Select(v => Text(v, "version")));
        Assert.Equal(0, pastVersions.GetProperty("items").GetArrayLength());
        Assert.True((await badSort.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("sort", out _));
        Assert.Equal(HttpStatusCode.BadRequest, badSize.StatusCode);
        Assert.True((await badSize.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("pageSize", out _));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static string Text(JsonElement element, string name) => element.GetProperty(name).GetString()!;
}
