using Matih.Plugins.MlNet.Serving;
using Matih.Plugins.MlNet.Tests.Support;
using Matih.Plugins.MlNet.Tests.Training;
using Matih.Sdk.Serving;

namespace Matih.Plugins.MlNet.Tests.Serving;

public sealed class ServingRuntimeTests(Trained trained) : IClassFixture<Trained>
{
    public static TheoryData<string> TrainerIds => new() { "logistic_regression", "random_forest", "fast_tree", "lightgbm" };

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public async Task A_saved_and_loaded_model_scores_every_row_exactly_as_the_trained_one(string trainerId)
    {
        var model = await trained.Model(trainerId);
        var expected = model.Score(trained.Test);
        using var predictor = await Artifacts.LoadAsync(model, trained.Test);

        for (var i = 0; i < 500; i++)
        {
            var row = Artifacts.Row(trained.Test, i);
            Assert.Equal(expected[i], predictor.Predict(row, topFactors: 0).Probability);
            Assert.Equal(expected[i], predictor.Predict(row, topFactors: 3).Probability);
        }
    }

    [Fact]
    public async Task The_saved_artifact_is_a_plain_MLNET_model_file_of_modest_size()
    {
        var path = await Artifacts.SaveAsync(await trained.Model("lightgbm"));
        try
        {
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.Equal((byte)'P', bytes[0]);
            Assert.Equal((byte)'K', bytes[1]);
            Assert.InRange(bytes.Length, 1_000, 5_000_000);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public async Task Top_factors_name_the_feature_that_drives_a_prediction(string trainerId)
    {
        using var predictor = await Artifacts.LoadAsync(await trained.Model(trainerId), trained.Test);
        // Long since the last order, average everything else: recency explains the high churn probability.
        var row = Artifacts.Row(TrainerTests.OneRow(segment: "Silver", sessions: 5, recency: 190, age: 50), 0);

        var prediction = predictor.Predict(row, topFactors: 3);

        Assert.True(prediction.Probability > 0.5, $"probability {prediction.Probability}");
        Assert.Equal(3, prediction.TopFactors.Count);
        Assert.Equal("recency", prediction.TopFactors[0].Feature);
        Assert.Equal(prediction.TopFactors.OrderByDescending(f => f.Importance), prediction.TopFactors);
        Assert.All(prediction.TopFactors, f => Assert.InRange(f.Importance, 0, 1));
        Assert.InRange(prediction.TopFactors.Sum(f => f.Importance), 0, 1.000001);
    }

    [Fact]
    public async Task A_categorical_feature_is_named_as_the_user_named_it_not_by_its_one_hot_slot()
    {
        using var predictor = await Artifacts.LoadAsync(await trained.Model("logistic_regression"), trained.Test);
        var bronze = Artifacts.Row(TrainerTests.OneRow(segment: "Bronze", sessions: 5, recency: 60, age: 50), 0);

        var prediction = predictor.Predict(bronze, topFactors: 6);

        var names = prediction.TopFactors.Select(f => f.Feature).ToArray();
        Assert.Equal(["age", "noise", "recency", "region", "segment", "sessions"], names.Order());
        Assert.True(prediction.TopFactors.Single(f => f.Feature == "segment").Importance > prediction.TopFactors.Single(f => f.Feature == "region").Importance);
    }

    [Fact]
    public async Task Asking_for_more_factors_than_features_returns_every_feature_once()
    {
        using var predictor = await Artifacts.LoadAsync(await trained.Model("fast_tree"), trained.Test);

        var prediction = predictor.Predict(Artifacts.Row(trained.Test, 0), topFactors: 50);

        Assert.Equal(6, prediction.TopFactors.Count);
        Assert.Equal(1.0, prediction.TopFactors.Sum(f => f.Importance), 5);
    }

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public async Task An_unseen_category_and_a_missing_number_are_answered_not_rejected(string trainerId)
    {
        using var predictor = await Artifacts.LoadAsync(await trained.Model(trainerId), trained.Test);
        var unseen = Artifacts.Row(TrainerTests.OneRow(segment: "Platinum", sessions: float.NaN), 0);
        var missing = Artifacts.Row(TrainerTests.OneRow(segment: null, sessions: float.NaN), 0);

        var prediction = predictor.Predict(unseen, topFactors: 3);

        Assert.InRange(prediction.Probability, 0f, 1f);
        Assert.Equal(predictor.Predict(missing, topFactors: 0).Probability, prediction.Probability);
    }

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public async Task Many_threads_predicting_at_once_get_the_same_answers_as_one_thread(string trainerId)
    {
        var model = await trained.Model(trainerId);
        using var predictor = await Artifacts.LoadAsync(model, trained.Test);
        var rows = Enumerable.Range(0, 400).Select(i => Artifacts.Row(trained.Test, i)).ToArray();
        var expected = rows.Select(r => predictor.Predict(r, topFactors: 2)).ToArray();

        var mismatches = 0;
        var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
        {
            for (var n = 0; n < 1_200; n++)
            {
                var i = (n * 7 + t * 13) % rows.Length;
                var actual = predictor.Predict(rows[i], topFactors: n % 3 == 0 ? 0 : 2);
                if (actual.Probability != expected[i].Probability
                    || (actual.TopFactors.Count > 0 && !actual.TopFactors.SequenceEqual(expected[i].TopFactors)))
                {
                    Interlocked.Increment(ref mismatches);
                }
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public async Task An_input_without_a_feature_the_model_needs_names_the_feature()
    {
        using var predictor = await Artifacts.LoadAsync(await trained.Model("lightgbm"), trained.Test);
        var row = Artifacts.Row(trained.Test, 0);
        var withoutSegment = row with { Categorical = row.Categorical.Where(p => p.Key != "segment").ToDictionary() };
        var withoutAge = row with { Numeric = row.Numeric.Where(p => p.Key != "age").ToDictionary() };

        Assert.StartsWith("segment:", Assert.Throws<ArgumentException>(() => predictor.Predict(withoutSegment, 3)).Message);
        Assert.StartsWith("age:", Assert.Throws<ArgumentException>(() => predictor.Predict(withoutAge, 0)).Message);
        // The pooled engine that saw the bad input still answers the next good one.
        Assert.InRange(predictor.Predict(row, 3).Probability, 0f, 1f);
    }

    [Fact]
    public async Task A_registration_whose_features_do_not_match_the_artifact_is_refused_when_loading()
    {
        var path = await Artifacts.SaveAsync(await trained.Model("lightgbm"));
        try
        {
            var artifact = new ModelArtifact("lightgbm", path, ["recency", "sessions", "age"], ["segment", "region"]);

            var error = await Assert.ThrowsAsync<InvalidDataException>(() => new MlNetServingRuntime().LoadAsync(artifact, CancellationToken.None));

            Assert.Contains("trained on 4 numeric feature(s), but the registration lists 3", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_file_that_is_not_a_model_is_refused_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"matih-not-a-model-{Guid.NewGuid():N}.zip");
        await File.WriteAllTextAsync(path, "hello");
        try
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
                new MlNetServingRuntime().LoadAsync(new ModelArtifact("mlnet", path, ["x"], []), CancellationToken.None));

            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_framework_the_runtime_does_not_serve_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            new MlNetServingRuntime().LoadAsync(new ModelArtifact("pytorch", "/nowhere/model.pt", ["x"], []), CancellationToken.None));

        Assert.Contains("not 'pytorch'", error.Message);
    }

    [Fact]
    public async Task A_disposed_predictor_refuses_further_predictions()
    {
        var predictor = await Artifacts.LoadAsync(await trained.Model("logistic_regression"), trained.Test);
        predictor.Dispose();

        Assert.Throws<ObjectDisposedException>(() => predictor.Predict(Artifacts.Row(trained.Test, 0), 1));
    }
}
