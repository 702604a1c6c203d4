using System.Diagnostics;
using System.Text.Json;
using Matih.Plugins.Drift;
using Matih.Sdk.Drift;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// <c>drift</c>: the built-in PSI and KS detectors on a 1M-row window against a 1M-row reference (the issue's
/// target: PSI for 3 features + KS on predictions in under 1 s), side by side with the LINQ code a user might
/// write instead (OrderBy for the quantiles and the sort, GroupBy for the bins, a scipy-style searchsorted port
/// for KS). Medians over several runs; data generation is not timed.
/// </summary>
public sealed class DriftBenchmark : IBenchmarkCommand
{
    private static readonly IReadOnlyDictionary<string, JsonElement> s_noOptions = new Dictionary<string, JsonElement>();

    /// <inheritdoc />
    public string Name => "drift";

    /// <inheritdoc />
    public string Description => "PSI and KS drift detectors on 1M vs 1M values, vs naive LINQ versions; medians and values/s.";

    /// <inheritdoc />
    public string Usage => "[--rows 1000000] [--runs 5] [--seed 42]";

    /// <inheritdoc />
    public Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var rows = (int)options.Integer("rows", 1_000_000);
        var runs = (int)options.Integer("runs", 5);
        var seed = (int)options.Integer("seed", 42);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        if (rows < 10 || runs < 1)
        {
            throw new ArgumentException("--rows must be at least 10 and --runs at least 1.");
        }

        var generate = Stopwatch.StartNew();
        var reference = Window.Generate(rows, seed, drifted: false);
        var current = Window.Generate(rows, seed + 1, drifted: true);
        Console.WriteLine($"Generated 2 x {rows:N0} rows (3 features + churn_probability) in {generate.Elapsed.TotalSeconds:F1} s; {runs} runs, medians.");

        var psi = new PsiDetector();
        var ks = new KsTestDetector();
        var timings = new Dictionary<string, List<double>>();
        DriftMeasurement? psiResult = null, ksResult = null;
        double naivePsi = 0, naiveD = 0, naiveP = 0;
        for (var run = 0; run < runs; run++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            psiResult = Time(timings, "Matih psi (avg_order_value)", () => psi.Measure(Numbers(reference.OrderValue), Numbers(current.OrderValue), s_noOptions));
            ksResult = Time(timings, "Matih ks_test (churn_probability)", () => ks.Measure(Numbers(reference.Probability), Numbers(current.Probability), s_noOptions));
            Time(timings, "Matih 3 x psi + ks_test (issue #8 target)", () =>
            {
                psi.Measure(Numbers(reference.OrderValue), Numbers(current.OrderValue), s_noOptions);
                psi.Measure(Numbers(reference.DaysSince), Numbers(current.DaysSince), s_noOptions);
                psi.Measure(Numbers(reference.Sessions), Numbers(current.Sessions), s_noOptions);
                return ks.Measure(Numbers(reference.Probability), Numbers(current.Probability), s_noOptions);
            });
            naivePsi = Time(timings, "naive LINQ psi (avg_order_value)", () => Naive.Psi(reference.OrderValue, current.OrderValue, 10));
            (naiveD, naiveP) = Time(timings, "naive LINQ ks (churn_probability)", () => Naive.Ks(reference.Probability, current.Probability));
        }

        Console.WriteLine();
        Console.WriteLine($"{"measure",-44} {"median ms",10} {"min ms",8} {"M values/s",11}");
        foreach (var (name, times) in timings)
        {
            var values = name.Contains("3 x", StringComparison.Ordinal) ? 8.0 * rows : 2.0 * rows;
            var median = Median(times);
            Console.WriteLine($"{name,-44} {median,10:F0} {times.Min(),8:F0} {values / median / 1_000,11:F1}");
        }

