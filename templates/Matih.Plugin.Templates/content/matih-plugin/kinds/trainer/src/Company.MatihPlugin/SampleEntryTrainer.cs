using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Plugins;
using Matih.Sdk.Training;

namespace Company.MatihPlugin;

/// <summary>
/// Logistic regression on standardised numeric features, fitted by full-batch gradient descent. Categorical features
/// are ignored (TODO: one-hot encode them if your model needs them). The artifact is JSON that a serving runtime of
/// framework <c>sample-plugin-id</c> loads.
/// </summary>
public sealed class SampleEntryTrainer : ITrainer
{
    /// <inheritdoc />
    public string Id => "sample-plugin-id";

    /// <inheritdoc />
    public string DisplayName => "Logistic regression (Company.MatihPlugin)";

    /// <inheritdoc />
    public string Framework => "sample-plugin-id";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Hyperparameters { get; } =
    [
        new ParameterSpec("epochs", ParameterType.Integer, "Gradient steps over the whole training set.") { Default = JsonValue.Create(200), Minimum = 1, Maximum = 100_000 },
        new ParameterSpec("learning_rate", ParameterType.Number, "Step size.") { Default = JsonValue.Create(0.5), Minimum = 0.0001, Maximum = 10 },
    ];

    /// <inheritdoc />
    public Task<ITrainedModel> TrainAsync(TrainingRequest request, IProgress<double> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var labels = request.Train.Label ?? throw new ArgumentException("The training rows have no label.", nameof(request));
        var epochs = request.Parameters.TryGetValue("epochs", out var e) ? e.GetInt32() : 200;
        var rate = request.Parameters.TryGetValue("learning_rate", out var r) ? r.GetDouble() : 0.5;
        var features = request.Train.Numeric.Keys.ToArray();
        var columns = features.Select(f => request.Train.Numeric[f]).ToArray();
        var means = columns.Select(c => Mean(c)).ToArray();
        var scales = columns.Select((c, i) => Scale(c, means[i])).ToArray();
        var weights = new double[features.Length];
        var bias = 0.0;
        var rows = labels.Length;
        var gradient = new double[features.Length];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Array.Clear(gradient);
            var biasGradient = 0.0;
            for (var row = 0; row < rows; row++)
            {
                var z = bias;
                for (var f = 0; f < weights.Length; f++)
                {
                    z += weights[f] * Standard(columns[f][row], means[f], scales[f]);
                }

                var error = Sigmoid(z) - (labels[row] ? 1 : 0);
                biasGradient += error;
                for (var f = 0; f < weights.Length; f++)
                {
                    gradient[f] += error * Standard(columns[f][row], means[f], scales[f]);
                }
            }

            bias -= rate * biasGradient / rows;
            for (var f = 0; f < weights.Length; f++)
            {
                weights[f] -= rate * gradient[f] / rows;
            }

            progress.Report((epoch + 1.0) / epochs);
        }

        ITrainedModel model = new LogisticModel(Framework, features, weights, bias, means, scales);
        return Task.FromResult(model);
    }

    internal static double Standard(float value, double mean, double scale) => float.IsNaN(value) ? 0 : (value - mean) / scale;

    internal static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static double Mean(float[] values)
    {
        var present = values.Where(v => !float.IsNaN(v)).ToArray();
        return present.Length == 0 ? 0 : present.Average(v => (double)v);
    }

    private static double Scale(float[] values, double mean)
    {
        var present = values.Where(v => !float.IsNaN(v)).ToArray();
        var sd = present.Length < 2 ? 0 : Math.Sqrt(present.Sum(v => (v - mean) * (v - mean)) / (present.Length - 1));
        return sd > 0 ? sd : 1;
    }

    private sealed class LogisticModel(string framework, string[] features, double[] weights, double bias, double[] means, double[] scales) : ITrainedModel
    {
        public float[] Score(FeatureTable rows)
        {
            var scores = new float[rows.RowCount];
            for (var row = 0; row < scores.Length; row++)
            {
                var z = bias;
                for (var f = 0; f < features.Length; f++)
                {
                    if (rows.Numeric.TryGetValue(features[f], out var column))
                    {
                        z += weights[f] * Standard(column[row], means[f], scales[f]);
                    }
                }

                scores[row] = (float)Sigmoid(z);
            }

            return scores;
        }

        public IReadOnlyDictionary<string, double> FeatureImportance()
        {
            var total = weights.Sum(Math.Abs);
            return features.Select((f, i) => (f, total == 0 ? 0 : Math.Abs(weights[i]) / total)).ToDictionary(x => x.f, x => x.Item2);
        }

        public async Task SaveAsync(Stream destination, CancellationToken cancellationToken)
        {
            var artifact = new
            {
                framework,
                bias,
                features = features.Select((f, i) => new { name = f, weight = weights[i], mean = means[i], scale = scales[i] }),
            };
            await JsonSerializer.SerializeAsync(destination, artifact, cancellationToken: cancellationToken);
        }
    }
}
