using System.Text.Json;
using Matih.Sdk.Serving;

namespace Company.MatihPlugin;

/// <summary>
/// Loads logistic models stored as JSON — <c>{ "bias": b, "features": [{ "name", "weight", "mean", "scale" }] }</c> —
/// and scores rows: probability = sigmoid(b + Σ weight · (x − mean) / scale), missing values count as the mean.
/// Replace the artifact format with your framework's.
/// </summary>
public sealed class SampleEntryRuntime : IServingRuntime
{
    /// <inheritdoc />
    public string Id => "sample-plugin-id";

    /// <inheritdoc />
    public IReadOnlyList<string> Frameworks { get; } = ["sample-plugin-id"];

    /// <inheritdoc />
    public async Task<IModelPredictor> LoadAsync(ModelArtifact artifact, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        await using var file = File.OpenRead(artifact.Path);
        using var document = await JsonDocument.ParseAsync(file, default, cancellationToken);
        var root = document.RootElement;
        if (!root.TryGetProperty("bias", out var bias) || !root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{artifact.Path} is not a {Id} model: expected \"bias\" and a \"features\" array.");
        }

        var terms = features.EnumerateArray()
            .Select(f => new Term(f.GetProperty("name").GetString()!, f.GetProperty("weight").GetDouble(), f.GetProperty("mean").GetDouble(), f.GetProperty("scale").GetDouble()))
            .ToArray();
        return new LinearPredictor(bias.GetDouble(), terms);
    }

    private sealed record Term(string Feature, double Weight, double Mean, double Scale);

    private sealed class LinearPredictor(double bias, Term[] terms) : IModelPredictor
    {
        public Prediction Predict(FeatureVector input, int topFactors)
        {
            var contributions = new double[terms.Length];
            var z = bias;
            for (var i = 0; i < terms.Length; i++)
            {
                var term = terms[i];
                var value = input.Numeric.TryGetValue(term.Feature, out var x) && !float.IsNaN(x) ? (x - term.Mean) / term.Scale : 0;
                contributions[i] = term.Weight * value;
                z += contributions[i];
            }

            var total = contributions.Sum(Math.Abs);
            var factors = contributions
                .Select((c, i) => new FeatureFactor(terms[i].Feature, total == 0 ? 0 : Math.Abs(c) / total))
                .OrderByDescending(f => f.Importance)
                .Take(topFactors)
                .ToArray();
            return new Prediction((float)(1 / (1 + Math.Exp(-z))), factors);
        }

        public void Dispose()
        {
        }
    }
}
