using System.Text.Json;
using Matih.Plugins.MlNet.Tests.Support;
using Matih.Sdk.Training;

namespace Matih.Plugins.MlNet.Tests.Training;

public sealed class TrainerTests(Trained trained) : IClassFixture<Trained>
{
    public static TheoryData<string> TrainerIds => new() { "logistic_regression", "random_forest", "fast_tree", "lightgbm" };

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public async Task Every_trainer_separates_the_classes_on_held_out_rows(string trainerId)
    {
        var model = await trained.Model(trainerId);

        var auc = Metrics.Auc(model.Score(ChurnLikeData.WithoutLabel(trained.Test)), trained.Test.Label!);

        Assert.InRange(auc, 0.75, 1.0);
    }

    [Fact]
    public async Task Tree_ensembles_beat_logistic_regression_on_a_signal_that_is_not_linear()
    {
        var rows = ChurnLikeData.WithoutLabel(trained.Test);
        var labels = trained.Test.Label!;

        var lr = Metrics.Auc((await trained.Model("logistic_regression")).Score(rows), labels);
        var rf = Metrics.Auc((await trained.Model("random_forest")).Score(rows), labels);
        var lightgbm = Metrics.Auc((await trained.Model("lightgbm")).Score(rows), labels);
        var fastTree = Metrics.Auc((await trained.Model("fast_tree")).Score(rows), labels);

        Assert.True(lr + 0.02 < rf, $"LR {lr:F3} should trail the random forest {rf:F3}");
        Assert.True(lr + 0.02 < lightgbm, $"LR {lr:F3} should trail LightGBM {lightgbm:F3}");
        Assert.True(lr + 0.02 < fastTree, $"LR {lr:F3} should trail FastTree {fastTree:F3}");
    }

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public async Task Probabilities_are_calibrated_so_their_mean_matches_the_positive_rate(string trainerId)
    {
        var model = await trained.Model(trainerId);

        var probabilities = model.Score(ChurnLikeData.WithoutLabel(trained.Test));

        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        var positiveRate = trained.Test.Label!.Average(l => l ? 1.0 : 0.0);
        Assert.InRange(probabilities.Average(p => (double)p), positiveRate - 0.04, positiveRate + 0.04);
        // Calibrated, not just ranked: rows scored above 0.8 are mostly positive, rows below 0.2 mostly negative.
        var confident = Enumerable.Range(0, probabilities.Length).Where(i => probabilities[i] > 0.8).ToArray();
        var unlikely = Enumerable.Range(0, probabilities.Length).Where(i => probabilities[i] < 0.2).ToArray();
        Assert.InRange(confident.Average(i => trained.Test.Label![i] ? 1.0 : 0.0), 0.7, 1.0);
        Assert.InRange(unlikely.Average(i => trained.Test.Label![i] ? 1.0 : 0.0), 0.0, 0.3);
    }

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public async Task A_category_never_seen_in_training_scores_like_a_missing_one(string trainerId)
    {
        var model = await trained.Model(trainerId);
        var rows = OneRow(segment: "Platinum");
        var missing = OneRow(segment: null);

        var unseen = model.Score(rows)[0];

        Assert.InRange(unseen, 0f, 1f);
        Assert.Equal(model.Score(missing)[0], unseen);
    }

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public async Task The_segment_category_moves_the_probability_the_way_the_data_does(string trainerId)
    {
        var model = await trained.Model(trainerId);

        var gold = model.Score(OneRow(segment: "Gold"))[0];
        var bronze = model.Score(OneRow(segment: "Bronze"))[0];

        Assert.True(bronze > gold, $"Bronze {bronze:F3} should churn more than Gold {gold:F3}");
    }

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public async Task Missing_numbers_are_scored_rather_than_rejected(string trainerId)
    {
        var model = await trained.Model(trainerId);

        var probability = model.Score(OneRow(segment: "Silver", sessions: float.NaN))[0];

        Assert.False(float.IsNaN(probability));
        Assert.InRange(probability, 0f, 1f);
    }

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public async Task Feature_importance_ranks_the_informative_feature_first_and_names_every_input_once(string trainerId)
    {
        var model = await trained.Model(trainerId);

        var importance = model.FeatureImportance();

        Assert.Equal(["recency", "sessions", "age", "noise", "segment", "region"], importance.Keys);
        Assert.Equal("recency", importance.MaxBy(p => p.Value).Key);
        Assert.Equal(1.0, importance.Values.Sum(), 6);
        Assert.True(importance["segment"] > importance["region"], "segment carries signal, region does not");
        Assert.True(importance["recency"] > 2 * importance["noise"], string.Join(", ", importance.Select(p => $"{p.Key}={p.Value:F3}")));
    }

