using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Core.Plugins;
using Matih.Sdk.Serving;
using Matih.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// Serving over HTTP with a JWT on loopback: the built host serves the seed's deployment (churn-exp-003, LightGBM,
/// trained on the demo's churn_features), and a second process (this program with <c>--role load</c>) sends the seed's
/// curl body. Open loop at a fixed rate (latency measured from each request's scheduled start, so a stall is not
/// hidden), then closed loop at several concurrencies for the maximum throughput. Side by side: the same model's
/// predictor called in process (the mlnet plugin's pooled ML.NET PredictionEngine), the floor under any HTTP figure.
/// </summary>
public sealed class ServingBenchmark : IBenchmarkCommand
{
    private const string Deployment = "churn-predictor-v1";

    /// <inheritdoc />
    public string Name => "serving";

    /// <inheritdoc />
    public string Description => "POST /serve/{deployment}/predict over HTTP+JWT from a second process: p50/p99 at a fixed rate, max throughput, in-process floor.";

    /// <inheritdoc />
    public string Usage => "[--rate 1000] [--duration 20] [--warmup 5] [--concurrency 1,4,16,64] [--max-duration 10] [--floor-calls 200000]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        if (options.Text("role") == "load")
        {
            return await LoadAsync(options, cancellationToken);
        }

        var rate = (int)options.Integer("rate", 1000);
        var duration = (int)options.Integer("duration", 20);
        var warmup = (int)options.Integer("warmup", 5);
        var levels = (options.Text("concurrency") ?? "1,4,16,64").Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        var maxDuration = (int)options.Integer("max-duration", 10);
        var floorCalls = (int)options.Integer("floor-calls", 200_000);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        Console.WriteLine($"Host: {MatihHost.HostAssembly}");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; host, load generator (second process) and the benchmark share them.");
        await using var host = await MatihHost.StartAsync(demo: true);
        await host.WaitForDemoAsync(TimeSpan.FromMinutes(5));
        using var admin = await host.SignedInAsync();
        var token = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        var setup = Stopwatch.StartNew();
        await PrepareAsync(admin, cancellationToken);
        Console.WriteLine($"Demo run churn-exp-003 (LightGBM) trained, registered customer-churn-predictor 1.0.0 and deployed {Deployment} (seed documents) in {setup.Elapsed.TotalSeconds:F1} s");

