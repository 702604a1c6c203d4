using System.Text.Json;
using Matih.Plugins.Drift.Internal;
using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;
using MathNet.Numerics;

namespace Matih.Plugins.Drift;

/// <summary>
/// <c>chi_square</c>: Pearson's chi-square test of homogeneity on the 2 x K table of category counts (reference
/// row, current row), without continuity correction, as <c>scipy.stats.chi2_contingency(table, correction=False)</c>.
/// </summary>
/// <remarks>
/// <para><see cref="DriftMeasurement.Value"/> is the chi-square statistic; <see cref="DriftMeasurement.PValue"/> is
/// its upper tail with K - 1 degrees of freedom (MathNet's regularized upper incomplete gamma function). Drift is
/// a p-value below the threshold, so <see cref="HigherIsWorse"/> is false and the host compares the p-value.</para>
/// <para>The test of homogeneity treats both sides as samples, so a category only the current window has is an
/// ordinary column (a goodness-of-fit test against the reference's shares would divide by zero there). Null is
/// its own category. With a single category overall the statistic is 0 and the p-value 1. An empty side gives
/// NaN for both. <see cref="DriftMeasurement.Bins"/> gives each category's shares.</para>
/// </remarks>
public sealed class ChiSquareDetector : IDriftDetector
{
    /// <summary>The method id monitor documents use.</summary>
    public const string MethodId = "chi_square";

    /// <inheritdoc />
    public string Method => MethodId;

    /// <inheritdoc />
    public IReadOnlyList<DriftInputKind> Accepts { get; } = [DriftInputKind.Categorical];

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Options { get; } = [];

    /// <inheritdoc />
    public bool HigherIsWorse => false;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The samples are not categorical.</exception>
    public DriftMeasurement Measure(DriftSample reference, DriftSample current, IReadOnlyDictionary<string, JsonElement> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DriftInputs.Kind(MethodId, reference, current, Accepts);
        var counts = BinnedCounts.Categorical(reference.Categorical ?? [], current.Categorical ?? []);
        if (counts.EitherSideEmpty)
        {
            return new DriftMeasurement(double.NaN, double.NaN);
        }

        double total = counts.ReferenceTotal + counts.CurrentTotal;
        var statistic = 0.0;
        for (var k = 0; k < counts.Labels.Length; k++)
        {
            double column = counts.Reference[k] + counts.Current[k];
            statistic += Term(counts.Reference[k], counts.ReferenceTotal * column / total);
            statistic += Term(counts.Current[k], counts.CurrentTotal * column / total);
        }

        var freedom = counts.Labels.Length - 1;
        var p = freedom == 0 ? 1.0 : SpecialFunctions.GammaUpperRegularized(freedom / 2.0, statistic / 2.0);
        return new DriftMeasurement(statistic, p) { Bins = counts.ToBins() };
    }

    private static double Term(double observed, double expected) => (observed - expected) * (observed - expected) / expected;
}
