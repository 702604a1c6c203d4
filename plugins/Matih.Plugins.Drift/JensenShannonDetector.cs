using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Plugins.Drift.Internal;
using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;

namespace Matih.Plugins.Drift;

/// <summary>
/// <c>jensen_shannon</c>: the Jensen-Shannon distance with base-2 logarithms, the square root of the
/// Jensen-Shannon divergence, as <c>scipy.spatial.distance.jensenshannon(p, q, base=2)</c>. 0 for identical
/// distributions, 1 for distributions with no bin in common.
/// </summary>
/// <remarks>
/// Numbers are binned like <see cref="PsiDetector"/> (the reference's quantile bins, option <c>bins</c>, ties
/// merged); categories by category, unseen ones in their own bin; NaN/null in a <c>(missing)</c> bin. Empty bins
/// need no epsilon: a zero share contributes nothing. An empty side gives NaN.
/// </remarks>
public sealed class JensenShannonDetector : IDriftDetector
{
    /// <summary>The method id monitor documents use.</summary>
    public const string MethodId = "jensen_shannon";

    /// <inheritdoc />
    public string Method => MethodId;

    /// <inheritdoc />
    public IReadOnlyList<DriftInputKind> Accepts { get; } = [DriftInputKind.Numeric, DriftInputKind.Categorical];

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Options { get; } =
    [
        new("bins", ParameterType.Integer, "Number of equal-frequency bins cut at the reference's quantiles (numeric features); ties in the reference can merge bins.")
        {
            Default = JsonValue.Create(10),
            Minimum = 2,
            Maximum = 1000,
        },
    ];

    /// <inheritdoc />
    public bool HigherIsWorse => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">An option is invalid (named), or the samples are of different kinds.</exception>
    public DriftMeasurement Measure(DriftSample reference, DriftSample current, IReadOnlyDictionary<string, JsonElement> options)
    {
        var bins = new DetectorOptions(MethodId, Options, options).Integer("bins");
        var counts = DriftInputs.Kind(MethodId, reference, current, Accepts) == DriftInputKind.Numeric
            ? BinnedCounts.Numeric(reference.Numeric ?? [], current.Numeric ?? [], bins)
            : BinnedCounts.Categorical(reference.Categorical ?? [], current.Categorical ?? []);
        if (counts.EitherSideEmpty)
        {
            return new DriftMeasurement(double.NaN, null);
        }

        var divergence = 0.0;
        for (var k = 0; k < counts.Labels.Length; k++)
        {
            var p = counts.ReferenceShare(k);
            var q = counts.CurrentShare(k);
            var mid = (p + q) / 2;
            divergence += (Half(p, mid) + Half(q, mid)) / 2;
        }

        // Rounding can leave a hair outside [0, 1] for identical or disjoint samples.
        return new DriftMeasurement(Math.Sqrt(Math.Clamp(divergence, 0, 1)), null) { Bins = counts.ToBins() };
    }

    private static double Half(double share, double mid) => share == 0 ? 0 : share * Math.Log2(share / mid);
}
