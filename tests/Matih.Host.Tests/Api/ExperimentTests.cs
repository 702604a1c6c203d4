using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary>The seed's Stage 6 experiment tracking through the API, on the NovaMart demo's churn features.</summary>
public sealed class ExperimentTests(DemoHostFixture demo) : IClassFixture<DemoHostFixture>
{
    private const string ChurnFeatures = "analytics.derived.churn_features";

    // The seed's registered input schema: seven numbers and the customer segment.
    private static readonly string[] s_features =
        ["total_orders", "avg_order_value", "days_since_last_order", "customer_age_days", "total_sessions_90d", "product_views_90d", "return_rate", "segment"];

    [Fact]
    public async Task A_LightGBM_run_on_the_demo_churn_features_trains_in_the_background_and_records_everything()
    {
        using var client = await demo.Host.SignedInAsync();
        await EnsureChurnFeaturesAsync(client);

        var response = await client.PostAsJsonAsync("api/experiments/churn-prediction/runs", Run("churn-exp-003", "lightgbm", new { num_iterations = 60 }));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("queued", started.GetProperty("state").GetString());
        var runId = started.GetProperty("runId").GetGuid();
        Assert.EndsWith($"/api/experiments/churn-prediction/runs/{runId}", response.Headers.Location!.ToString(), StringComparison.Ordinal);

        var run = await WaitForRunAsync(client, "churn-exp-003");
        Assert.True(run.GetProperty("state").GetString() == "succeeded", run.GetProperty("error").ToString());
        Assert.Equal(runId, run.GetProperty("runId").GetGuid());
        Assert.Equal(("lightgbm", "Gradient Boosting (LightGBM)"), (run.GetProperty("framework").GetString(), run.GetProperty("model").GetString()));
        var metrics = run.GetProperty("metrics");
        Assert.InRange(metrics.GetProperty("auc").GetDouble(), 0.8, 1.0);
        foreach (var name in new[] { "precision", "recall", "f1", "accuracy", "logLoss", "trainingSeconds" })
        {
            Assert.True(metrics.GetProperty(name).GetDouble() > 0, name);
        }

        var rows = await CountAsync(client);
        Assert.Equal(rows, metrics.GetProperty("trainRows").GetInt64() + metrics.GetProperty("testRows").GetInt64());
        Assert.Equal(Math.Round(rows * 0.2), metrics.GetProperty("testRows").GetInt64());
        Assert.Equal(rows, run.GetProperty("snapshot").GetProperty("rows").GetInt64());
        Assert.Equal(ChurnFeatures, run.GetProperty("snapshot").GetProperty("table").GetString());
        Assert.StartsWith("fnv1a64-sum:", run.GetProperty("snapshot").GetProperty("contentHash").GetString(), StringComparison.Ordinal);
        Assert.Equal(s_features.Order(), run.GetProperty("featureImportance").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["segment"], run.GetProperty("categoricalFeatures").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(60, run.GetProperty("hyperparameters").GetProperty("num_iterations").GetInt32());
        Assert.Equal(31, run.GetProperty("hyperparameters").GetProperty("num_leaves").GetInt32());
        Assert.Equal("customer-retention", run.GetProperty("tags").GetProperty("use_case").GetString());
        Assert.InRange(run.GetProperty("roc").GetArrayLength(), 2, 100);
        Assert.InRange(run.GetProperty("precisionRecall").GetArrayLength(), 2, 100);
        var confusion = run.GetProperty("confusion");
        Assert.Equal(metrics.GetProperty("testRows").GetInt64(), confusion.EnumerateObject().Sum(p => p.Value.GetInt64()));

        var artifact = run.GetProperty("artifact");
        var path = artifact.GetProperty("path").GetString()!;
        Assert.Equal(Path.Combine(demo.Host.DataDirectory, "artifacts", "experiments", "churn-prediction", "churn-exp-003", "model.zip"), path);
        Assert.Equal(new FileInfo(path).Length, artifact.GetProperty("bytes").GetInt64());

        var byId = await client.GetFromJsonAsync<JsonElement>($"api/experiments/churn-prediction/runs/{runId}");
        Assert.Equal("churn-exp-003", byId.GetProperty("name").GetString());
        var experiments = await client.GetFromJsonAsync<JsonElement>("api/experiments?q=churn-prediction");
        var listed = Assert.Single(experiments.GetProperty("items").EnumerateArray(), e => e.GetProperty("name").GetString() == "churn-prediction");
        Assert.Equal("churn-exp-003", listed.GetProperty("bestRun").GetString());
        var page = await client.GetFromJsonAsync<JsonElement>("api/experiments/churn-prediction/runs?sort=auc&order=desc&pageSize=10");
        Assert.Equal("churn-exp-003", page.GetProperty("items")[0].GetProperty("name").GetString());
        Assert.Equal(("auc", "desc"), (page.GetProperty("sort").GetString(), page.GetProperty("order").GetString()));
    }

    [Fact]
    public async Task A_bad_run_request_is_a_problem_naming_each_field()
    {
        using var client = await demo.Host.SignedInAsync();
        await EnsureChurnFeaturesAsync(client);

        var response = await client.PostAsJsonAsync("api/experiments/churn-prediction/runs", new
        {
            name = "bad-run",
            trainer = "lightgbm",
            table = ChurnFeatures,
            label = "is_churned",
            features = new[] { "total_orders", "favourite_colour" },
            @params = new { num_leaves = 1, depth = 3 },
            split = new { fraction = 2 },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["features[1]", "params.depth", "params.num_leaves", "split.fraction"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_run_name_already_used_in_the_experiment_is_a_conflict()
    {
        using var client = await demo.Host.SignedInAsync();
        await EnsureChurnFeaturesAsync(client);

        var first = await client.PostAsJsonAsync("api/experiments/names/runs", Run("churn-exp-001", "logistic_regression", new { }));
        var again = await client.PostAsJsonAsync("api/experiments/names/runs", Run("churn-exp-001", "logistic_regression", new { }));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already has a run named 'churn-exp-001'", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_experiments_and_runs_are_not_found_and_a_bad_sort_is_named()
    {
        using var client = await demo.Host.SignedInAsync();
        await EnsureChurnFeaturesAsync(client);
        (await client.PostAsJsonAsync("api/experiments/sorting/runs", Run("s-1", "logistic_regression", new { }))).EnsureSuccessStatusCode();

        var noExperiment = await client.GetAsync("api/experiments/nothing-here/runs");
        var noRun = await client.GetAsync("api/experiments/sorting/runs/s-999");
        var badSort = await client.GetAsync("api/experiments/sorting/runs?sort=colour");

        Assert.Equal(HttpStatusCode.NotFound, noExperiment.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, noRun.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badSort.StatusCode);
        Assert.True((await badSort.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("sort", out _));
    }

    [Fact]
    public async Task The_trainers_are_listed_with_their_hyperparameters_and_runs_need_a_signed_in_user()
    {
        using var client = await demo.Host.SignedInAsync();
        using var anonymous = demo.Host.Anonymous();

        var trainers = await client.GetFromJsonAsync<JsonElement>("api/trainers");
        var unauthorised = await anonymous.PostAsJsonAsync("api/experiments/churn-prediction/runs", Run("x", "lightgbm", new { }));

        Assert.Equal(["fast_tree", "lightgbm", "logistic_regression", "random_forest"], trainers.EnumerateArray().Select(t => t.GetProperty("id").GetString()).Order());
        var lightgbm = trainers.EnumerateArray().Single(t => t.GetProperty("id").GetString() == "lightgbm");
        Assert.Contains(lightgbm.GetProperty("hyperparameters").EnumerateArray(), h => h.GetProperty("name").GetString() == "num_leaves");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
    }

    private static object Run(string name, string trainer, object parameters) => new
    {
        name,
        trainer,
        table = ChurnFeatures,
        label = "is_churned",
        features = s_features,
        @params = parameters,
        split = new { fraction = 0.2, seed = 42 },
        tags = new { team = "data-science", use_case = "customer-retention" },
    };

    private static async Task<JsonElement> WaitForRunAsync(HttpClient client, string run)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var found = await client.GetFromJsonAsync<JsonElement>($"api/experiments/churn-prediction/runs/{run}");
            var state = found.GetProperty("state").GetString();
            if (state is not ("queued" or "running") || DateTime.UtcNow > deadline)
            {
                return found;
            }

            await Task.Delay(250);
        }
    }

    private static async Task<long> CountAsync(HttpClient client)
    {
        var counted = await client.PostAsJsonAsync("api/sql", new { sql = $"SELECT count(*) FROM {ChurnFeatures}" });
        return (await counted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0][0].GetInt64();
    }

    private static async Task EnsureChurnFeaturesAsync(HttpClient client)
    {
        var exists = await client.GetAsync($"api/catalog/tables/{ChurnFeatures}");
        if (exists.IsSuccessStatusCode)
        {
            return;
        }

        var sql = await File.ReadAllTextAsync(Path.Combine(MatihHost.RepositoryRoot, "scripts", "sql", "churn_features.sql"));
        var created = await client.PostAsJsonAsync("api/sql", new { sql = sql.Replace("CREATE TABLE", "CREATE OR REPLACE TABLE", StringComparison.Ordinal) });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
    }
}
