using Matih.Sdk.Plugins;
using Microsoft.ML;

namespace Matih.Plugins.MlNet.Training;

/// <summary>One ML.NET binary classifier: its hyperparameters and how it fits on the prepared <c>Features</c> column.</summary>
internal interface IAlgorithm
{
    string Id { get; }

    string DisplayName { get; }

    string Framework { get; }

    IReadOnlyList<ParameterSpec> Hyperparameters { get; }

    /// <summary>
    /// Whether the numeric inputs must be imputed and scaled first. Linear models need it; tree learners split on
    /// raw values and treat NaN as missing themselves, which keeps missingness as a signal.
    /// </summary>
    bool NeedsScaledInputs { get; }

    /// <summary>Fits on <paramref name="features"/> (columns <c>Label</c> and <c>Features</c>).</summary>
    FittedPredictor Fit(MLContext ml, IDataView features, FitSettings settings);
}

/// <summary>What an algorithm fits with.</summary>
internal sealed record FitSettings(Hyperparameters Values, int Threads, int Seed);

/// <summary>A fitted predictor.</summary>
/// <param name="Scorer">Reads <c>Features</c> and writes a calibrated <c>Probability</c> (one transformer, or a chain with the calibrator).</param>
/// <param name="Contributions">Writes <c>FeatureContributions</c>, one value per feature slot, for explanations.</param>
internal sealed record FittedPredictor(ITransformer Scorer, ITransformer Contributions);
