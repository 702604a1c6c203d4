using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Plugins.Drift.Internal;
using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;

namespace Matih.Plugins.Drift;

/// <summary>
/// <c>psi</c>: the Population Stability Index, <c>sum over bins of (c - r) * ln(c / r)</c> with r and c the
/// reference and current shares of a bin. Higher means more drift; the usual reading is under 0.1 stable,
/// 0.1 to 0.25 moderate, above 0.25 major.
/// </summary>
/// <remarks>
/// <para>Numbers: <c>bins</c> equal-frequency bins cut at the reference's quantiles (inverted-CDF quantiles, bins
/// closed on the right, open-ended at both ends so current values outside the reference's range still count).
/// The requested count is used as given. When ties make several cut points fall on one value, those cut points
/// are merged into one and that value stays whole in one bin; the effective count is then smaller and is the
/// number of non-missing entries in <see cref="DriftMeasurement.Bins"/>. Categories: one bin per category of
/// either sample; a category the reference never had gets its own bin (its reference share is 0).</para>
/// <para>NaN and null values form their own <c>(missing)</c> bin when either side has any; shares are over all
/// rows. A share of 0 is replaced by <c>epsilon</c> in the sum (not in <see cref="DriftMeasurement.Bins"/>),
/// so a bin empty on one side gives a large but finite term and a bin empty on both sides gives 0.</para>
/// <para>An empty reference or current sample (no rows at all) cannot be compared: the value is NaN, which never
/// crosses a threshold, and the bins are empty.</para>
/// </remarks>
public sealed class PsiDetector : IDriftDetector
{
    /// <summary>The method id monitor documents use.</summary>
    public const string MethodId = "psi";

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
        new("epsilon", ParameterType.Number, "Share used in place of 0 for a bin that is empty on one side, so the index stays finite (greater than 0, below 1).")
        {
            Default = JsonValue.Create(1e-4),
            Maximum = 1,
        },
    ];

    /// <inheritdoc />
    public bool HigherIsWorse => true;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">An option is invalid (named), or the samples are of different kinds.</exception>
    public DriftMeasurement Measure(DriftSample reference, DriftSample current, IReadOnlyDictionary<string, JsonElement> options)
    {
        var read = new DetectorOptions(MethodId, Options, options);
        var bins = read.Integer("bins");
        var epsilon = read.Number("epsilon", e => e > 0 && e < 1, "must be a number greater than 0 and less than 1");
        var counts = DriftInputs.Kind(MethodId, reference, current, Accepts) == DriftInputKind.Numeric
            ? BinnedCounts.Numeric(reference.Numeric ?? [], current.Numeric ?? [], bins)
            : BinnedCounts.Categorical(reference.Categorical ?? [], current.Categorical ?? []);
        return Measure(counts, epsilon);
    }

    internal static DriftMeasurement Measure(BinnedCounts counts, double epsilon)
    {
        if (counts.EitherSideEmpty)
        {
            return new DriftMeasurement(double.NaN, null);
        }

        var psi = 0.0;
        for (var k = 0; k < counts.Labels.Length; k++)
        {
            var r = counts.Reference[k] == 0 ? epsilon : counts.ReferenceShare(k);
            var c = counts.Current[k] == 0 ? epsilon : counts.CurrentShare(k);
            psi += (c - r) * Math.Log(c / r);
        }

        return new DriftMeasurement(psi, null) { Bins = counts.ToBins() };
    }
}
