using System.Text.Json;
using Matih.Sdk.Plugins;
using Matih.Sdk.Testing;
using Matih.Sdk.Training;

namespace Company.MatihPlugin.Tests;

public sealed class SampleEntryTrainerTests
{
    private const string PluginFolder = "Company.MatihPlugin";

    [Fact]
    public void The_plugin_loads_as_a_trainer_for_sdk_1_without_carrying_the_sdk()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);

        Assert.Equal("sample-plugin-id", plugin.Manifest.Id);
        Assert.Equal(PluginKind.Trainer, plugin.Manifest.Kind);
        Assert.Equal(SdkInfo.Major, plugin.Manifest.SdkMajor);
        Assert.Empty(plugin.PackagingWarnings);
    }

    [Fact]
    public async Task A_model_trained_on_a_separating_feature_scores_positives_above_negatives()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder);
        var trainer = plugin.GetSingle<ITrainer>();
        var random = new Random(7);
        var labels = Enumerable.Range(0, 400).Select(i => i % 2 == 0).ToArray();
        var signal = labels.Select(l => (float)((l ? 1.0 : -1.0) + random.NextDouble() - 0.5)).ToArray();
        var noise = labels.Select(_ => (float)random.NextDouble()).ToArray();
        var table = new FeatureTable(new Dictionary<string, float[]> { ["signal"] = signal, ["noise"] = noise }, new Dictionary<string, string?[]>(), labels);

        var model = await trainer.TrainAsync(new TrainingRequest(table, new Dictionary<string, JsonElement>(), Seed: 1, Threads: 1), new Progress<double>(), default);

        var scores = model.Score(table with { Label = null });
        var positives = scores.Where((_, i) => labels[i]).Average();
        var negatives = scores.Where((_, i) => !labels[i]).Average();
        Assert.True(positives > 0.8 && negatives < 0.2, $"positives {positives:F3}, negatives {negatives:F3}");
        Assert.True(model.FeatureImportance()["signal"] > 0.8);
        using var artifact = new MemoryStream();
        await model.SaveAsync(artifact, default);
        Assert.Equal("sample-plugin-id", JsonDocument.Parse(artifact.ToArray()).RootElement.GetProperty("framework").GetString());
    }
}
