using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;

namespace Company.MatihPlugin;

/// <summary>
/// <c>mean_shift</c>: how far the current mean moved from the reference mean, in reference standard deviations
/// (|mean(current) − mean(reference)| / sd(reference)). Missing values (NaN) are ignored. Pure computation: the host
/// reads the windows and compares the value with the monitor's threshold.
/// </summary>
public sealed class SampleEntryDetector : IDriftDetector
{
    /// <inheritdoc />
    public string Method => "mean_shift";

    /// <inheritdoc />
    public IReadOnlyList<DriftInputKind> Accepts { get; } = [DriftInputKind.Numeric];

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Options { get; } =
    [
        new ParameterSpec("min_count", ParameterType.Integer, "Fewest values a window needs; fewer gives 0 (no evidence of drift).")
        {
            Default = JsonValue.Create(2),
            Minimum = 2,
        },
    ];

    /// <inheritdoc />
    public bool HigherIsWorse => true;

    /// <inheritdoc />
    public DriftMeasurement Measure(DriftSample reference, DriftSample current, IReadOnlyDictionary<string, JsonElement> options)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(options);
        var minCount = options.TryGetValue("min_count", out var min) ? min.GetInt32() : 2;
        var before = (reference.Numeric ?? []).Where(v => !double.IsNaN(v)).ToArray();
        var after = (current.Numeric ?? []).Where(v => !double.IsNaN(v)).ToArray();
        if (before.Length < minCount || after.Length < minCount)
        {
            return new DriftMeasurement(0, null);
        }

        var mean = before.Average();
        var sd = Math.Sqrt(before.Sum(v => (v - mean) * (v - mean)) / (before.Length - 1));
        var shift = Math.Abs(after.Average() - mean);
        var value = sd > 0 ? shift / sd : shift > 0 ? double.PositiveInfinity : 0;
        return new DriftMeasurement(value, null)
        {
            // Two bins for the chart: the share of values below and above the reference mean.
            Bins =
            [
                new DriftBin($"< {mean:G4}", Share(before, v => v < mean), Share(after, v => v < mean)),
                new DriftBin($">= {mean:G4}", Share(before, v => v >= mean), Share(after, v => v >= mean)),
            ],
        };
    }

    private static double Share(double[] values, Func<double, bool> predicate) => values.Count(predicate) / (double)values.Length;
}