        Console.WriteLine();
        Console.WriteLine($"psi: Matih {psiResult!.Value:F5} over {psiResult.Bins.Count} bins, naive {naivePsi:F5}");
        Console.WriteLine($"ks:  Matih D {ksResult!.Value:F5} p {ksResult.PValue:G4}, naive D {naiveD:F5} p {naiveP:G4}");
        return Task.FromResult(0);
    }

    private static DriftSample Numbers(double[] values) => new() { Numeric = values };

    private static T Time<T>(Dictionary<string, List<double>> timings, string name, Func<T> action)
    {
        var clock = Stopwatch.StartNew();
        var result = action();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (!timings.TryGetValue(name, out var list))
        {
            timings[name] = list = [];
        }

        list.Add(elapsed);
        return result;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>A window shaped like the seed's churn features: a skewed amount, tied day counts, many zero sessions.</summary>
    private sealed record Window(double[] OrderValue, double[] DaysSince, double[] Sessions, double[] Probability)
    {
        public static Window Generate(int rows, int seed, bool drifted)
        {
            var random = new Random(seed);
            var shift = drifted ? 0.05 : 0.0;
            var window = new Window(new double[rows], new double[rows], new double[rows], new double[rows]);
            for (var i = 0; i < rows; i++)
            {
                var z = Gaussian(random);
                window.OrderValue[i] = Math.Round(Math.Exp(4.2 + shift + (0.6 * z)), 2);
                window.DaysSince[i] = Math.Floor(-Math.Log(1 - random.NextDouble()) * (45 + (shift * 100)));
                window.Sessions[i] = random.NextDouble() < 0.3 ? 0 : Math.Floor(random.NextDouble() * 60);
                window.Probability[i] = 1 / (1 + Math.Exp(-(-1.2 + shift + (1.3 * Gaussian(random)))));
            }

            return window;
        }

        private static double Gaussian(Random random) =>
            Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
    }

    /// <summary>What a user might write without the plugin: LINQ all the way.</summary>
    private static class Naive
    {
        public static double Psi(double[] reference, double[] current, int bins)
        {
            var sorted = reference.OrderBy(x => x).ToArray();
            var edges = Enumerable.Range(1, bins - 1).Select(i => sorted[(int)((long)i * sorted.Length / bins)]).Distinct().ToArray();
            int Bin(double v) => edges.Count(e => e < v);
            var r = reference.GroupBy(Bin).ToDictionary(g => g.Key, g => (double)g.Count() / reference.Length);
            var c = current.GroupBy(Bin).ToDictionary(g => g.Key, g => (double)g.Count() / current.Length);
            return Enumerable.Range(0, edges.Length + 1).Sum(k =>
            {
                var rs = r.TryGetValue(k, out var a) ? a : 1e-4;
                var cs = c.TryGetValue(k, out var b) ? b : 1e-4;
                return (cs - rs) * Math.Log(cs / rs);
            });
        }

        // A port of scipy's ks_2samp: searchsorted over the pooled values, then the asymptotic p-value.
        public static (double D, double P) Ks(double[] a, double[] b)
        {
            var x = a.OrderBy(v => v).ToArray();
            var y = b.OrderBy(v => v).ToArray();
            var d = x.Concat(y).Max(v => Math.Abs(((double)UpperBound(x, v) / x.Length) - ((double)UpperBound(y, v) / y.Length)));
            var en = Math.Sqrt((double)x.Length * y.Length / (x.Length + y.Length));
            var lambda = (en + 0.12 + (0.11 / en)) * d;
            var p = 2 * Enumerable.Range(1, 100).Sum(k => (k % 2 == 1 ? 1 : -1) * Math.Exp(-2.0 * k * k * lambda * lambda));
            return (d, Math.Clamp(p, 0, 1));
        }

        private static int UpperBound(double[] sorted, double value)
        {
            var index = Array.BinarySearch(sorted, value);
            if (index < 0)
            {
                return ~index;
            }

            while (index < sorted.Length && sorted[index] == value)
            {
                index++;
            }

            return index;
        }
    }
}
