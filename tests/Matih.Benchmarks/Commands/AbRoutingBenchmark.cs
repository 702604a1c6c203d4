using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.AbTests;
using Matih.Testing;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// What an A/B test costs each request: two deployments of the same LightGBM model in one host, one plain and one
/// routing the seed's A/B test (stable hash of the customer into control/treatment), loaded in turn by a second
/// process at the same fixed rate over HTTP+JWT. The customer in the body is one the test routes to the deployment's
/// own model, so the difference is the routing itself (hash, variant lookup, the variant in the answer and the log),
/// not the other model's scoring.
/// </summary>
public sealed class AbRoutingBenchmark : IBenchmarkCommand
{
    private const string Plain = "churn-plain";
    private const string Routed = "churn-ab";

    /// <inheritdoc />
    public string Name => "ab-routing";

    /// <inheritdoc />
    public string Description => "p50/p99 of an A/B-routed deployment vs a plain one at a fixed rate over HTTP+JWT, in alternating rounds.";

    /// <inheritdoc />
    public string Usage => "[--rate 1000] [--duration 10] [--warmup 3] [--rounds 3]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var rate = (int)options.Integer("rate", 1000);
        var duration = (int)options.Integer("duration", 10);
        var warmup = (int)options.Integer("warmup", 3);
        var rounds = (int)options.Integer("rounds", 3);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        await using var host = await MatihHost.StartAsync(demo: true);
        await host.WaitForDemoAsync(TimeSpan.FromMinutes(5));
        using var admin = await host.SignedInAsync();
        var token = admin.DefaultRequestHeaders.Authorization!.Parameter!;

        // The demo's replay registers the seed's two versions (0.1.0 logistic regression, 1.0.0 LightGBM) once its
        // runs have trained; a tiny replay is enough.
        await WaitForReplayAsync(admin, cancellationToken);
        foreach (var name in new[] { Plain, Routed })
        {
            var deployment = JsonNode.Parse(ServingBenchmark.Seed("deployment.json"))!.AsObject();
            deployment["deployment_name"] = name;
            await PostAsync(admin, "api/deployments", deployment.ToJsonString(), cancellationToken);
        }

        var test = JsonNode.Parse(ServingBenchmark.Seed("churn-model-comparison.json"))!.AsObject();
        test["deployment"] = Routed;
        await PostAsync(admin, "api/abtests", test.ToJsonString(), cancellationToken);
        await WaitForServingAsync(admin, cancellationToken);

        // A customer the test sends to the treatment, which is the model both deployments serve.
        var experiment = (string)test["experiment_name"]!;
        var customer = Enumerable.Range(1_042_587, 1_000).First(id => Assignment.Variant(experiment, id.ToString(CultureInfo.InvariantCulture), [50, 50]) == 1);
        var request = JsonNode.Parse(ServingBenchmark.Seed("churn-predict-request.json"))!.AsObject();
        request["customer_id"] = customer;
        var body = Path.Combine(Path.GetTempPath(), $"matih-ab-body-{Environment.ProcessId}.json");
        await File.WriteAllTextAsync(body, request.ToJsonString(), cancellationToken);
        try
        {
            Console.WriteLine($"Two deployments of customer-churn-predictor/1.0.0; {Routed} runs {experiment} (customer {customer} routes to the treatment). " +
                $"{rounds} alternating rounds of {duration} s at {rate}/s after {warmup} s warm-up, from a second process. {Environment.ProcessorCount} cores.");
            Console.WriteLine($"{"round",-24} {"requests",9} {"errors",7} {"p50 ms",8} {"p99 ms",8} {"max ms",8}");
            var results = new Dictionary<string, List<ServingBenchmark.LoadResult>> { [Plain] = [], [Routed] = [] };
            for (var round = 1; round <= rounds; round++)
            {
                foreach (var name in round % 2 == 1 ? new[] { Plain, Routed } : [Routed, Plain])
                {
                    var url = new Uri(host.BaseAddress, $"serve/{name}/predict").ToString();
                    var result = await ServingBenchmark.RunLoadAsync(url, token, body,
                        ["--mode", "fixed", "--rate", $"{rate}", "--duration", $"{duration}", "--warmup", $"{warmup}", "--connections", "64"], cancellationToken);
                    results[name].Add(result);
                    Console.WriteLine($"{$"{round}: {name}",-24} {result.Requests,9:N0} {result.Errors,7:N0} {result.Service.P50,8:F3} {result.Service.P99,8:F3} {result.Service.Max,8:F3}");
                }
            }

            var plainP50 = Median(results[Plain].Select(r => r.Service.P50));
            var plainP99 = Median(results[Plain].Select(r => r.Service.P99));
            var routedP50 = Median(results[Routed].Select(r => r.Service.P50));
            var routedP99 = Median(results[Routed].Select(r => r.Service.P99));
            Console.WriteLine();
            Console.WriteLine($"Medians over rounds (client side, from actual send): plain p50 {plainP50:F3} ms p99 {plainP99:F3} ms; A/B p50 {routedP50:F3} ms p99 {routedP99:F3} ms");
            Console.WriteLine($"A/B routing overhead: p50 {routedP50 - plainP50:+0.000;-0.000} ms, p99 {routedP99 - plainP99:+0.000;-0.000} ms (target p99 < 1 ms)");
            foreach (var name in new[] { Plain, Routed })
            {
                var stats = (await admin.GetFromJsonAsync<JsonElement>($"api/deployments/{name}", cancellationToken)).GetProperty("stats");
                Console.WriteLine($"Server side, {name} (last 60 s, parse to answer): p50 {stats.GetProperty("p50_ms").GetDouble():F3} ms, p99 {stats.GetProperty("p99_ms").GetDouble():F3} ms, " +
                    $"failed {stats.GetProperty("failed").GetInt64()}, rejected {stats.GetProperty("rejected").GetInt64()}");
            }

            var routedRows = await admin.PostAsJsonAsync("api/sql", new { sql = $"SELECT count(*) FROM analytics.monitoring.prediction_log WHERE deployment = '{Routed}' AND variant = 'treatment'" }, cancellationToken);
            Console.WriteLine($"Prediction log rows of {Routed} with variant treatment: {(await routedRows.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("rows")[0][0].GetInt64():N0}");
        }
        finally
        {
            File.Delete(body);
        }

        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static async Task WaitForReplayAsync(HttpClient admin, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            var response = await admin.PostAsJsonAsync("api/demo/traffic", new { days = 1, drifted_days = 0, per_day = 10 }, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            // 409 until the demo's runs have trained.
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The demo could not replay traffic: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            await Task.Delay(2_000, cancellationToken);
        }
    }

    private static async Task WaitForServingAsync(HttpClient admin, CancellationToken cancellationToken)
    {
        foreach (var name in new[] { Plain, Routed })
        {
            while (true)
            {
                var health = await admin.GetAsync($"serve/{name}/health", cancellationToken);
                if (health.IsSuccessStatusCode)
                {
                    break;
                }

                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private static async Task PostAsync(HttpClient client, string path, string json, CancellationToken cancellationToken)
    {
        var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