    [Fact]
    public async Task Progress_is_reported_from_start_to_finish_in_order()
    {
        var progress = new ProgressRecorder();

        await Trained.Trainer("lightgbm").TrainAsync(Trained.Request(ChurnLikeData.Generate(500, seed: 5)), progress, CancellationToken.None);

        Assert.NotEmpty(progress.Values);
        Assert.Equal(progress.Values.Order(), progress.Values);
        Assert.Equal(1.0, progress.Values[^1]);
    }

    [Fact]
    public async Task The_same_seed_trains_the_same_model()
    {
        var rows = ChurnLikeData.Generate(1_000, seed: 6);
        var trainer = Trained.Trainer("random_forest");

        var first = await trainer.TrainAsync(Trained.Request(rows), new ProgressRecorder(), CancellationToken.None);
        var second = await trainer.TrainAsync(Trained.Request(rows), new ProgressRecorder(), CancellationToken.None);

        Assert.Equal(first.Score(trained.Test), second.Score(trained.Test));
    }

    [Fact]
    public async Task A_cancelled_run_stops_with_a_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Trained.Trainer("logistic_regression").TrainAsync(Trained.Request(trained.Train), new ProgressRecorder(), cancelled.Token));
    }

    [Fact]
    public async Task Cancelling_while_rows_are_read_stops_the_fit()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new CancelOnFirstReport(cancel);
        var rows = ChurnLikeData.Generate(50_000, seed: 8);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Trained.Trainer("logistic_regression").TrainAsync(Trained.Request(rows), progress, cancel.Token));
    }

    [Fact]
    public async Task Rows_of_one_class_only_are_refused_with_the_reason()
    {
        var rows = ChurnLikeData.Generate(200, seed: 3) with { Label = new bool[200] };

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Trained.Trainer("fast_tree").TrainAsync(Trained.Request(rows), new ProgressRecorder(), CancellationToken.None));

        Assert.Contains("label: all 200 training rows are negative", error.Message);
    }

    [Fact]
    public async Task Scoring_rows_without_a_feature_the_model_needs_names_the_feature()
    {
        var model = await trained.Model("lightgbm");
        var rows = OneRow(segment: "Gold");
        var withoutAge = rows with { Numeric = rows.Numeric.Where(p => p.Key != "age").ToDictionary() };

        var error = Assert.Throws<ArgumentException>(() => model.Score(withoutAge));

        Assert.Contains("features.age", error.Message);
    }

    [Fact]
    public async Task Numeric_only_and_categorical_only_tables_train_too()
    {
        var rows = ChurnLikeData.Generate(800, seed: 4);
        var numericOnly = rows with { Categorical = new Dictionary<string, string?[]>() };
        var categoricalOnly = rows with { Numeric = new Dictionary<string, float[]>() };

        foreach (var table in new[] { numericOnly, categoricalOnly })
        {
            var model = await Trained.Trainer("logistic_regression").TrainAsync(Trained.Request(table), new ProgressRecorder(), CancellationToken.None);
            Assert.All(model.Score(table), p => Assert.InRange(p, 0f, 1f));
        }
    }

    [Fact]
    public async Task Hyperparameters_given_by_the_user_change_the_model()
    {
        var rows = ChurnLikeData.Generate(1_000, seed: 7);
        var trainer = Trained.Trainer("lightgbm");

        var defaults = await trainer.TrainAsync(Trained.Request(rows), new ProgressRecorder(), CancellationToken.None);
        var stumps = await trainer.TrainAsync(
            Trained.Request(rows, new Dictionary<string, JsonElement> { ["num_iterations"] = Json("3"), ["num_leaves"] = Json("2") }),
            new ProgressRecorder(),
            CancellationToken.None);

        Assert.NotEqual(defaults.Score(trained.Test), stumps.Score(trained.Test));
        Assert.True(stumps.Score(trained.Test).Distinct().Count() < 10, "3 stumps give at most 8 distinct scores");
    }

    internal static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    internal static FeatureTable OneRow(string? segment, float sessions = 2, float recency = 120, float age = 40) =>
        new(
            new Dictionary<string, float[]> { ["recency"] = [recency], ["sessions"] = [sessions], ["age"] = [age], ["noise"] = [0.1f] },
            new Dictionary<string, string?[]> { ["segment"] = [segment], ["region"] = ["North"] },
            null);

    private sealed class CancelOnFirstReport(CancellationTokenSource source) : IProgress<double>
    {
        public void Report(double value) => source.Cancel();
    }
}
