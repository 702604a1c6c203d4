using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Matih.Core.Models;
using Matih.Core.Tests.Deployments;

namespace Matih.Core.Tests.Models;

public sealed class ModelRegistryTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private ServingStores Stores => fixture.Stores;

    private ModelRegistry Registry => fixture.Stores.Registry;

    [Fact]
    public async Task The_seed_registration_is_accepted_verbatim_and_keeps_the_given_and_the_measured_metrics()
    {
        var run = (await Stores.Runs.GetRunAsync(ServingStores.Experiment, "churn-exp-003", default))!;

        var result = await Registry.RegisterAsync(ServingStores.Seed("model-registration.json"), "priya", default);

        Assert.Empty(result.Problems);
        Assert.True(result.Created);
        var version = result.Version!;
        Assert.Equal(("customer-churn-predictor", "1.0.0", "none", "lightgbm"), (version.ModelName, version.Version, version.Stage, version.Framework));
        Assert.Equal((ServingStores.Experiment, "churn-exp-003", run.Summary.RunId, "is_churned"), (version.Source.Experiment, version.Source.Run, version.Source.RunId, version.Source.Label));
        Assert.Equal(0.871, version.Metrics["auc"]);
        Assert.Equal(0.78, version.Metrics["f1"]);
        Assert.Equal(run.Summary.Auc, version.RunMetrics["auc"]);
        Assert.Equal(run.Summary.TestRows, (long?)version.RunMetrics["test_rows"]);
        Assert.Equal(["total_orders", "avg_order_value", "days_since_last_order", "customer_age_days", "total_sessions_90d", "product_views_90d", "return_rate", "segment"],
            version.InputSchema.Select(i => i.Name));
        Assert.Equal(["int", "float", "int", "int", "int", "int", "float", "string"], version.InputSchema.Select(i => i.TypeName));
        Assert.Equal("priya@novamart.com", version.Tags["owner"]);
        Assert.Equal("customer_churn_features", version.FeatureSet);
        Assert.Equal((ServingStores.Table, run.Snapshot.Rows, run.Snapshot.ContentHash), (version.TrainingData.Table, version.TrainingData.Rows, version.TrainingData.ContentHash));

        // The registry holds its own copy of the artifact, with its hash.
        Assert.Equal(Path.Combine(Stores.Stores.Folder, "artifacts", "models", "customer-churn-predictor", "1.0.0", "model.zip"), version.Artifact.Path);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(run.Artifact!.Path))), version.Artifact.Sha256);
        Assert.Equal(new FileInfo(run.Artifact.Path).Length, version.Artifact.Bytes);
        var read = (await Registry.GetVersionAsync("customer-churn-predictor", "1.0.0", default))!;
        Assert.Equal((version.Reference, version.Artifact, version.RegisteredAt, version.Source), (read.Reference, read.Artifact, read.RegisteredAt, read.Source));
    }

    [Fact]
    public async Task A_version_is_immutable_an_identical_repeat_is_idempotent_and_a_changed_one_a_conflict_naming_what_differs()
    {
        var first = await Registry.RegisterAsync(Doc("immutable", "1.0.0"), "priya", default);
        var again = await Registry.RegisterAsync(Doc("immutable", "1.0.0"), "someone-else", default);
        var changed = await Registry.RegisterAsync(Doc("immutable", "1.0.0", d =>
        {
            d["tags"]!["owner"] = "sam@novamart.com";
            d["metrics"]!["auc"] = 0.9;
        }), "priya", default);

        Assert.True(first.Created);
        Assert.False(again.Created);
        Assert.Equal(first.Version!.RegisteredAt, again.Version!.RegisteredAt);
        Assert.Equal("priya", again.Version.RegisteredBy);
        Assert.Null(changed.Version);
        Assert.Contains("already registered with a different metrics, tags", changed.Conflict, StringComparison.Ordinal);
        Assert.Single((await Registry.VersionsAsync("immutable", default))!);
    }

    [Fact]
    public async Task A_registration_that_disagrees_with_its_run_names_each_field_and_what_differs()
    {
        var result = await Registry.RegisterAsync(Doc("disagrees", "1.0.0", d =>
        {
            d["framework"] = "xgboost";
            var inputs = d["input_schema"]!.AsObject();
            inputs["segment"] = "int";
            inputs["total_orders"] = "string";
            inputs.Remove("return_rate");
        }), "priya", default);

        Assert.Null(result.Version);
        var problems = result.Problems.ToDictionary(p => p.Path, p => p.Message);
        Assert.Equal(["framework", "input_schema", "input_schema.segment", "input_schema.total_orders"], problems.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("'xgboost' does not match run 'churn-exp-003'", problems["framework"], StringComparison.Ordinal);
        Assert.Contains("lacks return_rate", problems["input_schema"], StringComparison.Ordinal);
        Assert.Contains("used it as a category: declare string", problems["input_schema.segment"], StringComparison.Ordinal);
        Assert.Contains("used it as a number", problems["input_schema.total_orders"], StringComparison.Ordinal);
        Assert.Null(await Registry.VersionsAsync("disagrees", default));
    }

    [Fact]
    public async Task An_input_the_run_did_not_train_on_is_accepted_with_a_warning_as_the_demo_needs()
    {
        // The demo trains without days_since_last_order (the seed's label is computed from it); the seed registers it.
        await Stores.TrainAsync("churn-exp-007", "lightgbm", new JsonObject { ["num_iterations"] = 20 }, features: ServingStores.DemoFeatures);

        var result = await Registry.RegisterAsync(Doc("seven-inputs", "1.0.0", d => d["source_experiment"] = "churn-exp-007"), "priya", default);

        Assert.Empty(result.Problems);
        Assert.Equal(ServingStores.SeedInputs, result.Version!.InputSchema.Select(i => i.Name));
        Assert.Equal(ServingStores.DemoFeatures[..^1], result.Version.NumericFeatures);
        var warning = Assert.Single(result.Version.Warnings, w => w.Path == "input_schema.days_since_last_order");
        Assert.Contains("requests must still carry it", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_registration_names_every_field_at_fault()
    {
        var result = await Registry.RegisterAsync(new JsonObject
        {
            ["model_name"] = "has spaces",
            ["version"] = "1.0",
            ["framework"] = "lightgbm",
            ["metrics"] = new JsonObject { ["auc"] = "high" },
            ["input_schema"] = new JsonObject { ["total_orders"] = "integer" },
            ["tags"] = new JsonObject { ["team"] = 7 },
            ["modle_name"] = "typo",
        }, "priya", default);

        Assert.Equal(new[] { "metrics.auc", "model_name", "modle_name", "input_schema.total_orders", "source_experiment", "tags.team", "version" }.Order(StringComparer.Ordinal),
            result.Problems.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.Contains("not a semantic version", result.Problems.Single(p => p.Path == "version").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_a_succeeded_run_that_exists_can_be_registered()
    {
        var queued = await Stores.Runs.StartAsync("waiting", new JsonObject
        {
            ["name"] = "churn-exp-queued",
            ["trainer"] = "lightgbm",
            ["table"] = ServingStores.Table,
            ["label"] = "is_churned",
            ["features"] = new JsonArray("total_orders", "avg_order_value", "days_since_last_order", "customer_age_days", "total_sessions_90d", "product_views_90d", "return_rate", "segment"),
        }, "priya", default);
        Assert.NotNull(queued.RunId);

        var missing = await Registry.RegisterAsync(Doc("runs", "1.0.0", d => d["source_experiment"] = "churn-exp-999"), "priya", default);
        var notYet = await Registry.RegisterAsync(Doc("runs", "1.0.0", d => d["source_experiment"] = "churn-exp-queued"), "priya", default);

        Assert.Equal("source_experiment", Assert.Single(missing.Problems).Path);
        Assert.Contains("No experiment run is named 'churn-exp-999'", missing.Problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("is queued; register it once it has succeeded", Assert.Single(notYet.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_far_from_what_the_run_measured_are_kept_with_a_warning()
    {
        var version = (await Registry.RegisterAsync(Doc("optimistic", "1.0.0", d => d["metrics"]!["auc"] = 0.2), "priya", default)).Version!;

        Assert.Equal(0.2, version.Metrics["auc"]);
        var warning = Assert.Single(version.Warnings, w => w.Path == "metrics.auc");
        Assert.Contains("registered as 0.2, but run 'churn-exp-003' measured", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(version.Warnings, w => w.Path == "metrics.f1" && Math.Abs(version.Metrics["f1"] - version.RunMetrics["f1"]!.Value) <= ModelRegistry.MetricTolerance);
    }

    [Fact]
    public async Task A_feature_set_that_is_not_synced_yet_is_accepted_with_a_warning_about_online_lookups()
    {
        var version = (await Registry.RegisterAsync(Doc("unsynced", "1.0.0", d => d["feature_set"] = "not_synced_features"), "priya", default)).Version!;

        var warning = Assert.Single(version.Warnings, w => w.Path == "feature_set");
        Assert.Contains("no feature group is named 'not_synced_features' yet; requests carrying only the entity key answer 404", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_holds_one_version_moving_it_archives_the_previous_one_as_MLflow_does()
    {
        await Registry.RegisterAsync(Doc("staged", "1.0.0"), "priya", default);
        await Registry.RegisterAsync(Doc("staged", "1.1.0", d => d["source_experiment"] = "churn-exp-001", framework: "mlnet"), "priya", default);

        var first = await Registry.SetStageAsync("staged", "1.0.0", "production", archiveExisting: true, "priya", default);
        var refused = await Registry.SetStageAsync("staged", "1.1.0", "production", archiveExisting: false, "priya", default);
        var second = await Registry.SetStageAsync("staged", "1.1.0", "Production", archiveExisting: true, "priya", default);
        var staging = await Registry.SetStageAsync("staged", "1.0.0", "staging", archiveExisting: true, "priya", default);
        var bad = await Registry.SetStageAsync("staged", "1.0.0", "canary", archiveExisting: true, "priya", default);
        var unknown = await Registry.SetStageAsync("staged", "9.9.9", "staging", archiveExisting: true, "priya", default);

        Assert.Equal("production", first!.Version!.Stage);
        Assert.Contains("1.0.0 is in production", refused!.Conflict, StringComparison.Ordinal);
        Assert.Equal("production", second!.Version!.Stage);
        Assert.Equal(["1.0.0"], second.Archived);
        Assert.Equal("staging", staging!.Version!.Stage);
        Assert.Equal("stage", bad!.Problem!.Path);
        Assert.Null(unknown);

        var versions = (await Registry.VersionsAsync("staged", default))!;
        Assert.Equal([("1.1.0", "production"), ("1.0.0", "staging")], versions.Select(v => (v.Version, v.Stage)));
        var history = await Registry.StageHistoryAsync("staged", default);
        Assert.Equal([("1.0.0", "archived", "staging"), ("1.0.0", "production", "archived"), ("1.1.0", "none", "production"), ("1.0.0", "none", "production")],
            history.Select(h => (h.Version, h.From, h.To)));
        Assert.Equal("1.1.0 moved to production", history[1].Reason);
        var listed = Assert.Single(await Registry.ListAsync(default), m => m.Name == "staged");
        Assert.Equal((2, "1.1.0", "1.1.0"), (listed.Versions, listed.LatestVersion, listed.ProductionVersion));
        Assert.Equal(["1.0.0"], listed.StagingVersions);
    }

    [Fact]
    public async Task References_resolve_by_version_and_by_stage_alias_and_bad_ones_say_why()
    {
        await Registry.RegisterAsync(Doc("refs", "1.0.0"), "priya", default);
        await Registry.RegisterAsync(Doc("refs", "1.2.0-rc.1"), "priya", default);
        await Registry.RegisterAsync(Doc("refs", "1.10.0"), "priya", default);
        await Registry.SetStageAsync("refs", "1.0.0", "production", true, "priya", default);

        Assert.Equal("1.0.0", (await Registry.ResolveAsync("refs/1.0.0", default)).Version!.Version);
        Assert.Equal("1.0.0", (await Registry.ResolveAsync("refs@production", default)).Version!.Version);
        Assert.Equal("1.10.0", (await Registry.ResolveAsync("refs@latest", default)).Version!.Version);
        Assert.Contains("No version of refs is in staging", (await Registry.ResolveAsync("refs@staging", default)).Problem, StringComparison.Ordinal);
        Assert.Contains("refs has no version 2.0.0; its versions are 1.10.0, 1.2.0-rc.1, 1.0.0", (await Registry.ResolveAsync("refs/2.0.0", default)).Problem, StringComparison.Ordinal);
        Assert.Contains("No model is registered as 'nothing'", (await Registry.ResolveAsync("nothing/1.0.0", default)).Problem, StringComparison.Ordinal);
        Assert.Contains("is not a model reference", (await Registry.ResolveAsync("refs:1.0.0", default)).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_versions_lineage_leads_to_its_run_its_feature_table_and_the_tables_upstream()
    {
        await Stores.SyncFeatureGroupAsync();
        await Registry.RegisterAsync(Doc("traced", "1.0.0"), "priya", default);

        var lineage = (await Registry.LineageAsync("traced", "1.0.0", default))!;

        Assert.Equal("traced/1.0.0", lineage.Model);
        Assert.Equal(("churn-exp-003", "succeeded", "lightgbm"), (lineage.Run!.Name, lineage.Run.State, lineage.Run.Trainer));
        Assert.Equal(ServingStores.Table, lineage.FeatureTable);
        Assert.Equal((true, ServingStores.Table, "customer_id"), (lineage.FeatureSet!.Exists, lineage.FeatureSet.SourceTable, lineage.FeatureSet.EntityKey));
        Assert.Contains(lineage.Upstream.Nodes, n => n.Id == "analytics.raw.customer_activity" && n.Depth == -1);
        Assert.Contains(lineage.Upstream.Edges, e => e.From == "analytics.raw.customer_activity" && e.To == ServingStores.Table);
        Assert.DoesNotContain(lineage.Upstream.Nodes, n => n.Depth > 0);
    }

    /// <summary>The seed's registration under another model name and version, so tests do not share versions.</summary>
    private static JsonObject Doc(string model, string version, Action<JsonObject>? change = null, string? framework = null) => ServingStores.Registration(d =>
    {
        d["model_name"] = model;
        d["version"] = version;
        if (framework is not null)
        {
            d["framework"] = framework;
        }

        change?.Invoke(d);
    });
}
