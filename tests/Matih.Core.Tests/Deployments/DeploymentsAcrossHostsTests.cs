using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Deployments;
using Matih.Sdk.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Tests.Deployments;

/// <summary>
/// Server mode at the engine: two serving engines ("host A" and "host B", each with its own A/B test routing) on one
/// metadata store and one model registry. What A deploys, changes, promotes or removes, B follows after it reconciles.
/// </summary>
public sealed class DeploymentsAcrossHostsTests : IClassFixture<ServingFixture>, IDisposable
{
    private readonly ServingFixture _fixture;
    private readonly Matih.Core.AbTests.AbTests _abA;
    private readonly Matih.Core.AbTests.AbTests _abB;
    private readonly ServingEngine _a;
    private readonly ServingEngine _b;

    public DeploymentsAcrossHostsTests(ServingFixture fixture)
    {
        _fixture = fixture;
        _abA = NewAbTests();
        _abB = NewAbTests();
        _a = NewEngine(_abA);
        _b = NewEngine(_abB);
    }

    private ServingStores Stores => _fixture.Stores;

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    [Fact]
    public async Task A_deployment_created_on_one_host_is_served_by_the_other_once_it_reconciles_and_the_first_does_not_reload_it()
    {
        await _b.ReconcileAsync(default);
        await DeployOnAAsync("created-on-a", "created-model");
        Assert.Equal(PredictionStatus.NoDeployment, (await PredictAsync(_b, "created-on-a")).Status);

        var onB = await _b.ReconcileAsync(default);
        var onA = await _a.ReconcileAsync(default);

        Assert.Contains("created-on-a", onB.Loaded);
        Assert.Empty(onB.Failed);
        Assert.DoesNotContain("created-on-a", onA.Loaded.Concat(onA.Updated));
        var fromA = await PredictAsync(_a, "created-on-a");
        var fromB = await PredictAsync(_b, "created-on-a");
        Assert.Equal((PredictionStatus.Ok, "1.0.0"), (fromB.Status, fromB.ModelVersion));
        Assert.Equal(fromA.Predictions[0].Probability, fromB.Predictions[0].Probability);
        var view = (await _b.GetAsync("created-on-a", default))!;
        Assert.Equal(("running", 2, "priya"), (view.Status, view.Replicas, view.CreatedBy));
        var again = await _b.ReconcileAsync(default);
        Assert.DoesNotContain("created-on-a", again.Loaded.Concat(again.Updated));
    }

