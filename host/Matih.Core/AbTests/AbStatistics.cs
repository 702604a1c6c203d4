using MathNet.Numerics.Distributions;

namespace Matih.Core.AbTests;

/// <summary>A comparison of one metric between control and treatment.</summary>
/// <param name="Control">The control's value (a rate or a mean).</param>
/// <param name="Treatment">The treatment's value.</param>
/// <param name="Lift">(treatment - control) / control, or null when control is 0.</param>
/// <param name="PValue">Two-sided p-value.</param>
/// <param name="DifferenceLow">Lower end of the 95% confidence interval of treatment - control.</param>
/// <param name="DifferenceHigh">Upper end of that interval.</param>
public sealed record MetricComparison(double Control, double Treatment, double? Lift, double PValue, double DifferenceLow, double DifferenceHigh);

/// <summary>The tests an A/B result table rests on: two-proportion z-test, Welch's t-test and the sample-ratio check.</summary>
public static class AbStatistics
{
    private const double Z95 = 1.959963984540054;

    /// <summary>
    /// Two-proportion z-test of <paramref name="successesA"/>/<paramref name="totalA"/> against
    /// <paramref name="successesB"/>/<paramref name="totalB"/> with the pooled standard error; the confidence
    /// interval of the difference uses the unpooled error (as statsmodels does).
    /// </summary>
    public static MetricComparison TwoProportions(long successesA, long totalA, long successesB, long totalB)
    {
        if (totalA <= 0 || totalB <= 0)
        {
            throw new ArgumentException("Both groups need at least one unit.");
        }

        var pA = successesA / (double)totalA;
        var pB = successesB / (double)totalB;
        var pooled = (successesA + successesB) / (double)(totalA + totalB);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1.0 / totalA + 1.0 / totalB));
        var p = se == 0 ? (pA == pB ? 1.0 : 0.0) : 2 * (1 - Normal.CDF(0, 1, Math.Abs((pB - pA) / se)));
        var unpooled = Math.Sqrt(pA * (1 - pA) / totalA + pB * (1 - pB) / totalB);
        return new MetricComparison(pA, pB, pA == 0 ? null : (pB - pA) / pA, p, pB - pA - Z95 * unpooled, pB - pA + Z95 * unpooled);
    }

    /// <summary>Welch's t-test of two means (unequal variances), with the Welch-Satterthwaite degrees of freedom.</summary>
    public static MetricComparison Welch(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count < 2 || b.Count < 2)
        {
            throw new ArgumentException("Welch's t-test needs at least two values per group.");
        }

        var (meanA, varA) = MeanVariance(a);
        var (meanB, varB) = MeanVariance(b);
        var seA = varA / a.Count;
        var seB = varB / b.Count;
        var se = Math.Sqrt(seA + seB);
        if (se == 0)
        {
            return new MetricComparison(meanA, meanB, meanA == 0 ? null : (meanB - meanA) / meanA, meanA == meanB ? 1 : 0, meanB - meanA, meanB - meanA);
        }

        var df = Math.Pow(seA + seB, 2) / (seA * seA / (a.Count - 1) + seB * seB / (b.Count - 1));
        var t = (meanB - meanA) / se;
        var p = 2 * (1 - StudentT.CDF(0, 1, df, Math.Abs(t)));
        var critical = StudentT.InvCDF(0, 1, df, 0.975);
        return new MetricComparison(meanA, meanB, meanA == 0 ? null : (meanB - meanA) / meanA, p, meanB - meanA - critical * se, meanB - meanA + critical * se);
    }

    /// <summary>
    /// Sample-ratio mismatch: a chi-square goodness-of-fit test of the observed assignment counts against the
    /// configured split. A tiny p-value (GrowthBook warns under 0.001) means the split is broken, not lucky.
    /// </summary>
    public static double SampleRatioPValue(IReadOnlyList<long> observed, IReadOnlyList<double> expectedShares)
    {
        var total = observed.Sum();
        if (total == 0)
        {
            return 1;
        }

        var shareSum = expectedShares.Sum();
        var chi = observed.Select((o, i) =>
        {
            var expected = total * expectedShares[i] / shareSum;
            return expected == 0 ? 0 : (o - expected) * (o - expected) / expected;
        }).Sum();
        return 1 - ChiSquared.CDF(observed.Count - 1, chi);
    }

    private static (double Mean, double Variance) MeanVariance(IReadOnlyList<double> values)
    {
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return (mean, variance);
    }
}
