using System.Diagnostics;
using Matih.Plugins.MlNet.Data;
using Matih.Sdk.Plugins;
using Matih.Sdk.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Matih.Plugins.MlNet.Training;

/// <summary>
/// An <see cref="Sdk.Training.ITrainer"/> around one ML.NET algorithm. Prepares the features the same way for every
/// algorithm (one-hot encoding of categories, mean imputation and scaling of numbers where the algorithm needs it), fits,
/// and keeps per-prediction feature contributions in the saved model so serving can explain each answer.
/// </summary>
internal sealed class MlNetTrainer : ITrainer
{
    /// <summary>The key column holding category values; its key values name the one-hot slots.</summary>
    public const string CategoryKeysColumn = "CategoryKeys";

    private const string NumericFilledColumn = "NumericFilled";
    private const string NumericScaledColumn = "NumericScaled";
    private const string CategoryBagColumn = "CategoryBag";

    /// <summary>Most distinct categories over all categorical features; values first met after that encode as unseen.</summary>
    private const int MaximumCategories = 10_000;

    /// <summary>Training rows whose contributions make up the global feature importance.</summary>
    private const int ImportanceSampleRows = 5_000;

    private readonly IAlgorithm _algorithm;

    public MlNetTrainer(IAlgorithm algorithm) => _algorithm = algorithm;

    public string Id => _algorithm.Id;

    public string DisplayName => _algorithm.DisplayName;

    public string Framework => _algorithm.Framework;

    public IReadOnlyList<ParameterSpec> Hyperparameters => _algorithm.Hyperparameters;

    public async Task<ITrainedModel> TrainAsync(TrainingRequest request, IProgress<double> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var values = Training.Hyperparameters.Resolve(Id, Hyperparameters, request.Parameters);
        if (request.Threads < 1)
        {
            throw new ArgumentException($"threads: must be at least 1 (got {request.Threads}).", nameof(request));
        }

        var train = request.Train;
        var layout = new FeatureLayout(train.Numeric.Keys.ToArray(), train.Categorical.Keys.ToArray());
        var label = train.Label ?? throw new ArgumentException("label: the training rows have no label.", nameof(request));
        var positives = label.Count(l => l);
        if (positives == 0 || positives == label.Length)
        {
            throw new ArgumentException(
                $"label: all {label.Length} training rows are {(positives == 0 ? "negative" : "positive")}; a classifier needs rows of both classes.",
                nameof(request));
        }

        return await Task.Run(() => Fit(request, layout, values, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private TrainedModel Fit(TrainingRequest request, FeatureLayout layout, Hyperparameters values, IProgress<double> progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var ml = new MLContext(request.Seed);
        try
        {
            // ML.NET offers no public cancellation; the rows stop flowing instead, which ends any pass over them.
            var data = new FeatureTableDataView(request.Train, layout, includeLabel: true, cancellationToken);
            var preparation = Preparation(ml, layout, _algorithm.NeedsScaledInputs).Fit(data);
            progress.Report(0.1);
            cancellationToken.ThrowIfCancellationRequested();

            var features = preparation.Transform(data);
            var fitted = _algorithm.Fit(ml, features, new FitSettings(values, request.Threads, request.Seed));
            progress.Report(0.95);
            cancellationToken.ThrowIfCancellationRequested();

            var model = new TransformerChain<ITransformer>(preparation, fitted.Scorer, fitted.Contributions);
            var slotOwners = layout.SlotOwners(CategoryKeys(features.Schema));
            var importance = Importance(ml, model, data, layout, slotOwners);
            progress.Report(1.0);
            return new TrainedModel(ml, model, layout, importance, clock.Elapsed);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
        {
            // ML.NET wraps the cursor's cancellation in its own exception types.
            throw new OperationCanceledException("Training was cancelled.", e, cancellationToken);
        }
    }

    /// <summary>The category key values, in key order, of a schema that has gone through the preparation.</summary>
    public static IReadOnlyList<string> CategoryKeys(DataViewSchema schema)
    {
        if (schema.GetColumnOrNull(CategoryKeysColumn) is not { } column)
        {
            return [];
        }

        var keys = default(VBuffer<ReadOnlyMemory<char>>);
        column.GetKeyValues(ref keys);
        return keys.DenseValues().Select(k => k.ToString()).ToArray();
    }

    private static IEstimator<ITransformer> Preparation(MLContext ml, FeatureLayout layout, bool scaled)
    {
        IEstimator<ITransformer> steps = new EstimatorChain<ITransformer>();
        var parts = new List<string>();
        if (layout.Numeric.Count > 0)
        {
            var numeric = FeatureLayout.NumericColumn;
            if (scaled)
            {
                steps = steps
                    .Append(ml.Transforms.ReplaceMissingValues(NumericFilledColumn, numeric, MissingValueReplacingEstimator.ReplacementMode.Mean))
                    .Append(ml.Transforms.NormalizeMeanVariance(NumericScaledColumn, NumericFilledColumn));
                numeric = NumericScaledColumn;
            }

            parts.Add(numeric);
        }

        if (layout.Categorical.Count > 0)
        {
            // One key dictionary over the index-prefixed values of every categorical feature; the count vector of a
            // row is then the concatenation of each feature's one-hot vector. Unseen and missing values are all zeros.
            steps = steps
                .Append(ml.Transforms.Conversion.MapValueToKey(CategoryKeysColumn, FeatureLayout.CategoricalColumn, MaximumCategories))
                .Append(ml.Transforms.Conversion.MapKeyToVector(CategoryBagColumn, CategoryKeysColumn, outputCountVector: true));
            parts.Add(CategoryBagColumn);
        }

        return steps.Append(ml.Transforms.Concatenate(FeatureLayout.FeaturesColumn, parts.ToArray()));
    }

    /// <summary>
    /// Global importance as each feature's mean absolute contribution over a sample of the training rows (one-hot
    /// slots summed per feature first), as shares. The same measure as the per-prediction top factors, for every
    /// algorithm, and less flattering to noise features than split counts or gains of boosted trees.
    /// </summary>
    private static Dictionary<string, double> Importance(MLContext ml, ITransformer model, IDataView rows, FeatureLayout layout, int[] slotOwners)
    {
        var scored = model.Transform(ml.Data.TakeRows(rows, ImportanceSampleRows));
        var column = scored.Schema[FeatureLayout.ContributionsColumn];
        var perFeature = new double[layout.FeatureCount];
        var row = new double[layout.FeatureCount];
        var contributions = default(VBuffer<float>);
        using (var cursor = scored.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            while (cursor.MoveNext())
            {
                getter(ref contributions);
                FeatureLayout.SumBySlotOwner(contributions.DenseValues().ToArray(), slotOwners, row);
                for (var f = 0; f < row.Length; f++)
                {
                    perFeature[f] += Math.Abs(row[f]);
                }
            }
        }

        var total = perFeature.Sum();
        var names = layout.All;
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var f = 0; f < perFeature.Length; f++)
        {
            result[names[f]] = total > 0 ? perFeature[f] / total : 0;
        }

        return result;
    }
}
