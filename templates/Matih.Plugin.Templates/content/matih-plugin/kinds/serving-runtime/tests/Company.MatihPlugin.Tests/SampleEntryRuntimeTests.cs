using Matih.Sdk.Plugins;
using Matih.Sdk.Serving;
using Matih.Sdk.Testing;

namespace Company.MatihPlugin.Tests;

public sealed class SampleEntryRuntimeTests : IDisposable
{
    private const string PluginFolder = "Company.MatihPlugin";

    private readonly string _artifact = Path.GetTempFileName();

    public void Dispose() => File.Delete(_artifact);

    [Fact]
    public void The_plugin_loads_as_a_serving_runtime_for_sdk_1_without_carrying_the_sdk()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);

        Assert.Equal("sample-plugin-id", plugin.Manifest.Id);
        Assert.Equal(PluginKind.ServingRuntime, plugin.Manifest.Kind);
        Assert.Equal(SdkInfo.Major, plugin.Manifest.SdkMajor);
        Assert.Empty(plugin.PackagingWarnings);
    }

    [Fact]
    public async Task A_loaded_model_scores_a_row_and_names_the_feature_that_moved_it_most()
    {
        File.WriteAllText(_artifact, """
            { "bias": -1.0, "features": [
              { "name": "tenure_days", "weight": -2.0, "mean": 100, "scale": 50 },
              { "name": "support_tickets", "weight": 0.5, "mean": 1, "scale": 1 } ] }
            """);
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);
        var runtime = plugin.GetSingle<IServingRuntime>();

        using var predictor = await runtime.LoadAsync(new ModelArtifact("sample-plugin-id", _artifact, ["tenure_days", "support_tickets"], []), default);
        var prediction = predictor.Predict(new FeatureVector(new Dictionary<string, float> { ["tenure_days"] = 0, ["support_tickets"] = 1 }, new Dictionary<string, string?>()), topFactors: 1);

        // z = -1 + (-2)(0 - 100)/50 + 0.5(1 - 1)/1 = 3
        Assert.Equal(1 / (1 + Math.Exp(-3)), prediction.Probability, precision: 5);
        Assert.Equal("tenure_days", Assert.Single(prediction.TopFactors).Feature);
    }
}
