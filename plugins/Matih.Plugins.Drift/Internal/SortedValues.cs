namespace Matih.Plugins.Drift.Internal;

/// <summary>Sorted copies of numeric samples, leaving out the values a statistic cannot use.</summary>
internal static class SortedValues
{
    /// <summary>A sorted copy without NaN (missing); <paramref name="missing"/> says how many were left out.</summary>
    public static double[] WithoutNaN(ReadOnlySpan<double> values, out int missing)
    {
        var kept = new double[values.Length];
        var count = 0;
        foreach (var value in values)
        {
            if (!double.IsNaN(value))
            {
                kept[count++] = value;
            }
        }

        missing = values.Length - count;
        return Sort(kept, count);
    }

    /// <summary>A sorted copy of the finite values only (no NaN, no infinities).</summary>
    public static double[] Finite(ReadOnlySpan<double> values)
    {
        var kept = new double[values.Length];
        var count = 0;
        foreach (var value in values)
        {
            if (double.IsFinite(value))
            {
                kept[count++] = value;
            }
        }

        return Sort(kept, count);
    }

    private static double[] Sort(double[] kept, int count)
    {
        if (count < kept.Length)
        {
            Array.Resize(ref kept, count);
        }

        Array.Sort(kept);
        return kept;
    }
}
