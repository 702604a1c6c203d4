using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Testing;
using Microsoft.CodeAnalysis.CSharp.Scripting;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// Script latency at three levels, side by side: bare in-process Roslyn (<c>CSharpScript.EvaluateAsync</c>, no cache,
/// no isolation), the script runner child process spoken to directly (collectible compile, cache by source hash), and
/// the host's <c>POST /api/scripts/run</c> end to end (token, child process, audit). For each: the first script (cold),
/// distinct scripts once warm, and the same script re-run.
/// </summary>
public sealed class ScriptBenchmark : IBenchmarkCommand
{
    /// <inheritdoc />
    public string Name => "scripts";

    /// <inheritdoc />
    public string Description => "Script console latency: cold first run, warm distinct scripts, cached re-runs, vs bare Roslyn.";

    /// <inheritdoc />
    public string Usage => "[--distinct 40] [--repeats 200]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var distinct = (int)options.Integer("distinct", 40);
        var repeats = (int)options.Integer("repeats", 200);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        Console.WriteLine($"{"level",-28} {"cold first ms",14} {"warm distinct ms (median, p90)",31} {"same script again ms (median, p90)",36}");
        await BareRoslynAsync(distinct, repeats, cancellationToken);
        await RunnerAsync(distinct, repeats, cancellationToken);
        await HostApiAsync(distinct, repeats, cancellationToken);
        Console.WriteLine();
        Console.WriteLine("Bare Roslyn recompiles the same code every time (no cache) and leaks an assembly per distinct script; the runner caches");
        Console.WriteLine("compiled scripts by source hash in collectible load contexts; the API adds a token, HTTP and an audit record per run.");
        return 0;
    }

    private static string Distinct(int i) => $"var values = Enumerable.Range(0, 100).Select(n => n * {i + 1}).ToList();\nvalues.Sum() + {i}";

    private static async Task BareRoslynAsync(int distinct, int repeats, CancellationToken cancellationToken)
    {
        var options = Microsoft.CodeAnalysis.Scripting.ScriptOptions.Default.AddReferences(typeof(Enumerable).Assembly).AddImports("System", "System.Linq");
        var cold = await TimeAsync(() => CSharpScript.EvaluateAsync<object>(Distinct(-1), options, cancellationToken: cancellationToken));
        var warm = new List<double>();
        for (var i = 0; i < distinct; i++)
        {
            var code = Distinct(i);
            warm.Add(await TimeAsync(() => CSharpScript.EvaluateAsync<object>(code, options, cancellationToken: cancellationToken)));
        }

        var same = new List<double>();
        for (var i = 0; i < Math.Min(repeats, 50); i++)
        {
            same.Add(await TimeAsync(() => CSharpScript.EvaluateAsync<object>(Distinct(0), options, cancellationToken: cancellationToken)));
        }

        Report("bare Roslyn EvaluateAsync", cold, warm, same);
        var compiled = CSharpScript.Create<object>(Distinct(0), options).CreateDelegate(cancellationToken);
        var delegates = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            delegates.Add(await TimeAsync(() => compiled(cancellationToken: cancellationToken)));
        }

        Report("  (precompiled delegate)", null, null, delegates);
    }

    private static async Task RunnerAsync(int distinct, int repeats, CancellationToken cancellationToken)
    {
        var runner = Path.Combine(Path.GetDirectoryName(MatihHost.HostAssembly)!, "scripting", "Matih.Scripting.Runner.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(runner);
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x40000000";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line && !line.Contains("\"ready\"", StringComparison.Ordinal))
            {
            }

            var id = 0;
            async Task<JsonNode> RunOnceAsync(string code)
            {
                var request = new JsonObject { ["id"] = ++id, ["kind"] = "run", ["code"] = code, ["name"] = "bench", ["token"] = "t" };
                await process.StandardInput.WriteLineAsync(request.ToJsonString());
                await process.StandardInput.FlushAsync(cancellationToken);
                while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } reply)
                {
                    var message = JsonNode.Parse(reply)!;
                    if ((string?)message["kind"] == "done")
                    {
                        return message["outcome"]!;
                    }
                }

                throw new InvalidOperationException("The runner ended.");
            }

            var first = await RunOnceAsync(Distinct(-1));
            var cold = watch.Elapsed.TotalMilliseconds;
            Check(first);
            var warm = new List<double>();
            for (var i = 0; i < distinct; i++)
            {
                var code = Distinct(i);
                warm.Add(await TimeAsync(async () => Check(await RunOnceAsync(code))));
            }

            var same = new List<double>();
            for (var i = 0; i < repeats; i++)
            {
                same.Add(await TimeAsync(async () => Check(await RunOnceAsync(Distinct(0)))));
            }

            Report("runner process (direct)", cold, warm, same);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private static async Task HostApiAsync(int distinct, int repeats, CancellationToken cancellationToken)
    {
        // No warm process at start: the first run pays for starting the runner and Roslyn, as after a host restart.
        await using var host = await MatihHost.StartAsync(extraArgs: ["--Matih:Scripts:WarmAtStart=false"]);
        using var client = await host.SignedInAsync();
        async Task RunOnceAsync(string code)
        {
            var response = await client.PostAsJsonAsync("api/scripts/run", new { code }, cancellationToken);
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            if (body.GetProperty("state").GetString() != "succeeded")
            {
                throw new InvalidOperationException(body.GetProperty("message").GetString());
            }
        }

        var cold = await TimeAsync(() => RunOnceAsync(Distinct(-1)));
        var warm = new List<double>();
        for (var i = 0; i < distinct; i++)
        {
            var code = Distinct(i);
            warm.Add(await TimeAsync(() => RunOnceAsync(code)));
        }

        var same = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            same.Add(await TimeAsync(() => RunOnceAsync(Distinct(0))));
        }

        Report("host POST /api/scripts/run", cold, warm, same);

        // As users meet it: the host warms a script process when it starts, so the first run only compiles.
        await using var warmHost = await MatihHost.StartAsync();
        using var warmClient = await warmHost.SignedInAsync();
        await Task.Delay(TimeSpan.FromSeconds(8), cancellationToken);
        var firstWarm = await TimeAsync(async () => (await warmClient.PostAsJsonAsync("api/scripts/run", new { code = Distinct(-1) }, cancellationToken)).EnsureSuccessStatusCode());
        Report("  (host warmed at start)", firstWarm, null, []);
    }

    private static JsonNode Check(JsonNode outcome) =>
        (string?)outcome["state"] == "succeeded" ? outcome : throw new InvalidOperationException((string?)outcome["message"]);

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static void Report(string level, double? cold, List<double>? warm, List<double> same)
    {
        static string Figures(List<double>? values)
        {
            if (values is null || values.Count == 0)
            {
                return "-";
            }

            var sorted = values.Order().ToArray();
            return string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Length / 2]:F2}, {sorted[(int)(sorted.Length * 0.9)]:F2}");
        }

        var coldText = cold is { } c ? c.ToString("F0", CultureInfo.InvariantCulture) : "-";
        Console.WriteLine($"{level,-28} {coldText,14} {Figures(warm),31} {Figures(same),36}");
    }
}