    [Fact]
    public async Task A_new_version_deployed_on_one_host_is_swapped_in_on_the_other_without_a_failed_request()
    {
        await DeployOnAAsync("updated-on-a", "updated-model");
        await _b.ReconcileAsync(default);
        var version = await Stores.RegisterAsync(d =>
        {
            d["model_name"] = "updated-model";
            d["version"] = "1.1.0";
            d["source_experiment"] = "churn-exp-001";
            d["framework"] = "mlnet";
        });
        using var body = JsonDocument.Parse(ServingStores.Seed("churn-predict-request.json").ToJsonString());
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var seen = new System.Collections.Concurrent.ConcurrentBag<(string Version, bool AfterSwap)>();
        var swapped = 0;
        var clients = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var after = Volatile.Read(ref swapped) == 1;
                var outcome = await _b.PredictAsync("updated-on-a", body.RootElement, null, default);
                if (outcome.Status != PredictionStatus.Ok)
                {
                    Interlocked.Increment(ref failures);
                    continue;
                }

                seen.Add((outcome.ModelVersion!, after));
            }
        })).ToArray();

        while (seen.IsEmpty)
        {
            await Task.Delay(10);
        }

        var updated = await _a.UpdateAsync("updated-on-a", new JsonObject { ["model_ref"] = version.Reference }, merge: true, "sam", default);
        Assert.Empty(updated.Problems);
        var onB = await _b.ReconcileAsync(default);
        Volatile.Write(ref swapped, 1);
        var afterSwap = seen.Count;
        while (seen.Count < afterSwap + 20)
        {
            await Task.Delay(10);
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Contains("updated-on-a", onB.Updated);
        Assert.Equal(0, failures);
        Assert.Contains(seen, s => s.Version == "1.0.0");
        Assert.All(seen.Where(s => s.AfterSwap), s => Assert.Equal("1.1.0", s.Version));
        var view = (await _b.GetAsync("updated-on-a", default))!;
        Assert.Equal(("1.1.0", "sam", 2), (view.ModelVersion, view.UpdatedBy, view.Replicas));
        Assert.DoesNotContain("updated-on-a", (await _a.ReconcileAsync(default)).Updated);
    }

    [Fact]
    public async Task Undeploying_on_one_host_stops_the_other_serving_the_deployment()
    {
        await DeployOnAAsync("removed-on-a", "removed-model");
        await _b.ReconcileAsync(default);
        Assert.Equal(PredictionStatus.Ok, (await PredictAsync(_b, "removed-on-a")).Status);

        Assert.True(await _a.UndeployAsync("removed-on-a", "priya", default));
        var onB = await _b.ReconcileAsync(default);

        Assert.Contains("removed-on-a", onB.Removed);
        Assert.Equal(PredictionStatus.NoDeployment, (await PredictAsync(_b, "removed-on-a")).Status);
        Assert.Null(_b.Health("removed-on-a"));
        Assert.DoesNotContain(await _b.ListAsync(default), d => d.Name == "removed-on-a");
    }

    [Fact]
    public async Task A_deployment_whose_model_a_host_cannot_load_is_reported_in_its_health_and_served_once_it_can()
    {
        var version = await DeployOnAAsync("missing-on-b", "missing-model");
        var artifact = version.Artifact.Path;
        File.Move(artifact, artifact + ".away");
        DeploymentReconciliation failed;
        DeploymentReconciliation again;
        try
        {
            failed = await _b.ReconcileAsync(default);
            again = await _b.ReconcileAsync(default);
        }
        finally
        {
            File.Move(artifact + ".away", artifact);
        }

        Assert.Contains("artifact of missing-model/1.0.0 is missing", failed.Failed["missing-on-b"], StringComparison.Ordinal);
        Assert.Contains("missing-on-b", again.Failed.Keys);
        var health = _b.Health("missing-on-b")!;
        Assert.Equal("failed", health.Status);
        Assert.Contains("is missing", health.Error, StringComparison.Ordinal);
        var refused = await PredictAsync(_b, "missing-on-b");
        Assert.Equal(PredictionStatus.Unavailable, refused.Status);
        Assert.Contains("is missing", refused.Message, StringComparison.Ordinal);

        var retried = await _b.ReconcileAsync(default);

        Assert.Contains("missing-on-b", retried.Loaded);
        Assert.Empty(retried.Failed);
        Assert.Equal(PredictionStatus.Ok, (await PredictAsync(_b, "missing-on-b")).Status);
        Assert.Null(_b.Health("missing-on-b")!.Error);
        Assert.Equal(PredictionStatus.Ok, (await PredictAsync(_a, "missing-on-b")).Status);
    }

    [Fact]
    public async Task An_ab_test_started_and_promoted_on_one_host_splits_and_then_serves_the_winner_on_the_other()
    {
        await DeployOnAAsync("split-on-a", "split-model");
        await Stores.RegisterAsync(d =>
        {
            d["model_name"] = "split-model";
            d["version"] = "1.1.0";
            d["source_experiment"] = "churn-exp-001";
            d["framework"] = "mlnet";
        });
        await _b.ReconcileAsync(default);
        var document = ServingStores.Seed("churn-model-comparison.json");
        document["experiment_name"] = "split-across-hosts";
        document["deployment"] = "split-on-a";
        document["traffic_split"]!["control"]!["model"] = "split-model/1.0.0";
        document["traffic_split"]!["treatment"]!["model"] = "split-model/1.1.0";
        await _abA.StartAsync(document.ToJsonString(), "priya", (_, _) => Task.FromResult<string?>(null), default);

        var before = await PredictAsync(_b, "split-on-a", customers: 200);
        await _b.ReconcileAsync(default);
        var split = await PredictAsync(_b, "split-on-a", customers: 200);

        Assert.All(before.Predictions, p => Assert.Null(p.Variant));
        Assert.Equal(["control", "treatment"], split.Predictions.Select(p => p.Variant!).Distinct().Order(StringComparer.Ordinal));
        Assert.All(split.Predictions, p => Assert.Equal(p.Variant == "control" ? "1.0.0" : "1.1.0", p.ModelVersion));

        await _abA.PromoteAsync("split-across-hosts", "treatment", "priya",
            async (deployment, model, c) => Assert.NotNull((await _a.UpdateAsync(deployment, new JsonObject { ["model_ref"] = model }, merge: true, "priya", c)).Deployment),
            default);
        var onB = await _b.ReconcileAsync(default);
        var promoted = await PredictAsync(_b, "split-on-a", customers: 200);

        Assert.Contains("split-on-a", onB.Updated);
        Assert.Null(_abB.SplitFor("split-on-a"));
        Assert.Equal("1.1.0", promoted.ModelVersion);
        Assert.All(promoted.Predictions, p => Assert.Null(p.Variant));
    }

    private ServingEngine NewEngine(Matih.Core.AbTests.AbTests abTests) =>
        new(Stores.Stores.Contexts, Stores.Registry, Stores.Features, Stores.Runtimes, Stores.Log, Stores.Stores.Clock, NullLogger<ServingEngine>.Instance, abTests);

    private Matih.Core.AbTests.AbTests NewAbTests() =>
        new(Stores.Stores.Contexts, Stores.Stores.Warehouse, Stores.Registry, Stores.Stores.Clock, NullLogger<Matih.Core.AbTests.AbTests>.Instance);

    /// <summary>Registers the seed's model as <paramref name="model"/> 1.0.0 and deploys it through host A.</summary>
    private async Task<Matih.Core.Models.ModelVersionView> DeployOnAAsync(string name, string model)
    {
        var version = await Stores.RegisterAsync(d => d["model_name"] = model);
        var deployment = ServingStores.Seed("deployment.json");
        deployment["deployment_name"] = name;
        deployment["model_ref"] = version.Reference;
        var result = await _a.DeployAsync(deployment, "priya", default);
        Assert.True(result.Deployment is not null, string.Join("; ", result.Problems.Select(p => $"{p.Path}: {p.Message}")) + result.Conflict);
        return version;
    }

    private static async Task<PredictionOutcome> PredictAsync(ServingEngine engine, string deployment, int customers = 1)
    {
        var seed = ServingStores.Seed("churn-predict-request.json");
        JsonNode body = customers == 1
            ? seed
            : new JsonObject
            {
                ["instances"] = new JsonArray(Enumerable.Range(0, customers).Select(i =>
                {
                    var instance = seed.DeepClone();
                    instance["customer_id"] = 2_000_000 + i;
                    return instance;
                }).ToArray()),
            };
        using var document = JsonDocument.Parse(body.ToJsonString());
        return await engine.PredictAsync(deployment, document.RootElement, null, default);
    }
}
