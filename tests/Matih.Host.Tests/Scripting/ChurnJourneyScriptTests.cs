using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Matih.Testing;
using Npgsql;

namespace Matih.Host.Tests.Scripting;

/// <summary>
/// <c>scripts/churn-journey.csx</c>, the seed walkthrough as one script, run headless as a user runs it on a fresh data
/// directory with the NovaMart demo at scale 0.01; then a host started on that directory shows what it left behind.
/// </summary>
public sealed partial class ChurnJourneyScriptTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("matih-journey-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A file still open; the temp folder is cleaned eventually.
        }
    }

    [Fact]
    public async Task The_journey_script_walks_every_seed_stage_on_the_demo_and_leaves_the_promoted_model_serving()
    {
        var (exit, stdout, stderr) = await RunJourneyAsync();

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        // Stage 1: the demo's faker connection synced, the survey imported.
        Assert.Matches(@"Sync succeeded in [\d.]+ s: [1-9][\d,]+ rows synced", stdout);
        Assert.Matches(@"Imported [1-9][\d,]* rows into novamart\.surveys\.customer_nps \(0 rejected\)", stdout);
        // Stages 2 and 3: the catalog, the profile, the feature SQL.
        Assert.Contains("Column Profiling: postgresql.novamart.customers", stdout, StringComparison.Ordinal);
        Assert.Matches(@"Query result: [1-9][\d,]+ rows, 20 columns", stdout);
        // Stage 4: the seed's gate stops the pipeline at demo scale, the fitted row count lets the re-run finish.
        Assert.Contains("6/7 expectations met", stdout, StringComparison.Ordinal);
        Assert.Contains("Fitting expect_table_row_count_to_be_between to the demo's scale", stdout, StringComparison.Ordinal);
        Assert.Matches(@"load_feature_store\s+feature_store_sync\s+succeeded", stdout);
        // Stage 5.
        Assert.Contains("Quality: 7/7 expectations met", stdout, StringComparison.Ordinal);
        // Stage 6: the three models in the seed's order of quality, the best registered, deployed and answering.
        var auc = AucLine().Match(stdout);
        Assert.True(auc.Success, stdout);
        var (lr, rf, gbm) = (Number(auc.Groups[1]), Number(auc.Groups[2]), Number(auc.Groups[3]));
        Assert.True(lr < rf && rf < gbm, $"AUC logistic regression {lr}, random forest {rf}, LightGBM {gbm}");
        Assert.InRange(gbm, 0.8, 0.99);
        Assert.Contains("Registered customer-churn-predictor/1.0.0 from churn-journey/churn-exp-003 (lightgbm)", stdout, StringComparison.Ordinal);
        Assert.Matches(@"""churn_probability"": 0\.\d+", stdout);
        // Stage 7: PSI per feature of the seed's monitor.
        foreach (var feature in new[] { "avg_order_value", "days_since_last_order", "total_sessions_90d" })
        {
            Assert.Matches($@"  {feature}:\s+0\.\d{{3}}  \[OK\]", stdout);
        }

        // Stage 8: the A/B table and the promotion.
        Assert.Contains("churned_customers_identified *", stdout, StringComparison.Ordinal);
        Assert.Contains("A/B test churn-model-comparison-v1-v2: promoted.", stdout, StringComparison.Ordinal);
        Assert.Contains("Journey complete in", stdout, StringComparison.Ordinal);

        // What the journey made is there for the next user of the data directory.
        await using var host = await MatihHost.StartAsync(dataDirectory: _data);
        using var client = await host.SignedInAsync();
        var versions = await client.GetFromJsonAsync<JsonElement>("api/models/customer-churn-predictor/versions");
        var stages = versions.GetProperty("items").EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!, v => v.GetProperty("stage").GetString());
        Assert.Equal(("production", "archived"), (stages["1.0.0"], stages["0.1.0"]));
        var deployment = await client.GetFromJsonAsync<JsonElement>("api/deployments/churn-predictor-v1");
        Assert.Equal("customer-churn-predictor/1.0.0", deployment.GetProperty("model_ref").GetString());
        var tests = await client.GetFromJsonAsync<JsonElement>("api/abtests?q=churn-model-comparison-v1-v2");
        Assert.Contains(tests.GetProperty("items").EnumerateArray(), t => t.GetProperty("name").GetString() == "churn-model-comparison-v1-v2" && t.GetProperty("state").GetString() == "promoted");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("api/monitors/churn-predictor-drift")).StatusCode);
        var runs = await client.GetFromJsonAsync<JsonElement>("api/experiments/churn-journey/runs?sort=auc&order=desc");
        Assert.Equal("churn-exp-003", runs.GetProperty("items")[0].GetProperty("name").GetString());
        var pipeline = await client.GetFromJsonAsync<JsonElement>("api/pipelines?q=churn-feature-refresh");
        Assert.Contains(pipeline.GetProperty("items").EnumerateArray(), p => p.GetProperty("id").GetString() == "churn-feature-refresh" && p.GetProperty("lastRunState").GetString() == "succeeded");
        var group = await client.GetFromJsonAsync<JsonElement>("api/features/customer_churn_features");
        Assert.Equal("analytics.derived.churn_features", group.GetProperty("group").GetProperty("source_table").GetString());
    }

    [Fact]
    public async Task On_a_postgresql_source_the_journey_syncs_the_seed_connection_and_runs_every_stage()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using (var admin = new NpgsqlConnection(postgres.ConnectionString()))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand("CREATE DATABASE novamart", admin).ExecuteNonQueryAsync();
        }

        // NovaMart's tables as the seed's SQL reads them: 3,000 customers, a third of whom stop ordering.
        await using (var source = new NpgsqlConnection(postgres.ConnectionString("novamart")))
        {
            await source.OpenAsync();
            await new NpgsqlCommand("""
                CREATE TABLE customers (customer_id BIGINT PRIMARY KEY, email TEXT, signup_date DATE, segment TEXT, channel TEXT, updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
                CREATE TABLE orders (order_id BIGINT PRIMARY KEY, customer_id BIGINT, order_date DATE, total_amount NUMERIC(12,2), updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
                CREATE TABLE order_items (order_item_id BIGINT PRIMARY KEY, order_id BIGINT, product_id BIGINT, created_at TIMESTAMPTZ NOT NULL DEFAULT now());
                CREATE TABLE products (product_id BIGINT PRIMARY KEY, name TEXT);
                CREATE TABLE returns (return_id BIGINT PRIMARY KEY, order_id BIGINT, refund_amount NUMERIC(12,2), return_date DATE NOT NULL DEFAULT current_date);
                INSERT INTO customers (customer_id, email, signup_date, segment, channel)
                  SELECT g, 'c' || g || '@example.com', current_date - (200 + g % 900), (ARRAY['Gold','Silver','Bronze','New','Inactive'])[1 + g % 5],
                         (ARRAY['web','mobile','store'])[1 + g % 3] FROM generate_series(1, 3000) g;
                INSERT INTO orders (order_id, customer_id, order_date, total_amount)
                  SELECT g, 1 + (g * 7919) % 3000, current_date - ((g * 31) % (CASE WHEN ((g * 7919) % 3000) % 3 = 0 THEN 400 ELSE 80 END)), 5 + (g % 200) * 1.5
                  FROM generate_series(1, 15000) g;
                INSERT INTO order_items (order_item_id, order_id, product_id) SELECT g, g, 1 + g % 50 FROM generate_series(1, 15000) g;
                INSERT INTO products SELECT g, 'Product ' || g FROM generate_series(1, 50) g;
                INSERT INTO returns (return_id, order_id, refund_amount) SELECT g, g * 13, 10 FROM generate_series(1, 800) g;
                """, source).ExecuteNonQueryAsync();
        }

        var (exit, stdout, stderr) = await RunJourneyAsync(
            ["--no-demo"], ["--postgres", $"postgres://postgres:unused@127.0.0.1:{postgres.Port}/novamart", "--traffic", "1000"]);

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("(source-postgres, id novamart-postgresql-127-0-0-1-", stdout, StringComparison.Ordinal);
        Assert.Contains("customers [incremental], orders [incremental], order_items [incremental], products [full_refresh], returns [incremental]", stdout, StringComparison.Ordinal);
        Assert.Matches(@"Sync succeeded in [\d.]+ s: 33,850 rows synced", stdout);
        Assert.Contains("click events from 'NovaMart clickstream (faker)' in its place", stdout, StringComparison.Ordinal);
        Assert.Contains("Query result: 3,000 rows, 20 columns", stdout, StringComparison.Ordinal);
        Assert.Contains("Fitting expect_table_row_count_to_be_between to this source's size: 2,700-3,301", stdout, StringComparison.Ordinal);
        Assert.Contains("Quality: 7/7 expectations met", stdout, StringComparison.Ordinal);
        Assert.Matches(AucLine(), stdout);
        Assert.Contains("A/B test churn-model-comparison-v1-v2: promoted.", stdout, StringComparison.Ordinal);
    }

    private static double Number(Group group) => double.Parse(group.Value, CultureInfo.InvariantCulture);

    private async Task<(int Exit, string Stdout, string Stderr)> RunJourneyAsync(string[]? hostOptions = null, string[]? scriptArgs = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _data,
        };
        string[] args =
        [
            MatihHost.HostAssembly, "script", "--data-dir", _data, "--plugins", Path.Combine(MatihHost.RepositoryRoot, "plugins.json"), "--demo-scale", "0.01",
            .. hostOptions ?? [], Path.Combine(MatihHost.RepositoryRoot, "scripts", "churn-journey.csx"), .. scriptArgs ?? ["--traffic", "2000"],
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["MATIH_ADMIN_PASSWORD"] = MatihHost.AdminPassword;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex(@"AUC: logistic_regression=([\d.]+) \| random_forest=([\d.]+) \| lightgbm=([\d.]+)")]
    private static partial Regex AucLine();
}
