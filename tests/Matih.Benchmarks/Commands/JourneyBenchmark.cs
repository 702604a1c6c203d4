using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Matih.Testing;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// The whole seed walkthrough as one script (<c>scripts/churn-journey.csx</c>), run headless the way a user runs it
/// (<c>Matih.Host script --data-dir DIR --demo-scale S scripts/churn-journey.csx</c>) on a fresh data directory, timed
/// end to end: process start, the in-process host, the demo load, the eight stages, shutdown. The script's own
/// per-stage times are printed beside it.
/// </summary>
public sealed partial class JourneyBenchmark : IBenchmarkCommand
{
    /// <inheritdoc />
    public string Name => "journey";

    /// <inheritdoc />
    public string Description => "The churn journey script end to end, headless on a fresh data directory with the NovaMart demo.";

    /// <inheritdoc />
    public string Usage => "[--scale 0.01]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var scale = options.Number("scale", 0.01);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        var data = Directory.CreateTempSubdirectory("matih-journey-bench-").FullName;
        try
        {
            var script = Path.Combine(MatihHost.RepositoryRoot, "scripts", "churn-journey.csx");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = MatihHost.RepositoryRoot,
            };
            foreach (var arg in new[]
            {
                MatihHost.HostAssembly, "script", "--data-dir", data, "--plugins", Path.Combine(MatihHost.RepositoryRoot, "plugins.json"),
                "--demo-scale", scale.ToString(CultureInfo.InvariantCulture), script,
            })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["MATIH_ADMIN_PASSWORD"] = MatihHost.AdminPassword;
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start)!;
            var stdout = new StringBuilder();
            var reading = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
                {
                    stdout.AppendLine(line);
                }
            }, cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            await reading;
            var total = clock.Elapsed;
            var output = stdout.ToString();
            if (process.ExitCode != 0)
            {
                Console.Error.WriteLine(output);
                Console.Error.WriteLine(await stderr);
                Console.Error.WriteLine($"The journey failed with exit code {process.ExitCode}.");
                return 1;
            }

            Console.WriteLine($"churn journey at scale {scale.ToString(CultureInfo.InvariantCulture)}, fresh data directory, headless:");
            var stages = output.Split('\n').SkipWhile(l => !l.StartsWith("Summary", StringComparison.Ordinal)).Skip(1).TakeWhile(l => l.StartsWith("  Stage", StringComparison.Ordinal));
            foreach (var stage in stages)
            {
                Console.WriteLine(stage.TrimEnd());
            }

            var journey = JourneyLine().Match(output);
            Console.WriteLine($"  {"the eight stages (script)",-32} {(journey.Success ? journey.Groups[1].Value : "?"),7} s");
            Console.WriteLine($"  {"end to end (process)",-32} {total.TotalSeconds,7:0.0} s   (host start, demo load, journey, shutdown)");
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open; the temp folder is cleaned by the OS eventually.
            }
        }
    }

    [GeneratedRegex(@"Journey complete in ([\d.]+) s")]
    private static partial Regex JourneyLine();
}
