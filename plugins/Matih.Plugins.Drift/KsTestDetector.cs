using System.Text.Json;
using Matih.Plugins.Drift.Internal;
using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;

namespace Matih.Plugins.Drift;

/// <summary>
/// <c>ks_test</c>: the two-sample Kolmogorov-Smirnov test (two-sided), as <c>scipy.stats.ks_2samp</c> with its
/// default <c>method='auto'</c>.
/// </summary>
/// <remarks>
/// <para><see cref="DriftMeasurement.Value"/> is the statistic D, the largest gap between the two empirical CDFs
/// (0 = same distribution, 1 = no overlap). <see cref="DriftMeasurement.PValue"/> is the probability of a D at
/// least this large if both samples came from one distribution; drift is a p-value <em>below</em> the monitor's
/// threshold, hence <see cref="HigherIsWorse"/> is false and the host compares the p-value.</para>
/// <para>P-value: exact (the lattice-path distribution of D, as scipy's 'exact') when neither sample has more than
/// 10,000 values; otherwise the Kolmogorov distribution at (sqrt(en) + 0.12 + 0.11 / sqrt(en)) * D with
/// en = m n / (m + n) (Stephens' correction). Tied values are handled in D as scipy does; the exact p-value
/// assumes continuous data, as scipy's does, so with many ties it is conservative.</para>
/// <para>NaN values are left out (missing). If either side has no values left, the result is NaN for both D and
/// the p-value, which never crosses a threshold. <see cref="DriftMeasurement.Bins"/> shows the reference's deciles
/// for a chart; the test does not use them.</para>
/// </remarks>
public sealed class KsTestDetector : IDriftDetector
{
    /// <summary>The method id monitor documents use.</summary>
    public const string MethodId = "ks_test";

    /// <inheritdoc />
    public string Method => MethodId;

    /// <inheritdoc />
    public IReadOnlyList<DriftInputKind> Accepts { get; } = [DriftInputKind.Numeric];

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Options { get; } = [];

    /// <inheritdoc />
    public bool HigherIsWorse => false;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The samples are not numeric.</exception>
    public DriftMeasurement Measure(DriftSample reference, DriftSample current, IReadOnlyDictionary<string, JsonElement> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DriftInputs.Kind(MethodId, reference, current, Accepts);
        var a = SortedValues.WithoutNaN(reference.Numeric ?? [], out _);
        var b = SortedValues.WithoutNaN(current.Numeric ?? [], out _);
        if (a.Length == 0 || b.Length == 0)
        {
            return new DriftMeasurement(double.NaN, double.NaN);
        }

        var d = KolmogorovSmirnov.Statistic(a, b, out var steps);
        var p = KolmogorovSmirnov.PValue(a.Length, b.Length, steps);
        return new DriftMeasurement(d, p) { Bins = ChartBins.Deciles(a, b) };
    }
}
