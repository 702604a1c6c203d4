using Matih.Plugins.MlNet.Data;
using Matih.Plugins.MlNet.Training;
using Matih.Sdk.Serving;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Matih.Plugins.MlNet.Serving;

/// <summary>Loads model artifacts written by this plugin's trainers and serves them in process.</summary>
internal sealed class MlNetServingRuntime : IServingRuntime
{
    public const string RuntimeId = "mlnet";

    public string Id => RuntimeId;

    /// <summary>The frameworks the trainers record, and the trainer ids, which some registrations use instead.</summary>
    public IReadOnlyList<string> Frameworks { get; } = ["mlnet", "lightgbm", "logistic_regression", "random_forest", "fast_tree"];

    public Task<IModelPredictor> LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        if (!Frameworks.Contains(artifact.Framework, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"framework: the mlnet runtime loads {string.Join(", ", Frameworks)}, not '{artifact.Framework}'.", nameof(artifact));
        }

        if (!File.Exists(artifact.Path))
        {
            throw new FileNotFoundException($"The model artifact {artifact.Path} does not exist.", artifact.Path);
        }

        return Task.Run(() => Load(artifact), cancellationToken);
    }

    private static IModelPredictor Load(ModelArtifact artifact)
    {
        var layout = new FeatureLayout(artifact.NumericFeatures.ToArray(), artifact.CategoricalFeatures.ToArray());
        var ml = new MLContext();
        // Model files name the assemblies of their parts; make sure the tree and LightGBM ones are known here.
        ml.ComponentCatalog.RegisterAssembly(typeof(FastTreeBinaryModelParameters).Assembly);
        ml.ComponentCatalog.RegisterAssembly(typeof(LightGbmBinaryModelParameters).Assembly);

        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            model = ml.Model.Load(artifact.Path, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"The model artifact {artifact.Path} could not be read as an ML.NET model: {e.Message}", e);
        }

        CheckWidth(inputSchema, FeatureLayout.NumericColumn, layout.Numeric.Count, "numeric", artifact.Path);
        CheckWidth(inputSchema, FeatureLayout.CategoricalColumn, layout.Categorical.Count, "categorical", artifact.Path);
        var output = model.GetOutputSchema(inputSchema);
        if (output.GetColumnOrNull(FeatureLayout.ContributionsColumn) is null || output.GetColumnOrNull(FeatureLayout.ProbabilityColumn) is null)
        {
            throw new InvalidDataException($"The model artifact {artifact.Path} has no probability and contribution outputs; it was not written by the mlnet trainers.");
        }

        return new MlNetPredictor(ml, model, layout, MlNetTrainer.CategoryKeys(output));
    }

    private static void CheckWidth(DataViewSchema schema, string column, int expected, string kind, string path)
    {
        var actual = schema.GetColumnOrNull(column)?.Type is VectorDataViewType vector ? vector.Size : 0;
        if (actual != expected)
        {
            throw new InvalidDataException(
                $"The model artifact {path} was trained on {actual} {kind} feature(s), but the registration lists {expected}.");
        }
    }
}
