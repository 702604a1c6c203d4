namespace Matih.Sdk.Serving;

/// <summary>Loads registered model artifacts and answers predictions.</summary>
public interface IServingRuntime
{
    /// <summary>Runtime id (<c>mlnet</c>).</summary>
    string Id { get; }

    /// <summary>Frameworks whose artifacts this runtime loads (<c>lightgbm</c>, <c>fast_tree</c>, ...).</summary>
    IReadOnlyList<string> Frameworks { get; }

    /// <summary>Loads an artifact. Called once per deployment replica; may be slow.</summary>
    Task<IModelPredictor> LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken);
}

/// <summary>A model artifact to load.</summary>
/// <param name="Framework">Framework the artifact was trained with.</param>
/// <param name="Path">The artifact file.</param>
/// <param name="NumericFeatures">Numeric inputs, in training order.</param>
/// <param name="CategoricalFeatures">Categorical inputs, in training order.</param>
public sealed record ModelArtifact(string Framework, string Path, IReadOnlyList<string> NumericFeatures, IReadOnlyList<string> CategoricalFeatures);

/// <summary>A loaded model. Must be safe to call from many threads at once; keep it allocation-light.</summary>
public interface IModelPredictor : IDisposable
{
    /// <summary>Scores one row and explains it.</summary>
    /// <param name="input">Feature values: numbers for numeric features (NaN = missing), strings for categorical ones.</param>
    /// <param name="topFactors">How many contributing features to return, largest first.</param>
    Prediction Predict(FeatureVector input, int topFactors);
}

/// <summary>One row of inputs.</summary>
/// <param name="Numeric">Numeric feature values by name.</param>
/// <param name="Categorical">Categorical feature values by name.</param>
public sealed record FeatureVector(IReadOnlyDictionary<string, float> Numeric, IReadOnlyDictionary<string, string?> Categorical);

/// <summary>A prediction.</summary>
/// <param name="Probability">Positive-class probability.</param>
/// <param name="TopFactors">The features that moved this prediction most, with their normalised share.</param>
public sealed record Prediction(float Probability, IReadOnlyList<FeatureFactor> TopFactors);

/// <summary>One feature's share in a prediction.</summary>
/// <param name="Feature">Input feature name.</param>
/// <param name="Importance">Its share of the absolute contributions (0..1).</param>
public sealed record FeatureFactor(string Feature, double Importance);
