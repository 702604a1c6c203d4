using Matih.Plugins.MlNet.Serving;
using Matih.Sdk.Serving;
using Matih.Sdk.Training;

namespace Matih.Plugins.MlNet.Tests.Support;

/// <summary>Saves trained models to temporary files and loads them through the serving runtime.</summary>
internal static class Artifacts
{
    public static async Task<string> SaveAsync(ITrainedModel model)
    {
        var path = Path.Combine(Path.GetTempPath(), $"matih-mlnet-{Guid.NewGuid():N}.zip");
        await using (var file = File.Create(path))
        {
            await model.SaveAsync(file, CancellationToken.None);
        }

        return path;
    }

    public static ModelArtifact Describe(string path, FeatureTable table, string framework = "mlnet") =>
        new(framework, path, table.Numeric.Keys.ToArray(), table.Categorical.Keys.ToArray());

    public static async Task<IModelPredictor> LoadAsync(ITrainedModel model, FeatureTable table, string framework = "mlnet")
    {
        var path = await SaveAsync(model);
        try
        {
            return await new MlNetServingRuntime().LoadAsync(Describe(path, table, framework), CancellationToken.None);
        }
        finally
        {
            // The runtime reads the artifact while loading; the file is not needed afterwards.
            File.Delete(path);
        }
    }

    /// <summary>Row <paramref name="i"/> of <paramref name="table"/> as a serving request's input.</summary>
    public static FeatureVector Row(FeatureTable table, int i) =>
        new(
            table.Numeric.ToDictionary(p => p.Key, p => p.Value[i]),
            table.Categorical.ToDictionary(p => p.Key, p => p.Value[i]));
}
