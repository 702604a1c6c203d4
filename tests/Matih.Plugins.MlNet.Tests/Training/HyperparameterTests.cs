using System.Text.Json;
using Matih.Plugins.MlNet.Tests.Support;

namespace Matih.Plugins.MlNet.Tests.Training;

public sealed class HyperparameterTests
{
    public static TheoryData<string> TrainerIds => new() { "logistic_regression", "random_forest", "fast_tree", "lightgbm" };

    [Theory]
    [MemberData(nameof(TrainerIds))]
    public void Every_hyperparameter_has_a_default_inside_its_range_and_a_description(string trainerId)
    {
        var specs = Trained.Trainer(trainerId).Hyperparameters;

        Assert.NotEmpty(specs);
        Assert.All(specs, spec =>
        {
            Assert.False(string.IsNullOrWhiteSpace(spec.Description));
            var value = double.Parse(spec.Default!.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(value, spec.Minimum!.Value, spec.Maximum!.Value);
        });
        Assert.Equal(specs.Count, specs.Select(s => s.Name).Distinct().Count());
    }

    [Fact]
    public void LightGBM_declares_its_usual_knobs()
    {
        var names = Trained.Trainer("lightgbm").Hyperparameters.Select(s => s.Name);

        Assert.Superset(new HashSet<string> { "num_iterations", "num_leaves", "learning_rate", "min_data_in_leaf" }, names.ToHashSet());
    }

    [Theory]
    [InlineData("lightgbm", "num_leaves", "1", "params.num_leaves: must be a whole number from 2 to 131072 (got 1).")]
    [InlineData("lightgbm", "learning_rate", "\"fast\"", "params.learning_rate: must be a number from 0.0001 to 1 (got the string \"fast\").")]
    [InlineData("random_forest", "num_trees", "12.5", "params.num_trees: must be a whole number from 1 to 5000 (got 12.5).")]
    [InlineData("logistic_regression", "l2_regularization", "-1", "params.l2_regularization: must be a number from 0 to 1000 (got -1).")]
    [InlineData("fast_tree", "max_depth", "3", "params.max_depth: fast_tree has no such hyperparameter; it takes num_trees, num_leaves, min_samples_per_leaf, learning_rate, feature_fraction.")]
    public async Task A_bad_hyperparameter_is_refused_with_a_message_naming_it(string trainerId, string name, string json, string expected)
    {
        var request = Trained.Request(ChurnLikeData.Generate(100, seed: 1), new Dictionary<string, JsonElement> { [name] = TrainerTests.Json(json) });

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Trained.Trainer(trainerId).TrainAsync(request, new ProgressRecorder(), CancellationToken.None));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task Every_problem_is_reported_at_once()
    {
        var request = Trained.Request(ChurnLikeData.Generate(100, seed: 1), new Dictionary<string, JsonElement>
        {
            ["num_leaves"] = TrainerTests.Json("0"),
            ["learning_rate"] = TrainerTests.Json("5"),
        });

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            Trained.Trainer("lightgbm").TrainAsync(request, new ProgressRecorder(), CancellationToken.None));

        Assert.Contains("params.num_leaves", error.Message);
        Assert.Contains("params.learning_rate", error.Message);
    }
}