        var body = Path.Combine(Path.GetTempPath(), $"matih-serving-body-{Environment.ProcessId}.json");
        await File.WriteAllTextAsync(body, Seed("churn-predict-request.json"), cancellationToken);
        var url = new Uri(host.BaseAddress, $"serve/{Deployment}/predict").ToString();
        try
        {
            Console.WriteLine();
            Console.WriteLine($"{"case",-44} {"requests",9} {"errors",7} {"req/s",8} {"p50 ms",8} {"p99 ms",8} {"max ms",8}");
            var fixedRun = await RunLoadAsync(url, token, body, ["--mode", "fixed", "--rate", $"{rate}", "--duration", $"{duration}", "--warmup", $"{warmup}", "--connections", "64"], cancellationToken);
            Print($"HTTP+JWT open loop at {rate}/s (from schedule)", fixedRun, corrected: true);
            Print($"  same, from actual send", fixedRun, corrected: false);
            Console.WriteLine($"  worst per second (ms): {string.Join(" ", fixedRun.WorstPerSecond.Select(w => w.ToString("0.#", CultureInfo.InvariantCulture)))}");
            var server = (await admin.GetFromJsonAsync<JsonElement>($"api/deployments/{Deployment}", cancellationToken)).GetProperty("stats");
            Console.WriteLine($"  server side (last 60 s, parse to answer):  p50 {server.GetProperty("p50_ms").GetDouble():F3} ms, p99 {server.GetProperty("p99_ms").GetDouble():F3} ms, log dropped {server.GetProperty("log_dropped").GetInt64()}");

            var best = (Rate: 0.0, Concurrency: 0);
            foreach (var concurrency in levels)
            {
                var closed = await RunLoadAsync(url, token, body, ["--mode", "max", "--connections", $"{concurrency}", "--duration", $"{maxDuration}"], cancellationToken);
                Print($"HTTP+JWT closed loop, {concurrency} connection(s)", closed, corrected: false);
                if (closed.Errors == 0 && closed.Rate > best.Rate)
                {
                    best = (closed.Rate, concurrency);
                }
            }

            Console.WriteLine($"Max sustained throughput without errors: {best.Rate:N0} req/s ({best.Concurrency} connections)");
            var stats = (await admin.GetFromJsonAsync<JsonElement>($"api/deployments/{Deployment}", cancellationToken)).GetProperty("stats");
            Console.WriteLine($"Deployment after the runs: {stats.GetProperty("requests").GetInt64():N0} requests, {stats.GetProperty("failed").GetInt64()} failed, " +
                $"{stats.GetProperty("rejected").GetInt64()} rejected, prediction log dropped {stats.GetProperty("log_dropped").GetInt64()}");
            var logged = await admin.PostAsJsonAsync("api/sql", new { sql = $"SELECT count(*) FROM analytics.monitoring.prediction_log WHERE deployment = '{Deployment}'" }, cancellationToken);
            Console.WriteLine($"Prediction log rows: {(await logged.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("rows")[0][0].GetInt64():N0}");

            Console.WriteLine();
            await FloorAsync(host, floorCalls, cancellationToken);
        }
        finally
        {
            File.Delete(body);
        }

        return 0;
    }

