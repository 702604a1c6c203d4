using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Testing;

namespace Matih.Host.Tests.ServerMode;

/// <summary>
/// Server mode's deployments: two host processes on one real PostgreSQL and one data directory. A model deployed,
/// updated or removed through host A is served, followed or stopped on host B without a restart.
/// </summary>
public sealed class DeploymentsAcrossHostsTests
{
    private const string Experiment = "across-hosts";
    private const string Model = "across-hosts-model";
    private const string Deployment = "across-hosts";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_model_deployed_updated_and_undeployed_through_one_host_is_served_followed_and_stopped_by_the_other()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var shared = Directory.CreateTempSubdirectory("matih-server-").FullName;
        try
        {
            await using var a = await MatihHost.StartAsync(dataDirectory: shared, extraArgs: MatihHost.ServerModeArgs(postgres.ConnectionString()));
            // B only serves: the training runs queued below run on A's workers.
            await using var b = await MatihHost.StartAsync(dataDirectory: shared,
                extraArgs: [.. MatihHost.ServerModeArgs(postgres.ConnectionString()), "--job-workers", "0"]);
            using var adminA = await a.SignedInAsync();
            using var adminB = await b.SignedInAsync();
            await TrainAsync(adminA, "across-hosts-1", seed: 1);
            await TrainAsync(adminA, "across-hosts-2", seed: 2);
            await RegisterAsync(adminA, "1.0.0", "across-hosts-1");
            await RegisterAsync(adminA, "1.1.0", "across-hosts-2");
            Assert.Equal(HttpStatusCode.NotFound, (await PredictAsync(adminB)).StatusCode);

            var deployment = JsonNode.Parse(File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", "deployment.json")))!.AsObject();
            deployment["deployment_name"] = Deployment;
            deployment["model_ref"] = $"{Model}/1.0.0";
            deployment["config"]!["num_replicas"] = 1;
            deployment["config"]!["autoscaling_config"]!["min_replicas"] = 1;
            deployment["config"]!["autoscaling_config"]!["max_replicas"] = 2;
            var deployed = await adminA.PostAsync("api/deployments", Json(deployment.ToJsonString()));
            Assert.True(deployed.StatusCode == HttpStatusCode.Created, await deployed.Content.ReadAsStringAsync());

            // Deployed through A: B answers /serve with it, and lists it.
            var first = await UntilAsync(adminB, "B serving the deployment made on A", r => r.Status == HttpStatusCode.OK);
            Assert.Equal("1.0.0", first.Body.GetProperty("model_version").GetString());
            var onB = await adminB.GetFromJsonAsync<JsonElement>($"api/deployments/{Deployment}");
            Assert.Equal(("running", "1.0.0"), (onB.GetProperty("status").GetString(), onB.GetProperty("model_version").GetString()));

            // A new version through A: B swaps it in.
            var updated = await adminA.PostAsync($"api/deployments/{Deployment}/update", Json($$"""{"model_ref": "{{Model}}/1.1.0"}"""));
            Assert.True(updated.IsSuccessStatusCode, await updated.Content.ReadAsStringAsync());
            await UntilAsync(adminB, "B serving the version A updated to", r => r.Status == HttpStatusCode.OK && r.Body.GetProperty("model_version").GetString() == "1.1.0");
            var health = await adminB.GetFromJsonAsync<JsonElement>($"serve/{Deployment}/health");
            Assert.Equal("1.1.0", health.GetProperty("model_version").GetString());

            // Undeployed through A: B answers 404.
            Assert.True((await adminA.DeleteAsync($"api/deployments/{Deployment}")).IsSuccessStatusCode);
            var gone = await UntilAsync(adminB, "B no longer serving what A removed", r => r.Status == HttpStatusCode.NotFound);
            Assert.Contains($"No deployment is named '{Deployment}'", gone.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await adminB.GetAsync($"api/deployments/{Deployment}")).StatusCode);
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    private static async Task TrainAsync(HttpClient client, string name, int seed)
    {
        var table = await client.PostAsJsonAsync("api/sql", new
        {
            sql = "CREATE OR REPLACE TABLE analytics.main.across_hosts AS SELECT range AS id, (range % 7)::DOUBLE AS x1, (range % 3)::DOUBLE AS x2, "
                + "((range % 7) + (range % 3) > 4)::INTEGER AS label FROM range(300)",
        });
        Assert.True(table.IsSuccessStatusCode, await table.Content.ReadAsStringAsync());
        var started = await client.PostAsJsonAsync($"api/experiments/{Experiment}/runs", new
        {
            name,
            trainer = "logistic_regression",
            table = "analytics.main.across_hosts",
            label = "label",
            features = new[] { "x1", "x2" },
            split = new { fraction = 0.2, seed },
        });
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var run = await client.GetFromJsonAsync<JsonElement>($"api/experiments/{Experiment}/runs/{name}");
            var state = run.GetProperty("state").GetString();
            if (state is not ("queued" or "running"))
            {
                Assert.True(state == "succeeded", run.ToString());
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Run {name} did not finish in time: {run}");
            await Task.Delay(250);
        }
    }

    private static async Task RegisterAsync(HttpClient client, string version, string run)
    {
        var registered = await client.PostAsync("api/models", Json($$"""
            { "model_name": "{{Model}}", "version": "{{version}}", "source_experiment": "{{run}}", "framework": "mlnet",
              "input_schema": { "x1": "float", "x2": "float" } }
            """));
        Assert.True(registered.StatusCode == HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
    }

    private static async Task<HttpResponseMessage> PredictAsync(HttpClient client) =>
        await client.PostAsync($"serve/{Deployment}/predict", Json("""{"x1": 5.0, "x2": 2.0}"""));

    /// <summary>Predicts on <paramref name="client"/>'s host until <paramref name="done"/> holds; fails naming <paramref name="what"/> after a minute.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Body)> UntilAsync(HttpClient client, string what, Func<(HttpStatusCode Status, JsonElement Body), bool> done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var response = await PredictAsync(client);
            var text = await response.Content.ReadAsStringAsync();
            var answer = (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
            if (done(answer))
            {
                return answer;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}; the last answer was {(int)response.StatusCode}: {text}");
            await Task.Delay(100);
        }
    }
}
