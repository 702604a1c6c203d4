using System.Text.Json.Nodes;
using Matih.Core.Experiments;
using Matih.Sdk.Serving;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Tests.Experiments;

public sealed class ExperimentRunsTests : IDisposable
{
    private readonly ExperimentStores _stores = new();

    public void Dispose() => _stores.Dispose();

    [Fact]
    public async Task Starting_a_run_queues_a_background_job_and_answers_queued()
    {
        var started = await _stores.Runs.StartAsync("churn", ExperimentStores.Request("churn-exp-001"), "priya", default);

        Assert.Empty(started.Problems);
        Assert.Equal("queued", started.State);
        Assert.Equal(1, _stores.Jobs.GetMonitoringApi().EnqueuedCount("default"));
        var run = await _stores.Runs.GetRunAsync("churn", "churn-exp-001", default);
        Assert.Equal(("queued", started.RunId!.Value), (run!.Summary.State, run.Summary.RunId));
    }

    [Fact]
    public async Task A_finished_run_records_metrics_curves_importance_artifact_and_data_snapshot()
    {
        var run = await _stores.TrainAsync("churn", ExperimentStores.Request("churn-exp-003", "lightgbm"));

        var summary = run.Summary;
        Assert.True(summary.State == "succeeded", summary.Error);
        Assert.Equal((1.0, (string?)null), (summary.Progress, summary.Stage));
        Assert.Equal(("lightgbm", "Gradient Boosting (LightGBM)", "lightgbm"), (summary.Trainer, summary.Model, run.Framework));
        Assert.InRange(summary.Auc!.Value, 0.8, 1.0);
        Assert.All(new[] { summary.Precision, summary.Recall, summary.F1, summary.Accuracy }, m => Assert.InRange(m!.Value, 0.5, 1.0));
        Assert.InRange(summary.LogLoss!.Value, 0.05, 0.6);
        Assert.True(summary.TrainingSeconds > 0);
        Assert.Equal((2_250L, 750L), (summary.TrainRows!.Value, summary.TestRows!.Value));
        Assert.Equal(["recency", "sessions", "noise", "segment"], summary.Features);
        Assert.Equal(["recency", "sessions", "noise"], run.NumericFeatures);
        Assert.Equal(["segment"], run.CategoricalFeatures);
        Assert.Equal("data-science", summary.Tags["team"]);

        var confusion = run.Confusion!;
        Assert.Equal(750, confusion.TruePositives + confusion.FalsePositives + confusion.TrueNegatives + confusion.FalseNegatives);
        Assert.InRange(run.Roc.Count, 50, ClassifierEvaluation.CurvePoints);
        Assert.Equal((0.0, 0.0), (run.Roc[0].FalsePositiveRate, run.Roc[0].TruePositiveRate));
        Assert.Equal((1.0, 1.0), (run.Roc[^1].FalsePositiveRate, run.Roc[^1].TruePositiveRate));
        Assert.InRange(run.PrecisionRecall.Count, 50, ClassifierEvaluation.CurvePoints);
        Assert.Equal("recency", run.FeatureImportance.First().Key);
        Assert.Equal(1.0, run.FeatureImportance.Values.Sum(), 6);

        Assert.Equal(Path.Combine(_stores.Stores.Folder, "artifacts", "experiments", "churn", "churn-exp-003", "model.zip"), run.Artifact!.Path);
        Assert.Equal(new FileInfo(run.Artifact.Path).Length, run.Artifact.Bytes);
        Assert.Equal((ExperimentStores.Table, (long)(ExperimentStores.LabelledRows + ExperimentStores.UnlabelledRows), (long)ExperimentStores.UnlabelledRows),
            (run.Snapshot.Table, run.Snapshot.Rows!.Value, run.Snapshot.SkippedRows!.Value));
        Assert.StartsWith("fnv1a64-sum:", run.Snapshot.ContentHash, StringComparison.Ordinal);
        Assert.Equal(31, run.Hyperparameters["num_leaves"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_model_a_run_saved_loads_in_the_serving_runtime_and_explains_a_prediction()
    {
        // A model sized for 2,250 rows; with LightGBM's defaults the late trees fit noise, which then shares the credit.
        var run = await _stores.TrainAsync("churn", ExperimentStores.Request("served", "lightgbm", r =>
            r["params"] = new JsonObject { ["num_iterations"] = 30, ["num_leaves"] = 8 }));

        using var predictor = await _stores.Serving.LoadAsync(
            new ModelArtifact(run.Framework, run.Artifact!.Path, run.NumericFeatures, run.CategoricalFeatures), default);
        var lapsed = predictor.Predict(new FeatureVector(
            new Dictionary<string, float> { ["recency"] = 180, ["sessions"] = 4, ["noise"] = 50 },
            new Dictionary<string, string?> { ["segment"] = "Silver" }), topFactors: 2);
        var active = predictor.Predict(new FeatureVector(
            new Dictionary<string, float> { ["recency"] = 10, ["sessions"] = 4, ["noise"] = 50 },
            new Dictionary<string, string?> { ["segment"] = "Silver" }), topFactors: 2);

        Assert.InRange(lapsed.Probability, 0.6f, 1f);
        Assert.InRange(active.Probability, 0f, 0.4f);
        Assert.True(lapsed.TopFactors[0].Feature == "recency", string.Join(", ", lapsed.TopFactors));
    }

    [Fact]
    public async Task The_same_data_and_seed_train_the_same_model_and_a_data_change_changes_the_hash()
    {
        var first = await _stores.TrainAsync("churn", ExperimentStores.Request("a", "random_forest"));
        var second = await _stores.TrainAsync("churn", ExperimentStores.Request("b", "random_forest"));
        await _stores.Stores.Warehouse.ExecuteAsync($"UPDATE {ExperimentStores.Table} SET noise = noise + 1 WHERE customer_id = 5", default);
        var third = await _stores.TrainAsync("churn", ExperimentStores.Request("c", "random_forest"));

        Assert.Equal(first.Snapshot.ContentHash, second.Snapshot.ContentHash);
        Assert.Equal(first.Summary.Auc, second.Summary.Auc);
        Assert.Equal(first.Summary.LogLoss, second.Summary.LogLoss);
        Assert.NotEqual(first.Snapshot.ContentHash, third.Snapshot.ContentHash);
    }

    [Fact]
    public async Task Every_trainer_ranks_the_held_out_customers_well_and_trees_beat_the_linear_model_on_a_step()
    {
        var auc = new Dictionary<string, double>();
        foreach (var trainer in new[] { "logistic_regression", "random_forest", "fast_tree", "lightgbm" })
        {
            var run = await _stores.TrainAsync("compare", ExperimentStores.Request($"run-{trainer}", trainer));
            Assert.True(run.Summary.State == "succeeded", run.Summary.Error);
            auc[trainer] = run.Summary.Auc!.Value;
        }

        Assert.All(auc.Values, a => Assert.InRange(a, 0.75, 1.0));
        Assert.True(auc["logistic_regression"] < auc["lightgbm"], string.Join(", ", auc));
    }

    [Fact]
    public async Task A_split_by_time_holds_out_the_latest_rows()
    {
        var run = await _stores.TrainAsync("churn", ExperimentStores.Request("by-time", change: r =>
            r["split"] = new JsonObject { ["fraction"] = 0.1, ["time_column"] = "signup_date" }));

        Assert.True(run.Summary.State == "succeeded", run.Summary.Error);
        Assert.Equal(("signup_date", 0.1), (run.Split.TimeColumn, run.Split.Fraction));
        Assert.Equal((2_700L, 300L), (run.Summary.TrainRows!.Value, run.Summary.TestRows!.Value));
    }

    [Fact]
    public async Task Features_given_as_numeric_and_categorical_lists_are_used_as_given()
    {
        var run = await _stores.TrainAsync("churn", ExperimentStores.Request("typed", change: r =>
            r["features"] = new JsonObject { ["numeric"] = new JsonArray("recency"), ["categorical"] = new JsonArray("segment", "sessions") }));

        Assert.True(run.Summary.State == "succeeded", run.Summary.Error);
        Assert.Equal(["recency"], run.NumericFeatures);
        Assert.Equal(["segment", "sessions"], run.CategoricalFeatures);
    }

    [Theory]
    [InlineData("trainer", "\"xgboost\"", "trainer", "'xgboost' is not a loaded trainer; use one of")]
    [InlineData("table", "\"analytics.ml.nowhere\"", "table", "The warehouse has no table analytics.ml.nowhere.")]
    [InlineData("table", "\"churn\"", "table", "is not a table name")]
    [InlineData("label", "\"churn_flag\"", "label", "has no column 'churn_flag'")]
    [InlineData("label", "\"signup_date\"", "label", "a binary label must hold 0/1 or true/false")]
    [InlineData("features", "[\"recency\", \"tenure\"]", "features[1]", "has no column 'tenure'")]
    [InlineData("features", "[\"recency\", \"signup_date\"]", "features[1]", "neither a number nor a category")]
    [InlineData("features", "[\"recency\", \"churned\"]", "features", "'churned' is the label")]
    [InlineData("features", "[]", "features", "At least one feature is needed.")]
    [InlineData("params", "{\"num_leaves\": 1}", "params.num_leaves", "num_leaves must be at least 2")]
    [InlineData("params", "{\"depth\": 3}", "params.depth", "lightgbm has no hyperparameter 'depth'")]
    [InlineData("split", "{\"fraction\": 1.5}", "split.fraction", "between 0 and 1")]
    [InlineData("split", "{\"time_column\": \"segment\"}", "split.time_column", "must be a date, a timestamp or a number")]
    [InlineData("name", "\"../evil\"", "name", "is not a run name")]
    [InlineData("colour", "\"blue\"", "colour", "'colour' is not a run field")]
    public async Task A_bad_request_is_refused_with_the_field_named(string field, string json, string path, string message)
    {
        var request = ExperimentStores.Request("bad", "lightgbm", r => r[field] = JsonNode.Parse(json));

        var started = await _stores.Runs.StartAsync("churn", request, "priya", default);

        Assert.Null(started.RunId);
        var problem = Assert.Single(started.Problems, p => p.Path == path);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.Equal(0, _stores.Jobs.GetMonitoringApi().EnqueuedCount("default"));
    }

    [Fact]
    public async Task Missing_required_fields_are_each_named()
    {
        var started = await _stores.Runs.StartAsync("churn", new JsonObject(), "priya", default);

        Assert.Equal(["features", "label", "name", "table", "trainer"], started.Problems.Select(p => p.Path).Order());
    }

    [Fact]
    public async Task A_second_run_with_the_same_name_in_an_experiment_is_a_conflict_but_another_experiment_may_reuse_it()
    {
        await _stores.Runs.StartAsync("churn", ExperimentStores.Request("churn-exp-001"), "priya", default);

        var again = await _stores.Runs.StartAsync("churn", ExperimentStores.Request("churn-exp-001"), "priya", default);
        var elsewhere = await _stores.Runs.StartAsync("other", ExperimentStores.Request("churn-exp-001"), "priya", default);

        Assert.Null(again.RunId);
        Assert.Contains("already has a run named 'churn-exp-001'", again.Conflict, StringComparison.Ordinal);
        Assert.NotNull(elsewhere.RunId);
    }

    [Fact]
    public async Task A_label_that_is_not_binary_fails_the_run_with_the_reason()
    {
        await _stores.Stores.Warehouse.ExecuteAsync($"CREATE TABLE analytics.ml.scores AS SELECT recency, sessions, noise, segment, (recency % 3)::INTEGER AS grade FROM {ExperimentStores.Table}", default);

        var run = await _stores.TrainAsync("churn", ExperimentStores.Request("graded", change: r =>
        {
            r["table"] = "analytics.ml.scores";
            r["label"] = "grade";
        }));

        Assert.Equal("failed", run.Summary.State);
        Assert.Contains("label: row", run.Summary.Error, StringComparison.Ordinal);
        Assert.Contains("of column 'grade' holds 2; a binary label must be 0/1 or true/false.", run.Summary.Error, StringComparison.Ordinal);
        Assert.Null(run.Artifact);
    }

    [Fact]
    public async Task A_queued_run_can_be_cancelled_and_then_never_trains()
    {
        var started = await _stores.Runs.StartAsync("churn", ExperimentStores.Request("to-cancel"), "priya", default);

        Assert.True(await _stores.Runs.CancelAsync("churn", "to-cancel", default));
        await _stores.Runs.ExecuteAsync(started.RunId!.Value, default);

        var run = await _stores.Runs.GetRunAsync("churn", "to-cancel", default);
        Assert.Equal("cancelled", run!.Summary.State);
        Assert.Null(run.Summary.Auc);
        Assert.False(await _stores.Runs.CancelAsync("churn", "to-cancel", default));
    }

    [Fact]
    public async Task Runs_a_stopped_host_left_behind_are_queued_again_at_start()
    {
        var started = await _stores.Runs.StartAsync("churn", ExperimentStores.Request("interrupted"), "priya", default);
        await using (var db = await _stores.Stores.Contexts.CreateDbContextAsync())
        {
            await db.Set<ExperimentRunRecord>().Where(r => r.Id == started.RunId).ExecuteUpdateAsync(s => s.SetProperty(r => r.State, "running"));
        }

        var recovered = await _stores.Runs.RecoverAsync(default);
        await _stores.Runs.ExecuteAsync(started.RunId!.Value, default);

        Assert.Equal(1, recovered);
        Assert.Equal(2, _stores.Jobs.GetMonitoringApi().EnqueuedCount("default"));
        Assert.Equal("succeeded", (await _stores.Runs.GetRunAsync("churn", "interrupted", default))!.Summary.State);
    }

    [Fact]
    public async Task A_run_is_found_by_its_name_or_its_id_and_only_in_its_own_experiment()
    {
        var started = await _stores.Runs.StartAsync("churn", ExperimentStores.Request("churn-exp-002"), "priya", default);

        Assert.NotNull(await _stores.Runs.GetRunAsync("churn", "churn-exp-002", default));
        Assert.NotNull(await _stores.Runs.GetRunAsync("churn", started.RunId!.Value.ToString(), default));
        Assert.Null(await _stores.Runs.GetRunAsync("other", "churn-exp-002", default));
        Assert.Null(await _stores.Runs.GetRunAsync("churn", "churn-exp-999", default));
        var anywhere = Assert.Single(await _stores.Runs.FindRunsByNameAsync("churn-exp-002", default));
        Assert.Equal(("churn", started.RunId), (anywhere.Summary.Experiment, anywhere.Summary.RunId));
    }

    [Fact]
    public async Task Experiments_list_their_run_counts_and_best_run()
    {
        await _stores.TrainAsync("churn", ExperimentStores.Request("lr"));
        await _stores.TrainAsync("churn", ExperimentStores.Request("gbm", "lightgbm"));
        await _stores.Runs.StartAsync("churn", ExperimentStores.Request("waiting"), "priya", default);

        var experiment = Assert.Single(await _stores.Runs.ListExperimentsAsync(default));

        Assert.Equal(("churn", 3, 2, 1), (experiment.Name, experiment.Runs, experiment.Succeeded, experiment.Active));
        var best = await _stores.Runs.GetRunAsync("churn", experiment.BestRun!, default);
        Assert.Equal(experiment.BestAuc, best!.Summary.Auc);
    }
}