    private static async Task PrepareAsync(HttpClient admin, CancellationToken cancellationToken)
    {
        // The demo trains the seed's churn-exp-003 (LightGBM) at start; the seed's registration names it.
        var path = $"api/experiments/{Matih.Core.Demo.DemoExperiments.Experiment}/runs/churn-exp-003";
        while (true)
        {
            var response = await admin.GetAsync(path, cancellationToken);
            var state = response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("state").GetString() : "queued";
            if (state == "succeeded")
            {
                break;
            }

            if (state is not ("queued" or "running"))
            {
                throw new InvalidOperationException($"The demo's churn-exp-003 {state}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            await Task.Delay(500, cancellationToken);
        }

        await Post(admin, "api/models", Seed("model-registration.json"), cancellationToken);
        await Post(admin, "api/deployments", Seed("deployment.json"), cancellationToken);

        static async Task Post(HttpClient client, string path, string json, CancellationToken ct)
        {
            var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
        }
    }

    /// <summary>The in-process floor: the registered model's predictor, loaded by the mlnet plugin the way the host loads it.</summary>
    private static async Task FloorAsync(MatihHost host, int calls, CancellationToken cancellationToken)
    {
        var pluginsFile = Path.Combine(Path.GetTempPath(), $"matih-serving-plugins-{Environment.ProcessId}.json");
        await File.WriteAllTextAsync(pluginsFile, """{ "plugins": [ { "id": "mlnet", "path": "Matih.Plugins.MlNet" } ] }""", cancellationToken);
        var services = new ServiceCollection();
        PluginLoading.LoadAll(PluginsFile.Read(pluginsFile), Path.Combine(Path.GetDirectoryName(MatihHost.HostAssembly)!, "plugins"), services, NullLogger.Instance);
        File.Delete(pluginsFile);
        await using var provider = services.BuildServiceProvider();
        var runtime = provider.GetServices<IServingRuntime>().Single();
        var artifact = Path.Combine(host.DataDirectory, "artifacts", "models", "customer-churn-predictor", "1.0.0", "model.zip");
        var features = Matih.Core.Demo.DemoExperiments.Features;
        using var predictor = await runtime.LoadAsync(new ModelArtifact("lightgbm", artifact, features.Where(f => f != "segment").ToArray(), ["segment"]), cancellationToken);
        var input = new FeatureVector(
            new Dictionary<string, float>
            {
                ["total_orders"] = 3, ["avg_order_value"] = 45.2f, ["days_since_last_order"] = 78, ["customer_age_days"] = 412,
                ["total_sessions_90d"] = 2, ["product_views_90d"] = 8, ["return_rate"] = 0.33f,
            },
            new Dictionary<string, string?> { ["segment"] = "Silver" });
        foreach (var factors in new[] { 3, 0 })
        {
            var micros = new double[calls];
            for (var i = 0; i < 2_000; i++)
            {
                predictor.Predict(input, factors);
            }

            var total = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                var start = Stopwatch.GetTimestamp();
                predictor.Predict(input, factors);
                micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }

            var elapsed = total.Elapsed.TotalSeconds;
            Array.Sort(micros);
            Console.WriteLine($"In process, PredictionEngine (pooled), top {factors} factors: p50 {micros[calls / 2]:F1} us, p99 {micros[(int)(calls * 0.99)]:F1} us, " +
                $"{calls / elapsed:N0} predictions/s on one thread");
        }
    }

    private static void Print(string label, LoadResult result, bool corrected)
    {
        var lat = corrected ? result.Corrected : result.Service;
        Console.WriteLine($"{label,-44} {result.Requests,9:N0} {result.Errors,7:N0} {result.Rate,8:N0} {lat.P50,8:F3} {lat.P99,8:F3} {lat.Max,8:F3}");
        if (result.Statuses.Count > 1 || result.Errors > 0)
        {
            Console.WriteLine($"  statuses: {string.Join(", ", result.Statuses.Select(s => $"{s.Key}: {s.Value}"))}");
        }
    }

    internal static async Task<LoadResult> RunLoadAsync(string url, string token, string body, string[] args, CancellationToken cancellationToken)
    {
        var self = typeof(ServingBenchmark).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[self, "serving", "--role", "load", "--url", url, "--token", token, "--body", body, .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The load generator exited with {process.ExitCode}: {output}{errors}");
        return JsonSerializer.Deserialize<LoadResult>(line["RESULT ".Length..])!;
    }

    /// <summary>The second process: sends requests and prints one RESULT line.</summary>
    private static async Task<int> LoadAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var url = options.Text("url") ?? throw new ArgumentException("--url is required.");
        var token = options.Text("token") ?? throw new ArgumentException("--token is required.");
        var body = await File.ReadAllBytesAsync(options.Text("body") ?? throw new ArgumentException("--body is required."), cancellationToken);
        var mode = options.Text("mode") ?? "fixed";
        var rate = (int)options.Integer("rate", 1000);
        var duration = (int)options.Integer("duration", 20);
        var connections = (int)options.Integer("connections", 16);
        _ = options.Text("role");
        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        { Timeout = TimeSpan.FromSeconds(30) };

        async Task<int> SendAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
                return (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                return 0;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return -1;
            }
        }

        // Warm the connections, JIT and the server's pools; not measured.
        var warm = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(connections, 16)).Select(async _ =>
        {
            while (warm.Elapsed < TimeSpan.FromSeconds(2))
            {
                await SendAsync();
            }
        }));

        LoadResult result;
        if (mode == "fixed")
        {
            // The first seconds at the target rate are run and dropped: connections open, the host's JIT settles.
            var warmup = (int)options.Integer("warmup", 5);
            var measuredFrom = rate * warmup;
            duration += warmup;
            var total = rate * duration;
            var corrected = new double[total];
            var service = new double[total];
            var statuses = new int[total];
            var pending = new Task[total];
            var frequency = Stopwatch.Frequency;
            var began = Stopwatch.GetTimestamp();
            async Task SendTimedAsync(int index, long due)
            {
                var sent = Stopwatch.GetTimestamp();
                statuses[index] = await SendAsync();
                var end = Stopwatch.GetTimestamp();
                corrected[index] = (end - due) * 1000.0 / frequency;
                service[index] = (end - sent) * 1000.0 / frequency;
            }

            // Sleeps between sends rather than spinning: a spinning scheduler would take a core from the server on a
            // two-core machine. Requests whose time has come are sent together; each is timed from its own due time.
            var scheduler = new Thread(() =>
            {
                var i = 0;
                while (i < total)
                {
                    var now = Stopwatch.GetTimestamp();
                    while (i < total && began + (long)(i * (double)frequency / rate) <= now)
                    {
                        var index = i++;
                        var due = began + (long)(index * (double)frequency / rate);
                        // Sent from this thread (no hop to the pool first); the answer completes on the pool.
                        pending[index] = SendTimedAsync(index, due);
                    }

                    if (i < total)
                    {
                        var wait = began + (long)(i * (double)frequency / rate) - Stopwatch.GetTimestamp();
                        Thread.Sleep(Math.Max(1, (int)(wait * 1000 / frequency)));
                    }
                }
            }) { IsBackground = true };
            scheduler.Start();
            scheduler.Join();
            await Task.WhenAll(pending);
            var seconds = (Stopwatch.GetTimestamp() - began) / (double)frequency - warmup;
            // The worst latency of the requests due in each second: shows whether the tail is a few stalls or spread out.
            var worst = Enumerable.Range(warmup, duration - warmup).Select(second => corrected.Skip(second * rate).Take(rate).Max()).ToArray();
            result = LoadResult.From(statuses[measuredFrom..], corrected[measuredFrom..], service[measuredFrom..], seconds) with { WorstPerSecond = worst };
        }
        else
        {
            var perWorker = new List<(int Status, double Ms)>[connections];
            var stopAt = Stopwatch.GetTimestamp() + duration * Stopwatch.Frequency;
            var began = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
            {
                var mine = perWorker[w] = new List<(int, double)>(100_000);
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    var sent = Stopwatch.GetTimestamp();
                    var status = await SendAsync();
                    mine.Add((status, Stopwatch.GetElapsedTime(sent).TotalMilliseconds));
                }
            })));
            var seconds = (Stopwatch.GetTimestamp() - began) / (double)Stopwatch.Frequency;
            var all = perWorker.SelectMany(w => w).ToArray();
            var latencies = all.Select(a => a.Ms).ToArray();
            result = LoadResult.From(all.Select(a => a.Status).ToArray(), latencies, latencies, seconds);
        }

        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return 0;
    }

    internal static string Seed(string name) => File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", name));

    /// <summary>Latency percentiles in milliseconds.</summary>
    public sealed record Percentiles(double P50, double P99, double Max)
    {
        /// <summary>Percentiles of <paramref name="values"/>.</summary>
        public static Percentiles Of(double[] values)
        {
            if (values.Length == 0)
            {
                return new Percentiles(double.NaN, double.NaN, double.NaN);
            }

            var sorted = values.Order().ToArray();
            return new Percentiles(sorted[sorted.Length / 2], sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * 0.99))], sorted[^1]);
        }
    }

    /// <summary>What the load generator measured.</summary>
    public sealed record LoadResult(long Requests, long Errors, double Rate, Dictionary<string, int> Statuses, Percentiles Corrected, Percentiles Service)
    {
        /// <summary>Open loop: the worst latency (ms, from schedule) of the requests due in each second.</summary>
        public double[] WorstPerSecond { get; init; } = [];

        /// <summary>Summarises one run.</summary>
        public static LoadResult From(int[] statuses, double[] corrected, double[] service, double seconds) => new(
            statuses.Length,
            statuses.Count(s => s != (int)HttpStatusCode.OK),
            statuses.Length / seconds,
            statuses.GroupBy(s => s).ToDictionary(g => g.Key.ToString(CultureInfo.InvariantCulture), g => g.Count()),
            Percentiles.Of(corrected),
            Percentiles.Of(service));
    }
}
