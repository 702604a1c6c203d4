using Matih.Plugins.MlNet.Data;
using Matih.Sdk.Plugins;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Matih.Plugins.MlNet.Training;

/// <summary>L-BFGS logistic regression; calibrated by construction.</summary>
internal sealed class LogisticRegressionAlgorithm : IAlgorithm
{
    public string Id => "logistic_regression";

    public string DisplayName => "Logistic Regression";

    public string Framework => "mlnet";

    public bool NeedsScaledInputs => true;

    public IReadOnlyList<ParameterSpec> Hyperparameters { get; } =
    [
        Training.Hyperparameters.Number("l1_regularization", 0, 0, 1000, "L1 penalty on the weights; larger values drive weak features to zero."),
        Training.Hyperparameters.Number("l2_regularization", 1, 0, 1000, "L2 penalty on the weights; larger values shrink them."),
        Training.Hyperparameters.Integer("max_iterations", 100, 1, 100_000, "Most L-BFGS iterations before stopping."),
        Training.Hyperparameters.Number("optimization_tolerance", 1e-7, 1e-12, 0.1, "Stop when the loss improves by less than this."),
    ];

    public FittedPredictor Fit(MLContext ml, IDataView features, FitSettings settings)
    {
        var values = settings.Values;
        // L-BFGS passes over the rows once per iteration: cache the prepared vectors instead of recomputing them.
        var cached = ml.Data.Cache(features, FeatureLayout.LabelColumn, FeatureLayout.FeaturesColumn);
        var predictor = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            LabelColumnName = FeatureLayout.LabelColumn,
            FeatureColumnName = FeatureLayout.FeaturesColumn,
            L1Regularization = (float)values.Number("l1_regularization"),
            L2Regularization = (float)values.Number("l2_regularization"),
            MaximumNumberOfIterations = values.Integer("max_iterations"),
            OptimizationTolerance = (float)values.Number("optimization_tolerance"),
            NumberOfThreads = settings.Threads,
        }).Fit(cached);

        return new FittedPredictor(predictor, Contributions.Fit(ml, predictor, features));
    }
}

/// <summary>FastForest (bagged regression trees) with a Platt calibrator fitted on rows the forest did not see.</summary>
internal sealed class RandomForestAlgorithm : IAlgorithm
{
    // Below this many training rows a held-out calibration slice would be too small to fit two parameters well.
    private const int MinimumRowsForHeldOutCalibration = 500;

    public string Id => "random_forest";

    public string DisplayName => "Random Forest";

    public string Framework => "mlnet";

    public bool NeedsScaledInputs => false;

    public IReadOnlyList<ParameterSpec> Hyperparameters { get; } =
    [
        Training.Hyperparameters.Integer("num_trees", 100, 1, 5_000, "Number of trees in the forest."),
        Training.Hyperparameters.Integer("num_leaves", 32, 2, 131_072, "Most leaves per tree."),
        Training.Hyperparameters.Integer("min_samples_per_leaf", 10, 1, 1_000_000, "Fewest training rows a leaf may hold."),
        Training.Hyperparameters.Number("feature_fraction", 0.7, 0.01, 1, "Share of features each tree may split on."),
        Training.Hyperparameters.Number("bagging_fraction", 0.7, 0.01, 1, "Share of rows each tree is grown on."),
        Training.Hyperparameters.Number("calibration_fraction", 0.2, 0.01, 0.5, "Share of training rows held back to fit the probability calibrator."),
    ];

    public FittedPredictor Fit(MLContext ml, IDataView features, FitSettings settings)
    {
        var values = settings.Values;
        var rows = features.GetRowCount() ?? 0;
        IDataView grow = features;
        IDataView calibrate = features;
        if (rows >= MinimumRowsForHeldOutCalibration)
        {
            var split = ml.Data.TrainTestSplit(features, values.Number("calibration_fraction"), seed: settings.Seed);
            grow = split.TrainSet;
            calibrate = split.TestSet;
        }

        var forest = ml.BinaryClassification.Trainers.FastForest(new FastForestBinaryTrainer.Options
        {
            LabelColumnName = FeatureLayout.LabelColumn,
            FeatureColumnName = FeatureLayout.FeaturesColumn,
            NumberOfTrees = values.Integer("num_trees"),
            NumberOfLeaves = values.Integer("num_leaves"),
            MinimumExampleCountPerLeaf = values.Integer("min_samples_per_leaf"),
            FeatureFraction = values.Number("feature_fraction"),
            BaggingExampleFraction = values.Number("bagging_fraction"),
            NumberOfThreads = settings.Threads,
            Seed = settings.Seed,
        }).Fit(grow);

        var calibrator = ml.BinaryClassification.Calibrators.Platt(FeatureLayout.LabelColumn).Fit(forest.Transform(calibrate));
        var scorer = new TransformerChain<ITransformer>(forest, calibrator);
        return new FittedPredictor(scorer, Contributions.Fit(ml, forest, features));
    }
}

/// <summary>FastTree gradient-boosted trees (MART); calibrated by construction.</summary>
internal sealed class FastTreeAlgorithm : IAlgorithm
{
    public string Id => "fast_tree";

    public string DisplayName => "Gradient Boosting (FastTree)";

