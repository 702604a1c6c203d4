using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary>The seed's Ray Serve deployment through the API: deploy, limit, update under load, undeploy, restart.</summary>
[Collection(ServeHostCollection.Name)]
public sealed class DeploymentApiTests(ServeHostFixture fixture)
{
    private MatihHost Host => fixture.Host;

    [Fact]
    public async Task The_seed_deployment_posted_verbatim_serves_two_replicas_and_reports_its_settings()
    {
        using var client = await Host.SignedInAsync();
        (await client.PostAsync("api/models", ServeHostFixture.Json(ServeHostFixture.Seed("model-registration.json")))).EnsureSuccessStatusCode();

        var response = await client.PostAsync("api/deployments", ServeHostFixture.Json(ServeHostFixture.Seed("deployment.json")));

        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var deployment = await client.GetFromJsonAsync<JsonElement>("api/deployments/churn-predictor-v1");
        Assert.Equal(("running", "customer-churn-predictor", "1.0.0", "ray_serve", "mlnet"),
            (Text(deployment, "status"), Text(deployment, "model_name"), Text(deployment, "model_version"), Text(deployment, "runtime"), Text(deployment, "served_by")));
        Assert.Equal(2, deployment.GetProperty("replicas").GetInt32());
        var settings = deployment.GetProperty("settings");
        Assert.Equal((100, 2, 6), (settings.GetProperty("max_concurrent_queries").GetInt32(), settings.GetProperty("min_replicas").GetInt32(), settings.GetProperty("max_replicas").GetInt32()));
        Assert.Equal(1, deployment.GetProperty("document").GetProperty("config").GetProperty("ray_actor_options").GetProperty("num_cpus").GetInt32());
        foreach (var figure in new[] { "requests", "requests_per_second", "error_rate", "rejected", "log_dropped" })
        {
            Assert.True(deployment.GetProperty("stats").TryGetProperty(figure, out _), figure);
        }

        var listed = await client.GetFromJsonAsync<JsonElement>("api/deployments");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), d => Text(d, "name") == "churn-predictor-v1");
    }

    [Fact]
    public async Task Deployments_page_by_name_filter_by_q_and_a_bad_parameter_is_a_400_naming_it()
    {
        using var client = await Host.SignedInAsync();
        (await ServeHostFixture.RegisterAsync(client, "paging-dep", "1.0.0")).EnsureSuccessStatusCode();
        foreach (var name in new[] { "paging-dep-c", "paging-dep-a", "paging-dep-b" })
        {
            Assert.Equal(HttpStatusCode.Created, (await ServeHostFixture.DeployAsync(client, name, "paging-dep/1.0.0")).StatusCode);
        }

        var first = await client.GetFromJsonAsync<JsonElement>("api/deployments?q=PAGING-DEP-&pageSize=2");
        var second = await client.GetFromJsonAsync<JsonElement>("api/deployments?q=paging-dep-&pageSize=2&page=2");
        var descending = await client.GetFromJsonAsync<JsonElement>("api/deployments?q=paging-dep-&order=desc");
        var beyond = await client.GetFromJsonAsync<JsonElement>("api/deployments?q=paging-dep-&pageSize=2&page=3");
        var badSort = await client.GetAsync("api/deployments?sort=latency");
        var badSize = await client.GetAsync("api/deployments?pageSize=501");

        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(["paging-dep-a", "paging-dep-b"], first.GetProperty("items").EnumerateArray().Select(d => Text(d, "name")));
        Assert.Equal(["paging-dep-c"], second.GetProperty("items").EnumerateArray().Select(d => Text(d, "name")));
        Assert.Equal(["paging-dep-c", "paging-dep-b", "paging-dep-a"], descending.GetProperty("items").EnumerateArray().Select(d => Text(d, "name")));
        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, badSort.StatusCode);
        Assert.True((await badSort.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("sort", out _));
        Assert.True((await badSize.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("pageSize", out _));
        foreach (var name in new[] { "paging-dep-a", "paging-dep-b", "paging-dep-c" })
        {
            (await client.DeleteAsync($"api/deployments/{name}")).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task Over_the_concurrency_limit_requests_get_503_with_retry_after_at_once_and_the_rest_succeed()
    {
        using var client = await Host.SignedInAsync();
        (await ServeHostFixture.RegisterAsync(client, "limited-api", "1.0.0")).EnsureSuccessStatusCode();
        var deployed = await ServeHostFixture.DeployAsync(client, "limited-api", "limited-api/1.0.0", d => d["config"]!["max_concurrent_queries"] = 2);
        Assert.Equal(HttpStatusCode.Created, deployed.StatusCode);
        var request = JsonNode.Parse(ServeHostFixture.Seed("churn-predict-request.json"))!;
        var batch = new JsonObject { ["instances"] = new JsonArray(Enumerable.Range(0, 1000).Select(_ => request.DeepClone()).ToArray()) }.ToJsonString();

        var statuses = new ConcurrentBag<(HttpStatusCode Status, string? RetryAfter, string? Type, TimeSpan Took)>();
        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 6; i++)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var response = await client.PostAsync("serve/limited-api/predict", ServeHostFixture.Json(batch));
                statuses.Add((response.StatusCode, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(), response.Content.Headers.ContentType?.MediaType, clock.Elapsed));
            }
        })));

        Assert.All(statuses, s => Assert.True(s.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, s.Status.ToString()));
        var refused = statuses.Where(s => s.Status == HttpStatusCode.ServiceUnavailable).ToArray();
        Assert.NotEmpty(refused);
        Assert.Contains(statuses, s => s.Status == HttpStatusCode.OK);
        Assert.All(refused, s => Assert.Equal(("1", "application/problem+json"), (s.RetryAfter, s.Type)));
        var stats = (await client.GetFromJsonAsync<JsonElement>("api/deployments/limited-api")).GetProperty("stats");
        Assert.Equal(refused.Length, stats.GetProperty("rejected").GetInt64());
    }

    [Fact]
    public async Task Updating_to_a_new_version_while_a_client_hammers_the_deployment_fails_no_request()
    {
        using var client = await Host.SignedInAsync();
        (await ServeHostFixture.RegisterAsync(client, "rolling", "1.0.0")).EnsureSuccessStatusCode();
        (await ServeHostFixture.RegisterAsync(client, "rolling", "1.1.0", run: "churn-exp-001", framework: "mlnet")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await ServeHostFixture.DeployAsync(client, "rolling", "rolling/1.0.0")).StatusCode);
        var body = ServeHostFixture.Seed("churn-predict-request.json");

        using var stop = new CancellationTokenSource();
        var answers = new ConcurrentBag<(HttpStatusCode Status, string? Version, bool AfterUpdate)>();
        var updated = 0;
        var hammer = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var after = Volatile.Read(ref updated) == 1;
                var response = await client.PostAsync("serve/rolling/predict", ServeHostFixture.Json(body));
                var version = response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("model_version").GetString() : null;
                answers.Add((response.StatusCode, version, after));
            }
        })).ToArray();

        await Task.Delay(500);
        var update = await client.PostAsJsonAsync("api/deployments/rolling/update", new { model_ref = "rolling/1.1.0" });
        Volatile.Write(ref updated, 1);
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(hammer);

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal("1.1.0", Text(await update.Content.ReadFromJsonAsync<JsonElement>(), "model_version"));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Contains(answers, a => a.Version == "1.0.0");
        Assert.Contains(answers, a => a.Version == "1.1.0");
        Assert.All(answers.Where(a => a.AfterUpdate), a => Assert.Equal("1.1.0", a.Version));
        Assert.True(answers.Count > 20, $"only {answers.Count} requests were sent");
    }

    [Fact]
    public async Task Undeploying_answers_204_then_the_endpoint_is_gone_and_changing_deployments_needs_the_analyst_role()
    {
        using var client = await Host.SignedInAsync();
        using var viewer = await Host.SignedInAsync(ServeHostFixture.ViewerName, ServeHostFixture.ViewerPassword);
        (await ServeHostFixture.RegisterAsync(client, "short-lived", "1.0.0")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Forbidden, (await ServeHostFixture.DeployAsync(viewer, "short-lived", "short-lived/1.0.0")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await ServeHostFixture.DeployAsync(client, "short-lived", "short-lived/1.0.0")).StatusCode);

        var byViewer = await viewer.DeleteAsync("api/deployments/short-lived");
        var removed = await client.DeleteAsync("api/deployments/short-lived");
        var again = await client.DeleteAsync("api/deployments/short-lived");
        var predict = await client.PostAsync("serve/short-lived/predict", ServeHostFixture.Json(ServeHostFixture.Seed("churn-predict-request.json")));

        Assert.Equal(HttpStatusCode.Forbidden, byViewer.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, predict.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("api/deployments/short-lived")).StatusCode);
    }

    [Fact]
    public async Task A_bad_deployment_document_is_a_problem_naming_each_json_path()
    {
        using var client = await Host.SignedInAsync();

        var response = await ServeHostFixture.DeployAsync(client, "bad one", "nobody/1.0.0", d =>
        {
            d["config"]!["max_concurrent_queries"] = 0;
            d["config"]!["autoscaling_config"]!["target_num_ongoing_requests_per_replica"] = "ten";
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["config.autoscaling_config.target_num_ongoing_requests_per_replica", "config.max_concurrent_queries", "deployment_name"],
            errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Deployments_are_loaded_again_after_a_restart_and_the_last_predictions_are_flushed_to_the_log()
    {
        string requestId;
        using (var client = await Host.SignedInAsync())
        {
            await fixture.EnsureSeedDeployedAsync(client);
            var last = await client.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(ServeHostFixture.Seed("churn-predict-request.json")));
            requestId = last.Headers.GetValues("X-Request-Id").Single();
        }

        // Ctrl-C right after the prediction, within the log's 500 ms batching window.
        await fixture.RestartAsync();

        using var restarted = await Host.SignedInAsync();
        var deployment = await restarted.GetFromJsonAsync<JsonElement>("api/deployments/churn-predictor-v1");
        Assert.Equal(("running", "1.0.0"), (Text(deployment, "status"), Text(deployment, "model_version")));
        Assert.Equal("restored", Text(deployment.GetProperty("events")[0], "kind"));
        var predicted = await restarted.PostAsync("serve/churn-predictor-v1/predict", ServeHostFixture.Json(ServeHostFixture.Seed("churn-predict-request.json")));
        Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);
        var logged = await restarted.PostAsJsonAsync("api/sql", new { sql = $"SELECT count(*) FROM analytics.monitoring.prediction_log WHERE request_id = '{requestId}'" });
        Assert.Equal(1, (await logged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0][0].GetInt64());
    }

    private static string Text(JsonElement element, string name) => element.GetProperty(name).GetString()!;
}
