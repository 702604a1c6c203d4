using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Plugins.Drift.Internal;
using Matih.Sdk.Drift;
using Matih.Sdk.Plugins;

namespace Matih.Plugins.Drift;

/// <summary>
/// <c>precision_at_k</c>: the share of true positives among the k highest-scored rows of the current window
/// (<see cref="DriftSample.Numeric"/> = scores, <see cref="DriftSample.Labels"/> = ground truth). Lower is worse;
/// the host alerts when it falls under the monitor's threshold.
/// </summary>
/// <remarks>
/// <para>Option <c>k</c>: a whole number of at least 1 is a count (1000 = the top 1000 rows); a number between 0
/// and 1 is a fraction of the scored rows (0.05 = the top 5%, rounded up to at least one row). When the window has
/// fewer scored rows than k, all of them are taken and the precision is over that many.</para>
/// <para>Ties at the cut: the rows scored exactly as the k-th row share the slots left at the cut, each counting
/// as the tied group's share of positives. That is the expected precision under a random tie-break, and it does
/// not depend on the order the rows arrive in.</para>
/// <para>Rows with a NaN score cannot be ranked and are left out. The reference is not used and may be empty.
/// A window with no scored rows gives NaN, which never crosses a threshold. No p-value and no bins.</para>
/// </remarks>
public sealed class PrecisionAtKDetector : IDriftDetector
{
    /// <summary>The method id monitor documents use (the seed's <c>metric</c>).</summary>
    public const string MethodId = "precision_at_k";

    /// <inheritdoc />
    public string Method => MethodId;

    /// <inheritdoc />
    public IReadOnlyList<DriftInputKind> Accepts { get; } = [DriftInputKind.Labelled];

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Options { get; } =
    [
        new("k", ParameterType.Number, "How many top-scored rows to check: a count such as 1000, or a fraction of the window such as 0.05.")
        {
            Default = JsonValue.Create(1000),
        },
    ];

    /// <inheritdoc />
    public bool HigherIsWorse => false;

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><c>k</c> is invalid, or the current window lacks aligned scores and labels.</exception>
    public DriftMeasurement Measure(DriftSample reference, DriftSample current, IReadOnlyDictionary<string, JsonElement> options)
    {
        ArgumentNullException.ThrowIfNull(current);
        var k = new DetectorOptions(MethodId, Options, options).Number(
            "k",
            value => value > 0 && (value < 1 || value == Math.Floor(value)),
            "must be a whole number of at least 1 (a count) or a number between 0 and 1 (a fraction)");
        var scores = current.Numeric ?? [];
        var labels = current.Labels
            ?? (scores.Length == 0 ? [] : throw new ArgumentException($"{MethodId}: the current window has scores but no Labels (ground truth).", nameof(current)));
        if (labels.Length != scores.Length)
        {
            throw new ArgumentException(
                $"{MethodId}: the current window has {scores.Length} scores but {labels.Length} Labels; they must be aligned row by row.",
                nameof(current));
        }

        return new DriftMeasurement(Precision(scores, labels, k), null);
    }

    internal static double Precision(double[] scores, bool[] labels, double k)
    {
        var ranked = SortedValues.WithoutNaN(scores, out _);
        var n = ranked.Length;
        if (n == 0)
        {
            return double.NaN;
        }

        var top = k < 1 ? (int)Math.Max(1, Math.Ceiling(k * n)) : (int)Math.Min(k, n);
        var cut = ranked[n - top];
        long above = 0, positivesAbove = 0, tied = 0, positivesTied = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] > cut)
            {
                above++;
                positivesAbove += labels[i] ? 1 : 0;
            }
            else if (scores[i] == cut)
            {
                tied++;
                positivesTied += labels[i] ? 1 : 0;
            }
        }

        var slots = top - above;
        return (positivesAbove + ((double)positivesTied * slots / tied)) / top;
    }
}
