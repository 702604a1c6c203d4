using System.Diagnostics;
using Matih.Testing;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// Host cold start: the built host started as a process on a fresh data directory, timed until <c>/health</c>
/// answers; side by side with the same host loading no plugins (the plugin loader's share) and until the NovaMart
/// demo is queryable.
/// </summary>
public sealed class ColdStartBenchmark : IBenchmarkCommand
{
    /// <inheritdoc />
    public string Name => "cold-start";

    /// <inheritdoc />
    public string Description => "Host start to healthy (with and without plugins) and to the demo loaded.";

    /// <inheritdoc />
    public string Usage => "[--repeat 5]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var repeat = (int)options.Integer("repeat", 5);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        var noPlugins = Path.Combine(Path.GetTempPath(), $"matih-no-plugins-{Environment.ProcessId}.json");
        await File.WriteAllTextAsync(noPlugins, """{ "plugins": [] }""", cancellationToken);
        Console.WriteLine($"Host: {MatihHost.HostAssembly}");
        Console.WriteLine($"{"case",-34} {"median s",9} {"min s",7} {"max s",7}");
        try
        {
            await ReportAsync("healthy, built-in plugins", repeat, () => TimeAsync(demo: false, []));
            await ReportAsync("healthy, no plugins", repeat, () => TimeAsync(demo: false, ["--plugins", noPlugins]));
            await ReportAsync("demo (scale 0.01) queryable", repeat, () => TimeAsync(demo: true, []));
        }
        finally
        {
            File.Delete(noPlugins);
        }

        return 0;
    }

    private static async Task ReportAsync(string label, int repeat, Func<Task<double>> run)
    {
        var seconds = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            seconds.Add(await run());
        }

        seconds.Sort();
        Console.WriteLine($"{label,-34} {seconds[seconds.Count / 2],9:F2} {seconds[0],7:F2} {seconds[^1],7:F2}");
    }

    private static async Task<double> TimeAsync(bool demo, string[] args)
    {
        var clock = Stopwatch.StartNew();
        await using var host = await MatihHost.StartAsync(demo: demo, extraArgs: args);
        if (demo)
        {
            await host.WaitForDemoAsync(TimeSpan.FromMinutes(5));
        }

        return clock.Elapsed.TotalSeconds;
    }
}
