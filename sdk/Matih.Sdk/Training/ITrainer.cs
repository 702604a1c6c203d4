using System.Text.Json;
using Matih.Sdk.Plugins;

namespace Matih.Sdk.Training;

/// <summary>
/// Trains a binary classifier on a feature table. The host prepares the data (reads the table, splits it, keeps the
/// label as 0/1) and computes every metric from <see cref="ITrainedModel.Score"/> on the held-out rows, so all
/// trainers are compared the same way.
/// </summary>
public interface ITrainer
{
    /// <summary>Trainer id used in run requests (<c>lightgbm</c>, <c>logistic_regression</c>).</summary>
    string Id { get; }

    /// <summary>Display name (<c>Gradient Boosting (LightGBM)</c>).</summary>
    string DisplayName { get; }

    /// <summary>The framework recorded in the registry (<c>lightgbm</c>, <c>mlnet</c>); serving runtimes load by it.</summary>
    string Framework { get; }

    /// <summary>Hyperparameters with defaults and ranges.</summary>
    IReadOnlyList<ParameterSpec> Hyperparameters { get; }

    /// <summary>Fits a model. Report progress as a fraction; honour cancellation between stages.</summary>
    Task<ITrainedModel> TrainAsync(TrainingRequest request, IProgress<double> progress, CancellationToken cancellationToken);
}

/// <summary>What to train on.</summary>
/// <param name="Train">The training rows.</param>
/// <param name="Parameters">Hyperparameters given by the user, validated against <see cref="ITrainer.Hyperparameters"/>; defaults fill the rest.</param>
/// <param name="Seed">Random seed, so runs are reproducible.</param>
/// <param name="Threads">Threads the trainer may use.</param>
public sealed record TrainingRequest(FeatureTable Train, IReadOnlyDictionary<string, JsonElement> Parameters, int Seed, int Threads);

/// <summary>
/// Rows of features and labels, by column. Numeric features are floats (NaN = missing); categorical features are
/// strings (null = missing) and are one-hot encoded by the trainer.
/// </summary>
/// <param name="Numeric">Numeric feature columns by name.</param>
/// <param name="Categorical">Categorical feature columns by name.</param>
/// <param name="Label">The label per row (true = positive class), or null when scoring.</param>
public sealed record FeatureTable(
    IReadOnlyDictionary<string, float[]> Numeric,
    IReadOnlyDictionary<string, string?[]> Categorical,
    bool[]? Label)
{
    /// <summary>Number of rows.</summary>
    public int RowCount => Label?.Length
        ?? Numeric.Values.Select(v => v.Length).Concat(Categorical.Values.Select(v => v.Length)).FirstOrDefault();

    /// <summary>Feature names in a stable order: numeric then categorical, each as given.</summary>
    public IReadOnlyList<string> FeatureNames => Numeric.Keys.Concat(Categorical.Keys).ToArray();
}

/// <summary>A fitted model.</summary>
public interface ITrainedModel
{
    /// <summary>The positive-class probability for each row of <paramref name="rows"/>.</summary>
    float[] Score(FeatureTable rows);

    /// <summary>Global importance per input feature (categorical features summed over their one-hot columns).</summary>
    IReadOnlyDictionary<string, double> FeatureImportance();

    /// <summary>Writes the artifact a serving runtime of the same framework can load.</summary>
    Task SaveAsync(Stream destination, CancellationToken cancellationToken);
}
