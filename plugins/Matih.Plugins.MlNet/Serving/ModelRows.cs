namespace Matih.Plugins.MlNet.Serving;

/// <summary>One input row for a PredictionEngine. Vector sizes are set per model through a schema definition.</summary>
internal sealed class ModelInput
{
    public float[] Numeric = [];

    public ReadOnlyMemory<char>[] Categorical = [];
}

/// <summary>The calibrated probability only: scoring without explanations skips the contribution work.</summary>
internal sealed class ProbabilityOutput
{
    public float Probability;
}

/// <summary>The probability and each feature slot's contribution to the score.</summary>
internal sealed class ExplainedOutput
{
    public float Probability;

    public float[] FeatureContributions = [];
}
