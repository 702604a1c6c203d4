using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Audit;
using Matih.Core.Deployments;
using Matih.Sdk.Serving;

namespace Matih.Core.Tests.Deployments;

public sealed class ServingEngineTests(ServingFixture fixture) : IClassFixture<ServingFixture>
{
    private static readonly string[] s_inputs =
        ["total_orders", "avg_order_value", "days_since_last_order", "customer_age_days", "total_sessions_90d", "product_views_90d", "return_rate", "segment"];

    private ServingStores Stores => fixture.Stores;

    private ServingEngine Engine => fixture.Stores.Engine;

    [Fact]
    public async Task The_seed_deployment_is_accepted_verbatim_and_answers_the_seed_request_in_the_seed_shape()
    {
        await EnsureSeedModelAsync();
        var deployed = await Engine.DeployAsync(ServingStores.Seed("deployment.json"), "priya", default);

        Assert.Empty(deployed.Problems);
        var view = deployed.Deployment!;
        Assert.Equal(("churn-predictor-v1", "running", "customer-churn-predictor", "1.0.0"), (view.Name, view.Status, view.ModelName, view.ModelVersion));
        Assert.Equal(("ray_serve", "mlnet", "/serve/churn-predictor-v1/predict"), (view.Runtime, view.ServedBy, view.Endpoint));
        Assert.Equal(2, view.Replicas);
        Assert.Equal((100, 2, 6, 10.0), (view.Settings!.MaxConcurrentQueries, view.Settings.MinReplicas, view.Settings.MaxReplicas, view.Settings.TargetOngoingRequestsPerReplica));
        Assert.Equal(("churn_probability", "churn_risk", 3), (view.Settings.ProbabilityField, view.Settings.RiskField, view.Settings.TopFactors));
        Assert.Equal(2147483648L, view.Document["config"]!["ray_actor_options"]!["memory"]!.GetValue<long>());
        Assert.Equal(("/health", 30.0), (view.Settings.HealthCheckPath, view.Settings.HealthCheckIntervalSeconds));
        Assert.Equal("deployed", Assert.Single(view.Events).Kind);

        var answer = await PredictJsonAsync("churn-predictor-v1", File.ReadAllText(SeedPath("churn-predict-request.json")));

        var expected = ServingStores.Seed("churn-predict-response.json");
        Assert.Equal(expected.Select(p => p.Key).Append("model_version"), answer.Select(p => p.Key));
        Assert.Equal(1042587, answer["customer_id"]!.GetValue<long>());
        var probability = answer["churn_probability"]!.GetValue<double>();
        Assert.InRange(probability, 0, 1);
        Assert.Equal(probability < 0.3 ? "LOW" : probability <= 0.7 ? "MEDIUM" : "HIGH", answer["churn_risk"]!.GetValue<string>());
        var factors = answer["top_factors"]!.AsArray();
        Assert.Equal(3, factors.Count);
        Assert.All(factors, f => Assert.Contains(f!["feature"]!.GetValue<string>(), s_inputs));
        Assert.Equal(["feature", "importance"], factors[0]!.AsObject().Select(p => p.Key));
        var importances = factors.Select(f => f!["importance"]!.GetValue<double>()).ToArray();
        Assert.Equal(importances.OrderDescending(), importances);
        Assert.InRange(importances.Sum(), 0.01, 1.0001);
        Assert.Equal("1.0.0", answer["model_version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_extra_and_wrongly_typed_fields_are_refused_naming_each_field()
    {
        await DeployAsync("validated");
        var body = SeedRequest();
        body.Remove("return_rate");
        body["loyalty_points"] = 12;
        body["total_orders"] = 45.2;
        body["segment"] = 3;
        body["avg_order_value"] = "cheap";

        var outcome = await PredictAsync("validated", body);

        Assert.Equal(PredictionStatus.Invalid, outcome.Status);
        var problems = outcome.Problems.ToDictionary(p => p.Path, p => p.Message);
        Assert.Equal(["avg_order_value", "loyalty_points", "return_rate", "segment", "total_orders"], problems.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("must be a whole number (int), not the number 45.2.", problems["total_orders"]);
        Assert.Equal("must be a string, not the number 3.", problems["segment"]);
        Assert.Equal("must be a number (float), not the string \"cheap\".", problems["avg_order_value"]);
        Assert.Equal("is missing: the model needs it (float).", problems["return_rate"]);
        Assert.StartsWith("is not an input of vldtd/1.0.0; its inputs are total_orders, avg_order_value", problems["loyalty_points"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_answers_each_instance_in_order_and_names_the_instance_of_a_bad_field()
    {
        await DeployAsync("batched");
        var lapsed = SeedRequest(r => r["days_since_last_order"] = 180);
        var active = SeedRequest(r =>
        {
            r["customer_id"] = 7;
            r["days_since_last_order"] = 3;
            r["total_sessions_90d"] = 25;
        });

        var answer = await PredictJsonAsync("batched", new JsonObject { ["instances"] = new JsonArray(lapsed, active) }.ToJsonString());
        var refused = await PredictAsync("batched", new JsonObject { ["instances"] = new JsonArray(SeedRequest(), SeedRequest(r => r["segment"] = null), SeedRequest(r => r.Remove("total_orders"))) });

        var predictions = answer["predictions"]!.AsArray();
        Assert.Equal([1042587L, 7L], predictions.Select(p => p!["customer_id"]!.GetValue<long>()));
        Assert.True(predictions[0]!["churn_probability"]!.GetValue<double>() > predictions[1]!["churn_probability"]!.GetValue<double>());
        Assert.Equal(PredictionStatus.Invalid, refused.Status);
        Assert.Equal("instances[2].total_orders", Assert.Single(refused.Problems).Path);
    }

    [Fact]
    public async Task A_request_with_only_the_entity_key_reads_its_inputs_from_the_online_store()
    {
        await Stores.SyncFeatureGroupAsync();
        await DeployAsync("online");
        var row = (await Stores.Stores.Warehouse.QueryAsync(
            $"SELECT {string.Join(", ", s_inputs)} FROM {ServingStores.Table} WHERE customer_id = 1000042", default)).Rows[0];
        var explicitBody = new JsonObject { ["customer_id"] = 1000042 };
        for (var i = 0; i < s_inputs.Length; i++)
        {
            explicitBody[s_inputs[i]] = JsonValue.Create(row[i]);
        }

        var fromStore = await PredictJsonAsync("online", """{"customer_id": 1000042}""");
        var given = await PredictJsonAsync("online", explicitBody.ToJsonString());
        var unknown = await PredictAsync("online", new JsonObject { ["customer_id"] = 99 });

        Assert.Equal(1000042, fromStore["customer_id"]!.GetValue<long>());
        Assert.Equal(given["churn_probability"]!.GetValue<double>(), fromStore["churn_probability"]!.GetValue<double>());
        Assert.Equal(PredictionStatus.NotFound, unknown.Status);
        Assert.Equal("customer_id", Assert.Single(unknown.Problems).Path);
        Assert.Equal("customer_id 99 has no features in feature group customer_churn_features.", unknown.Message);
    }

    [Fact]
    public async Task Over_max_concurrent_queries_a_request_is_refused_at_once_with_retry_after()
    {
        await DeployAsync("limited", d => d["config"]!["max_concurrent_queries"] = 1);
        var batch = new JsonObject { ["instances"] = new JsonArray(Enumerable.Range(0, ServingEngine.MaxBatch).Select(i => (JsonNode)SeedRequest(r => r["customer_id"] = i)).ToArray()) };
        using var big = JsonDocument.Parse(batch.ToJsonString());
        using var single = JsonDocument.Parse(SeedRequest().ToJsonString());

        PredictionOutcome? refused = null;
        for (var attempt = 0; attempt < 20 && refused is null; attempt++)
        {
            var running = Task.Run(async () => await Engine.PredictAsync("limited", big.RootElement, null, default));
            while (!running.IsCompleted && (await Engine.GetAsync("limited", default))!.Stats.Ongoing == 0)
            {
                await Task.Yield();
            }

            var second = await Engine.PredictAsync("limited", single.RootElement, null, default);
            refused = second.Status == PredictionStatus.Overloaded ? second : null;
            Assert.Equal(PredictionStatus.Ok, (await running).Status);
        }

        Assert.NotNull(refused);
        Assert.Equal(1, refused.RetryAfterSeconds);
        Assert.Contains("limit of 1 concurrent requests (max_concurrent_queries)", refused.Message, StringComparison.Ordinal);
        Assert.Equal(PredictionStatus.Ok, (await Engine.PredictAsync("limited", single.RootElement, null, default)).Status);
        var stats = (await Engine.GetAsync("limited", default))!.Stats;
        Assert.True(stats.Rejected >= 1);
        Assert.True(stats.ErrorRate > 0);
    }

    [Fact]
    public async Task An_update_to_a_new_version_drops_no_request_while_clients_keep_predicting()
    {
        await DeployAsync("updated");
        var version = await Stores.RegisterAsync(d =>
        {
            d["model_name"] = "updt";
            d["version"] = "1.1.0";
            d["source_experiment"] = "churn-exp-001";
            d["framework"] = "mlnet";
        });
        using var body = JsonDocument.Parse(SeedRequest().ToJsonString());
        using var stop = new CancellationTokenSource();
        var seen = new List<(string Version, long AfterSwap)>[4];
        var failures = 0;
        var swapped = 0L;
        var clients = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            seen[c] = [];
            while (!stop.IsCancellationRequested)
            {
                var after = Interlocked.Read(ref swapped);
                var outcome = await Engine.PredictAsync("updated", body.RootElement, null, default);
                if (outcome.Status != PredictionStatus.Ok)
                {
                    Interlocked.Increment(ref failures);
                    continue;
                }

                seen[c].Add((outcome.ModelVersion!, after));
            }
        })).ToArray();

        await Task.Delay(200);
        var updated = await Engine.UpdateAsync("updated", new JsonObject { ["model_ref"] = version.Reference }, merge: true, "priya", default);
        Interlocked.Exchange(ref swapped, 1);
        await Task.Delay(200);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Empty(updated.Problems);
        Assert.Equal(("updt", "1.1.0", "running"), (updated.Deployment!.ModelName, updated.Deployment.ModelVersion, updated.Deployment.Status));
        Assert.Equal(0, failures);
        var all = seen.SelectMany(s => s).ToArray();
        Assert.Contains(all, s => s.Version == "1.0.0");
        // Once the update has returned, only the new version answers.
        Assert.All(all.Where(s => s.AfterSwap == 1), s => Assert.Equal("1.1.0", s.Version));
        Assert.Contains(all, s => s.Version == "1.1.0");
        Assert.Equal(["updated", "deployed"], updated.Deployment.Events.Select(e => e.Kind));
        Assert.Equal(2, updated.Deployment.Replicas);
    }

    [Fact]
    public async Task Registering_staging_deploying_updating_and_undeploying_are_each_audited_once_by_the_ambient_user()
    {
        using (AuditActor.Use("auditor-amy"))
        {
            await DeployAsync("audited");
            await Stores.RegisterAsync(d =>
            {
                d["model_name"] = "adtd";
                d["version"] = "1.1.0";
            });
            await Stores.Registry.SetStageAsync("adtd", "1.1.0", "staging", archiveExisting: true, "auditor-amy", default);
            await Engine.UpdateAsync("audited", new JsonObject { ["model_ref"] = "adtd/1.1.0" }, merge: true, "auditor-amy", default);
            await Engine.UndeployAsync("audited", "auditor-amy", default);
        }

        var entries = (await Stores.Stores.AuditAsync()).Where(e => e.Actor == "auditor-amy").ToArray();

        Assert.Equal(
            [("model.created", "adtd/1.0.0"), ("deployment.created", "audited"), ("model.created", "adtd/1.1.0"), ("model.stage_changed", "adtd/1.1.0"),
                ("deployment.updated", "audited"), ("deployment.deleted", "audited")],
            entries.Select(e => (e.Action, e.Target)));
        Assert.Equal("none -> staging", entries[3].Detail);
        Assert.Equal("from adtd/1.0.0 to adtd/1.1.0", entries[4].Detail);
    }

    [Fact]
    public async Task Undeploying_stops_serving_and_a_restart_restores_the_deployments_that_remain()
    {
        await DeployAsync("kept");
        await DeployAsync("removed");
        var before = await PredictJsonAsync("kept", SeedRequest().ToJsonString());

        Assert.True(await Engine.UndeployAsync("removed", "priya", default));
        Assert.False(await Engine.UndeployAsync("removed", "priya", default));
        Assert.Equal(PredictionStatus.NoDeployment, (await PredictAsync("removed", SeedRequest())).Status);

        await Stores.RestartEngineAsync();

        Assert.Null(await Engine.GetAsync("removed", default));
        var kept = (await Engine.GetAsync("kept", default))!;
        Assert.Equal(("running", 2), (kept.Status, kept.Replicas));
        Assert.Equal("restored", kept.Events[0].Kind);
        var after = await PredictJsonAsync("kept", SeedRequest().ToJsonString());
        Assert.Equal(before["churn_probability"]!.GetValue<double>(), after["churn_probability"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_deployment_by_production_alias_keeps_its_version_across_a_restart_until_it_is_updated()
    {
        await Stores.RegisterAsync(d => d["model_name"] = "aliased");
        await Stores.RegisterAsync(d =>
        {
            d["model_name"] = "aliased";
            d["version"] = "2.0.0";
        });
        await Stores.Registry.SetStageAsync("aliased", "1.0.0", "production", true, "priya", default);
        var deployment = ServingStores.Seed("deployment.json");
        deployment["deployment_name"] = "by-alias";
        deployment["model_ref"] = "aliased@production";
        Assert.Equal("1.0.0", (await Engine.DeployAsync(deployment, "priya", default)).Deployment!.ModelVersion);

        await Stores.Registry.SetStageAsync("aliased", "2.0.0", "production", true, "priya", default);
        await Stores.RestartEngineAsync();

        Assert.Equal(("aliased@production", "1.0.0"), ((await Engine.GetAsync("by-alias", default))!.ModelRef, (await Engine.GetAsync("by-alias", default))!.ModelVersion));
        var updated = await Engine.UpdateAsync("by-alias", new JsonObject(), merge: true, "priya", default);
        Assert.Equal("2.0.0", updated.Deployment!.ModelVersion);
    }

    [Fact]
    public async Task A_bad_deployment_document_names_each_problem_by_json_path()
    {
        await EnsureSeedModelAsync();
        var document = ServingStores.Seed("deployment.json");
        document["deployment_name"] = "bad";
        document["model_ref"] = "customer-churn-predictor/3.0.0";
        document["config"]!["num_replicas"] = 0;
        document["config"]!["replicas"] = 2;
        document["config"]!["autoscaling_config"]!["max_replicas"] = 1;
        document["health_check"]!["interval_s"] = -5;

        var refused = await Engine.DeployAsync(document, "priya", default);
        document["config"]!.AsObject().Remove("replicas");
        document["config"]!["num_replicas"] = 2;
        document["config"]!["autoscaling_config"]!["max_replicas"] = 6;
        document["health_check"]!["interval_s"] = 30;
        var unknownVersion = await Engine.DeployAsync(document, "priya", default);
        var taken = await Engine.DeployAsync(Renamed(ServingStores.Seed("deployment.json"), "taken"), "priya", default);
        var again = await Engine.DeployAsync(Renamed(ServingStores.Seed("deployment.json"), "taken"), "priya", default);
        var changed = await Engine.DeployAsync(Renamed(ServingStores.Seed("deployment.json"), "taken", d => d["config"]!["max_concurrent_queries"] = 5), "priya", default);

        Assert.Equal(["config.autoscaling_config.max_replicas", "config.num_replicas", "config.replicas", "health_check.interval_s"],
            refused.Problems.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.Equal("model_ref", Assert.Single(unknownVersion.Problems).Path);
        Assert.Contains("customer-churn-predictor has no version 3.0.0", unknownVersion.Problems[0].Message, StringComparison.Ordinal);
        Assert.True(taken.Created);
        Assert.False(again.Created);
        Assert.NotNull(again.Deployment);
        Assert.Contains("A deployment named 'taken' exists", changed.Conflict, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_prediction_is_written_to_the_prediction_log_off_the_request_path()
    {
        await DeployAsync("logged");
        var answer = await PredictJsonAsync("logged", SeedRequest().ToJsonString());
        await PredictAsync("logged", SeedRequest(r => r.Remove("segment")));
        await PredictJsonAsync("logged", new JsonObject { ["instances"] = new JsonArray(SeedRequest(r => r["customer_id"] = 1), SeedRequest(r => r["customer_id"] = 2)) }.ToJsonString());

        await Stores.Log.FlushAsync(TimeSpan.FromSeconds(10));

        var rows = (await Stores.Stores.Warehouse.QueryAsync("""
            SELECT request_id, batch_index, model_name, model_version, variant, entity_key, json_extract_string(features, '$.segment'),
                   json_extract(features, '$.total_orders')::INTEGER, probability, risk, json_array_length(top_factors), latency_us, status, error, logged_at
            FROM analytics.monitoring.prediction_log WHERE deployment = 'logged' ORDER BY logged_at, batch_index
            """, default)).Rows;
        Assert.Equal(4, rows.Count);
        var ok = rows[0];
        Assert.Equal((null, "lggd", "1.0.0", null, "1042587", "Silver", 3), (ok[1], ok[2], ok[3], ok[4], ok[5], ok[6], ok[7]));
        Assert.Equal(answer["churn_probability"]!.GetValue<double>(), Math.Round((double)ok[8]!, 4));
        Assert.Equal((answer["churn_risk"]!.GetValue<string>(), 3L, "ok", (string?)null), (ok[9], Convert.ToInt64(ok[10], CultureInfo.InvariantCulture), ok[12], ok[13]));
        Assert.True((long)ok[11]! > 0);
        Assert.InRange((DateTime)ok[14]!, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(("invalid", null), (rows[1][12], rows[1][8]));
        Assert.Contains("segment: is missing", (string)rows[1][13]!, StringComparison.Ordinal);
        Assert.Equal([(0, "1"), (1, "2")], rows.Skip(2).Select(r => ((int)r[1]!, (string)r[5]!)));
        Assert.Equal(rows[2][0], rows[3][0]);
        Assert.Equal(0, (await Engine.GetAsync("logged", default))!.Stats.LogDropped);
    }

    [Fact]
    public async Task A_full_prediction_log_drops_rows_and_counts_them_but_never_fails_a_prediction()
    {
        await EnsureSeedModelAsync();
        var full = new PredictionLog(Stores.Stores.Warehouse, null, Microsoft.Extensions.Logging.Abstractions.NullLogger<PredictionLog>.Instance, capacity: 1);
        using var engine = new ServingEngine(Stores.Stores.Contexts, Stores.Registry, Stores.Features, Stores.Runtimes, full, Stores.Stores.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ServingEngine>.Instance);
        await engine.DeployAsync(Renamed(ServingStores.Seed("deployment.json"), "dropping"), "priya", default);
        using var body = JsonDocument.Parse(SeedRequest().ToJsonString());

        var outcomes = new List<PredictionStatus>();
        for (var i = 0; i < 5; i++)
        {
            outcomes.Add((await engine.PredictAsync("dropping", body.RootElement, null, default)).Status);
        }

        Assert.All(outcomes, s => Assert.Equal(PredictionStatus.Ok, s));
        Assert.Equal(4, (await engine.GetAsync("dropping", default))!.Stats.LogDropped);
        Assert.Equal(4, full.Status.Dropped);
        full.Dispose();
    }

    [Fact]
    public async Task Health_probes_every_replica_and_reports_the_deployment_healthy()
    {
        await DeployAsync("probed");

        await Engine.TickAsync(default);

        var health = Engine.Health("probed")!;
        Assert.Equal(("healthy", "1.0.0", 2), (health.Status, health.ModelVersion, health.Replicas));
        Assert.True(health.LastProbe!.Healthy);
        Assert.Null(Engine.Health("nothing"));
        Assert.Equal("/health", Engine.HealthPath("probed"));
    }

    [Fact]
    public async Task Risk_bands_field_names_and_top_factors_follow_the_deployments_output_settings()
    {
        await DeployAsync("custom", d => d["output"] = new JsonObject
        {
            ["probability_field"] = "p",
            ["risk_field"] = "band",
            ["top_factors"] = 0,
            ["risk_bands"] = new JsonObject { ["medium"] = 0.0, ["high"] = 0.0 },
        });

        var answer = await PredictJsonAsync("custom", SeedRequest().ToJsonString());

        Assert.Equal(["customer_id", "p", "band", "top_factors", "model_version"], answer.Select(p => p.Key));
        Assert.Equal("HIGH", answer["band"]!.GetValue<string>());
        Assert.Empty(answer["top_factors"]!.AsArray());
    }

    [Fact]
    public async Task An_input_the_model_does_not_read_is_still_required_and_logged_but_never_a_top_factor()
    {
        await Stores.TrainAsync("churn-exp-seven", "lightgbm", new JsonObject { ["num_iterations"] = 20 }, features: ServingStores.DemoFeatures);
        await Stores.RegisterAsync(d =>
        {
            d["model_name"] = "svn";
            d["source_experiment"] = "churn-exp-seven";
        });
        var deployed = await Engine.DeployAsync(Renamed(ServingStores.Seed("deployment.json"), "seven", d => d["model_ref"] = "svn/1.0.0"), "priya", default);
        Assert.Empty(deployed.Problems);

        var missing = await PredictAsync("seven", SeedRequest(r => r.Remove("days_since_last_order")));
        var answer = await PredictJsonAsync("seven", new JsonObject { ["instances"] = new JsonArray(SeedRequest(), SeedRequest(r => r["days_since_last_order"] = 500)) }.ToJsonString());
        await Stores.Log.FlushAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("days_since_last_order", Assert.Single(missing.Problems).Path);
        var predictions = answer["predictions"]!.AsArray();
        Assert.Equal(predictions[0]!["churn_probability"]!.GetValue<double>(), predictions[1]!["churn_probability"]!.GetValue<double>());
        Assert.All(predictions, p => Assert.DoesNotContain(p!["top_factors"]!.AsArray(), f => f!["feature"]!.GetValue<string>() == "days_since_last_order"));
        var logged = (await Stores.Stores.Warehouse.QueryAsync(
            "SELECT json_extract(features, '$.days_since_last_order')::INTEGER FROM analytics.monitoring.prediction_log WHERE deployment = 'seven' AND status = 'ok' ORDER BY batch_index", default)).Rows;
        Assert.Equal([78, 500], logged.Select(r => (int)r[0]!));
    }

    [Fact]
    public async Task Replicas_follow_the_ongoing_requests_between_min_and_max_and_each_change_is_recorded()
    {
        await DeployAsync("scaling", d =>
        {
            d["config"]!["num_replicas"] = 1;
            d["config"]!["autoscaling_config"] = new JsonObject
            {
                ["min_replicas"] = 1,
                ["max_replicas"] = 3,
                ["target_num_ongoing_requests_per_replica"] = 1,
                ["upscale_delay_s"] = 0,
                ["downscale_delay_s"] = 0,
                ["look_back_period_s"] = 0.05,
            };
        });
        var batch = new JsonObject { ["instances"] = new JsonArray(Enumerable.Range(0, ServingEngine.MaxBatch).Select(i => (JsonNode)SeedRequest(r => r["customer_id"] = i)).ToArray()) };
        using var big = JsonDocument.Parse(batch.ToJsonString());

        // Three requests in flight at a time, ticking the autoscaler as the supervisor does, until it has added replicas.
        var replicas = 1;
        for (var round = 0; round < 300 && replicas < 3; round++)
        {
            var load = Enumerable.Range(0, 3).Select(_ => Task.Run(async () => await Engine.PredictAsync("scaling", big.RootElement, null, default))).ToArray();
            while (!load.All(t => t.IsCompleted))
            {
                await Engine.TickAsync(default);
                await Task.Delay(5);
            }

            replicas = (await Engine.GetAsync("scaling", default))!.Replicas;
        }

        Assert.Equal(3, replicas);
        for (var tick = 0; tick < 20 && replicas > 1; tick++)
        {
            await Task.Delay(60);
            await Engine.TickAsync(default);
            replicas = (await Engine.GetAsync("scaling", default))!.Replicas;
        }

        var view = (await Engine.GetAsync("scaling", default))!;
        Assert.Equal(1, view.Replicas);
        Assert.Contains(view.Events, e => e.Kind == "scaled_up" && e.ToReplicas > e.FromReplicas && e.Message.Contains("target of 1 per replica", StringComparison.Ordinal));
        Assert.Equal(("scaled_down", 1), (view.Events[0].Kind, view.Events[0].ToReplicas));
    }

    [Fact]
    public async Task The_prediction_log_writes_what_is_queued_when_it_stops()
    {
        var log = new PredictionLog(Stores.Stores.Warehouse, null, Microsoft.Extensions.Logging.Abstractions.NullLogger<PredictionLog>.Instance);
        await log.StartAsync(default);
        var request = Guid.CreateVersion7();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(log.TryAppend(new PredictionLogEntry(request, i, "stopping", "m", "1.0.0", "treatment", $"{i}", null, 0.5, "MEDIUM", [], 10, "ok", null, DateTime.UtcNow)));
        }

        await log.StopAsync(default);
        log.Dispose();

        var rows = (await Stores.Stores.Warehouse.QueryAsync($"SELECT count(*), min(variant) FROM analytics.monitoring.prediction_log WHERE request_id = '{request}'", default)).Rows;
        Assert.Equal((3L, "treatment"), (Convert.ToInt64(rows[0][0], CultureInfo.InvariantCulture), (string?)rows[0][1]));
        Assert.False(log.TryAppend(new PredictionLogEntry(request, 9, "stopping", "m", "1.0.0", null, null, null, null, null, null, 1, "ok", null, DateTime.UtcNow)));
    }

    private static JsonObject SeedRequest(Action<JsonObject>? change = null)
    {
        var request = ServingStores.Seed("churn-predict-request.json");
        change?.Invoke(request);
        return request;
    }

    private static string SeedPath(string name) => Path.Combine(AppContext.BaseDirectory, "seed", name);

    private static JsonObject Renamed(JsonObject deployment, string name, Action<JsonObject>? change = null)
    {
        deployment["deployment_name"] = name;
        change?.Invoke(deployment);
        return deployment;
    }

    private async Task EnsureSeedModelAsync()
    {
        if (await Stores.Registry.GetVersionAsync("customer-churn-predictor", "1.0.0", default) is null)
        {
            await Stores.Registry.RegisterAsync(ServingStores.Seed("model-registration.json"), "priya", default);
        }
    }

    /// <summary>Registers the seed's model under a short name derived from the deployment's and deploys the seed's document for it.</summary>
    private async Task DeployAsync(string name, Action<JsonObject>? change = null)
    {
        var model = new string(name.Where((c, i) => i == 0 || !"aeiou".Contains(c)).ToArray());
        await Stores.RegisterAsync(d => d["model_name"] = model);
        var deployment = Renamed(ServingStores.Seed("deployment.json"), name, d => d["model_ref"] = $"{model}/1.0.0");
        change?.Invoke(deployment);
        var result = await Engine.DeployAsync(deployment, "priya", default);
        Assert.True(result.Deployment is not null, string.Join("; ", result.Problems.Select(p => $"{p.Path}: {p.Message}")) + result.Conflict);
    }

    private async Task<PredictionOutcome> PredictAsync(string deployment, JsonObject body)
    {
        using var document = JsonDocument.Parse(body.ToJsonString());
        return await Engine.PredictAsync(deployment, document.RootElement, null, default);
    }

    private async Task<JsonObject> PredictJsonAsync(string deployment, string body)
    {
        using var document = JsonDocument.Parse(body);
        var outcome = await Engine.PredictAsync(deployment, document.RootElement, null, default);
        Assert.True(outcome.Status == PredictionStatus.Ok, $"{outcome.Status}: {outcome.Message} {string.Join("; ", outcome.Problems.Select(p => $"{p.Path}: {p.Message}"))}");
        var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            outcome.WriteTo(writer);
        }

        return (JsonObject)JsonNode.Parse(Encoding.UTF8.GetString(buffer.ToArray()))!;
    }
}