    public string Framework => "mlnet";

    public bool NeedsScaledInputs => false;

    public IReadOnlyList<ParameterSpec> Hyperparameters { get; } =
    [
        Training.Hyperparameters.Integer("num_trees", 100, 1, 10_000, "Number of boosting rounds (trees)."),
        Training.Hyperparameters.Integer("num_leaves", 20, 2, 131_072, "Most leaves per tree."),
        Training.Hyperparameters.Integer("min_samples_per_leaf", 10, 1, 1_000_000, "Fewest training rows a leaf may hold."),
        Training.Hyperparameters.Number("learning_rate", 0.2, 0.0001, 1, "Shrinkage applied to each tree's output."),
        Training.Hyperparameters.Number("feature_fraction", 1, 0.01, 1, "Share of features each tree may split on."),
    ];

    public FittedPredictor Fit(MLContext ml, IDataView features, FitSettings settings)
    {
        var values = settings.Values;
        var predictor = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = FeatureLayout.LabelColumn,
            FeatureColumnName = FeatureLayout.FeaturesColumn,
            NumberOfTrees = values.Integer("num_trees"),
            NumberOfLeaves = values.Integer("num_leaves"),
            MinimumExampleCountPerLeaf = values.Integer("min_samples_per_leaf"),
            LearningRate = values.Number("learning_rate"),
            FeatureFraction = values.Number("feature_fraction"),
            NumberOfThreads = settings.Threads,
            Seed = settings.Seed,
        }).Fit(features);

        return new FittedPredictor(predictor, Contributions.Fit(ml, predictor, features));
    }
}

/// <summary>LightGBM gradient boosting; calibrated by construction. Threads are always set (see STACK.md).</summary>
internal sealed class LightGbmAlgorithm : IAlgorithm
{
    public string Id => "lightgbm";

    public string DisplayName => "Gradient Boosting (LightGBM)";

    public string Framework => "lightgbm";

    public bool NeedsScaledInputs => false;

    public IReadOnlyList<ParameterSpec> Hyperparameters { get; } =
    [
        Training.Hyperparameters.Integer("num_iterations", 100, 1, 10_000, "Number of boosting rounds (trees)."),
        Training.Hyperparameters.Integer("num_leaves", 31, 2, 131_072, "Most leaves per tree."),
        Training.Hyperparameters.Integer("min_data_in_leaf", 20, 1, 1_000_000, "Fewest training rows a leaf may hold."),
        Training.Hyperparameters.Number("learning_rate", 0.1, 0.0001, 1, "Shrinkage applied to each tree's output."),
        Training.Hyperparameters.Number("feature_fraction", 1, 0.01, 1, "Share of features each tree may split on."),
        Training.Hyperparameters.Number("bagging_fraction", 1, 0.01, 1, "Share of rows each tree is grown on (1 = all)."),
        Training.Hyperparameters.Number("l2_regularization", 0.01, 0, 1000, "L2 penalty on leaf values."),
    ];

    public FittedPredictor Fit(MLContext ml, IDataView features, FitSettings settings)
    {
        var values = settings.Values;
        var bagging = values.Number("bagging_fraction");
        var predictor = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            LabelColumnName = FeatureLayout.LabelColumn,
            FeatureColumnName = FeatureLayout.FeaturesColumn,
            NumberOfIterations = values.Integer("num_iterations"),
            NumberOfLeaves = values.Integer("num_leaves"),
            MinimumExampleCountPerLeaf = values.Integer("min_data_in_leaf"),
            LearningRate = values.Number("learning_rate"),
            NumberOfThreads = settings.Threads,
            Seed = settings.Seed,
            HandleMissingValue = true,
            Silent = true,
            Booster = new GradientBooster.Options
            {
                FeatureFraction = values.Number("feature_fraction"),
                SubsampleFraction = bagging,
                // LightGBM bags only when a frequency is set; every iteration when bagging is asked for.
                SubsampleFrequency = bagging < 1 ? 1 : 0,
                L2Regularization = values.Number("l2_regularization"),
            },
        }).Fit(features);

        return new FittedPredictor(predictor, Contributions.Fit(ml, predictor, features));
    }
}

/// <summary>Per-prediction feature contributions, all slots kept so they can be summed back per input feature.</summary>
internal static class Contributions
{
    public static ITransformer Fit<TModel>(MLContext ml, ISingleFeaturePredictionTransformer<TModel> predictor, IDataView features)
        where TModel : class, ICalculateFeatureContribution
    {
        var slots = Slots(features);
        return ml.Transforms.CalculateFeatureContribution(predictor, slots, slots, normalize: false).Fit(features);
    }

    public static ITransformer Fit<TModel, TCalibrator>(MLContext ml, ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<TModel, TCalibrator>> predictor, IDataView features)
        where TModel : class, ICalculateFeatureContribution
        where TCalibrator : class, ICalibrator
    {
        var slots = Slots(features);
        return ml.Transforms.CalculateFeatureContribution(predictor, slots, slots, normalize: false).Fit(features);
    }

    private static int Slots(IDataView features) => ((VectorDataViewType)features.Schema[FeatureLayout.FeaturesColumn].Type).Size;
}
