using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Plugins.Drift.Internal;
using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;

namespace Matih.Plugins.Drift;

/// <summary>
/// <c>wasserstein</c>: the first Wasserstein (earth mover's) distance between the two samples' empirical
/// distributions, the area between their CDFs, as <c>scipy.stats.wasserstein_distance(u, v)</c>. In the
/// feature's own units; with <c>normalize</c> it is divided by the reference's standard deviation (population,
/// as Evidently's normed variant), so one threshold fits features of any scale.
/// </summary>
/// <remarks>
/// Computed on the raw values (no bins). NaN and infinite values are left out: a distance to infinity is not a
/// number. An empty side gives NaN. With <c>normalize</c> and a constant reference (standard deviation 0) the
/// result is 0 if the current window has the same constant and +infinity otherwise. <see cref="DriftMeasurement.Bins"/>
/// shows the reference's deciles for a chart.
/// </remarks>
public sealed class WassersteinDetector : IDriftDetector
{
    /// <summary>The method id monitor documents use.</summary>
    public const string MethodId = "wasserstein";

    /// <inheritdoc />
    public string Method => MethodId;

    /// <inheritdoc />
    public IReadOnlyList<DriftInputKind> Accepts { get; } = [DriftInputKind.Numeric];

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Options { get; } =
    [
        new("normalize", ParameterType.Boolean, "Divide the distance by the reference's standard deviation, so the threshold is in standard deviations rather than the feature's units.")
        {
            Default = JsonValue.Create(false),
        },
    ];

    /// <inheritdoc />
    public bool HigherIsWorse => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">An option is invalid (named), or the samples are not numeric.</exception>
    public DriftMeasurement Measure(DriftSample reference, DriftSample current, IReadOnlyDictionary<string, JsonElement> options)
    {
        var normalize = new DetectorOptions(MethodId, Options, options).Boolean("normalize");
        DriftInputs.Kind(MethodId, reference, current, Accepts);
        var a = SortedValues.Finite(reference.Numeric ?? []);
        var b = SortedValues.Finite(current.Numeric ?? []);
        if (a.Length == 0 || b.Length == 0)
        {
            return new DriftMeasurement(double.NaN, null);
        }

        var distance = Distance(a, b);
        if (normalize)
        {
            var spread = StandardDeviation(a);
            distance = spread > 0 ? distance / spread
                : distance == 0 ? 0
                : double.PositiveInfinity;
        }

        return new DriftMeasurement(distance, null) { Bins = ChartBins.Deciles(a, b) };
    }

    /// <summary>The integral of |F1 - F2| over the pooled sorted values of two sorted samples.</summary>
    internal static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        long m = a.Length, n = b.Length;
        int i = 0, j = 0;
        var area = 0.0;
        var scale = (double)m * n;
        while (i < a.Length || j < b.Length)
        {
            var x = j >= b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            var next = i < a.Length ? (j < b.Length ? Math.Min(a[i], b[j]) : a[i])
                : j < b.Length ? b[j]
                : x;
            // |F1 - F2| between x and the next pooled value, from exact integer counts.
            area += Math.Abs((i * n) - (j * m)) / scale * (next - x);
        }

        return area;
    }

    private static double StandardDeviation(ReadOnlySpan<double> values)
    {
        var mean = 0.0;
        foreach (var value in values)
        {
            mean += value;
        }

        mean /= values.Length;
        var squares = 0.0;
        foreach (var value in values)
        {
            squares += (value - mean) * (value - mean);
        }

        return Math.Sqrt(squares / values.Length);
    }
}
