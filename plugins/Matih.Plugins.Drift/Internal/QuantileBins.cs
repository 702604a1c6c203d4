using System.Globalization;

namespace Matih.Plugins.Drift.Internal;

/// <summary>
/// Equal-frequency bins cut at the reference's quantiles. With <c>B</c> bins requested, the cut points are the
/// reference values at the inverted-CDF quantiles <c>i/B</c> (i = 1..B-1): the smallest value whose share of the
/// sorted reference reaches <c>i/B</c>. Bins are closed on the right: <c>(-inf, e1], (e1, e2], ..., (eB-1, +inf)</c>.
/// </summary>
/// <remarks>
/// Because every cut point is a reference value and bins are right-closed, each bin but the last holds at least
/// one reference value. Ties: when several cut points land on the same value (a value that fills more than one
/// bin's worth of the reference, e.g. many zeros) they become one cut point, and that value's mass stays whole in
/// the bin it closes. So the effective count is <c>distinct cut points + 1</c>: exactly B whenever no value fills
/// more than a bin's share, fewer otherwise. The result depends only on the multiset of reference values.
/// </remarks>
internal sealed class QuantileBins
{
    private QuantileBins(double[] edges) => Edges = edges;

    /// <summary>Strictly increasing cut points; bin k holds values in <c>(Edges[k-1], Edges[k]]</c>.</summary>
    public double[] Edges { get; }

    /// <summary>The effective number of bins.</summary>
    public int Count => Edges.Length + 1;

    /// <summary>Cuts a sorted reference (no NaN) into at most <paramref name="bins"/> bins.</summary>
    public static QuantileBins FromSorted(ReadOnlySpan<double> sorted, int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var n = (long)sorted.Length;
        var edges = new List<double>(bins - 1);
        if (n > 0)
        {
            for (var i = 1; i < bins; i++)
            {
                // ceil(i * n / B) - 1 in integers, so the cut is the same on every machine.
                var index = ((i * n) + bins - 1) / bins - 1;
                var edge = sorted[(int)index];
                if (edges.Count == 0 || edge > edges[^1])
                {
                    edges.Add(edge);
                }
            }
        }

        return new QuantileBins([.. edges]);
    }

    /// <summary>The bin of a value (not NaN): how many cut points lie strictly below it.</summary>
    public int IndexOf(double value)
    {
        var edges = Edges;
        int lo = 0, hi = edges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (edges[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Counts the values of a sorted span (no NaN) per bin, by binary search at each cut point.</summary>
    public long[] CountSorted(ReadOnlySpan<double> sorted)
    {
        var counts = new long[Count];
        var previous = 0;
        for (var k = 0; k < Edges.Length; k++)
        {
            var upTo = UpperBound(sorted, Edges[k]);
            counts[k] = upTo - previous;
            previous = upTo;
        }

        counts[^1] = sorted.Length - previous;
        return counts;
    }

    /// <summary>A bin's label for charts: <c>(-inf, 12.5]</c>, <c>(12.5, 40]</c>, <c>(40, +inf)</c>.</summary>
    public string Label(int index)
    {
        var lower = index == 0 ? "(-inf" : "(" + Format(Edges[index - 1]);
        var upper = index == Edges.Length ? "+inf)" : Format(Edges[index]) + "]";
        return lower + ", " + upper;
    }

    /// <summary>The number of values in a sorted span that are at most <paramref name="value"/>.</summary>
    public static int UpperBound(ReadOnlySpan<double> sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    // Shortest round-trip text, so two distinct cut points never print alike.
    private static string Format(double value) => double.IsPositiveInfinity(value) ? "+inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString(CultureInfo.InvariantCulture);
}
