using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary>The registry, deployment and serving tests share one demo host (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class ServeHostCollection : ICollectionFixture<ServeHostFixture>
{
    public const string Name = "Serving host";
}

/// <summary>
/// A host with the NovaMart demo and its Stage 6 runs of experiment customer-churn (trained at start as background
/// jobs): churn-exp-003 (LightGBM, the run the seed's registration names) and churn-exp-001 (logistic regression), on
/// analytics.demo.churn_features. A viewer user; can restart the host on the same data directory.
/// </summary>
public sealed class ServeHostFixture : IAsyncLifetime
{
    public static readonly string ChurnFeatures = Matih.Core.Demo.DemoExperiments.Table.ToString();
    public const string Experiment = Matih.Core.Demo.DemoExperiments.Experiment;
    public const string ViewerName = "vera";
    public const string ViewerPassword = "viewer-password-1";

    private readonly List<MatihHost> _stopped = [];

    public MatihHost Host { get; private set; } = null!;

    /// <summary>A seed document from scripts/seed/, as text.</summary>
    public static string Seed(string name) => File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", name));

    /// <summary>A JSON body sent exactly as given.</summary>
    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    public async Task InitializeAsync()
    {
        Host = await MatihHost.StartAsync(demo: true);
        await Host.WaitForDemoAsync(TimeSpan.FromMinutes(3));
        using var admin = await Host.SignedInAsync();
        (await admin.PostAsJsonAsync("api/users", new { username = ViewerName, password = ViewerPassword, role = "viewer" })).EnsureSuccessStatusCode();
        await WaitForRunAsync(admin, "churn-exp-003");
        await WaitForRunAsync(admin, "churn-exp-001");
    }
    /// <summary>Registers the seed's model and deploys the seed's deployment (idempotent: both answer 200 when already done).</summary>
    public async Task EnsureSeedDeployedAsync(HttpClient client)
    {
        var registered = await client.PostAsync("api/models", Json(Seed("model-registration.json")));
        Assert.True(registered.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await registered.Content.ReadAsStringAsync());
        var deployed = await client.PostAsync("api/deployments", Json(Seed("deployment.json")));
        Assert.True(deployed.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await deployed.Content.ReadAsStringAsync());
    }

    /// <summary>Registers the seed's model under another name and version, from another run if asked.</summary>
    public static async Task<HttpResponseMessage> RegisterAsync(HttpClient client, string model, string version, string run = "churn-exp-003", string framework = "lightgbm")
    {
        var document = System.Text.Json.Nodes.JsonNode.Parse(Seed("model-registration.json"))!.AsObject();
        document["model_name"] = model;
        document["version"] = version;
        document["source_experiment"] = run;
        document["framework"] = framework;
        return await client.PostAsync("api/models", Json(document.ToJsonString()));
    }

    /// <summary>Deploys the seed's deployment document under another name for <paramref name="modelRef"/>.</summary>
    public static async Task<HttpResponseMessage> DeployAsync(HttpClient client, string name, string modelRef, Action<System.Text.Json.Nodes.JsonObject>? change = null)
    {
        var document = System.Text.Json.Nodes.JsonNode.Parse(Seed("deployment.json"))!.AsObject();
        document["deployment_name"] = name;
        document["model_ref"] = modelRef;
        change?.Invoke(document);
        return await client.PostAsync("api/deployments", Json(document.ToJsonString()));
    }

    /// <summary>Stops the host with Ctrl-C and starts a new one on the same data directory.</summary>
    public async Task RestartAsync()
    {
        Assert.Equal(0, await Host.InterruptAsync(TimeSpan.FromSeconds(60)));
        _stopped.Add(Host);
        Host = await MatihHost.StartAsync(demo: true, dataDirectory: Host.DataDirectory);
        await Host.WaitForDemoAsync(TimeSpan.FromMinutes(3));
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        // The first host owns (and deletes) the data directory; it goes last.
        foreach (var stopped in Enumerable.Reverse(_stopped))
        {
            await stopped.DisposeAsync();
        }
    }

    private static async Task WaitForRunAsync(HttpClient client, string name)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            var response = await client.GetAsync($"api/experiments/{Experiment}/runs/{name}");
            if (response.IsSuccessStatusCode)
            {
                var run = await response.Content.ReadFromJsonAsync<JsonElement>();
                var state = run.GetProperty("state").GetString();
                if (state is not ("queued" or "running"))
                {
                    Assert.True(state == "succeeded", run.GetProperty("error").ToString());
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"The demo run {name} did not finish in time.");
            await Task.Delay(500);
        }
    }
}
