namespace Matih.Plugins.Drift.Internal;

/// <summary>
/// The two-sample Kolmogorov-Smirnov test as <c>scipy.stats.ks_2samp</c> (two-sided, <c>method='auto'</c>) does
/// it: the statistic D = max |F1(x) - F2(x)| over the pooled values, an exact p-value when neither sample has more
/// than <see cref="ExactLimit"/> values, the asymptotic Kolmogorov distribution otherwise.
/// </summary>
internal static class KolmogorovSmirnov
{
    /// <summary>Largest sample size for which the exact p-value is computed (scipy's MAX_AUTO_N).</summary>
    public const int ExactLimit = 10_000;

    /// <summary>
    /// D for two sorted samples, also as an integer: D = <paramref name="steps"/> / lcm(m, n). Tied values are
    /// passed over together, so D is measured between distinct values as the empirical CDFs define it.
    /// </summary>
    public static double Statistic(ReadOnlySpan<double> a, ReadOnlySpan<double> b, out long steps)
    {
        long m = a.Length, n = b.Length;
        int i = 0, j = 0;
        long widest = 0;
        while (i < a.Length && j < b.Length)
        {
            var x = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            // m * n * (F1 - F2), exact in integers.
            widest = Math.Max(widest, Math.Abs((i * n) - (j * m)));
        }

        steps = widest / Gcd(m, n);
        return widest / ((double)m * n);
    }

    /// <summary>The two-sided p-value for D = <paramref name="steps"/> / lcm(m, n): exact or asymptotic as scipy's 'auto'.</summary>
    public static double PValue(int m, int n, long steps) =>
        Math.Max(m, n) <= ExactLimit
            ? ExactPValue(m, n, steps)
            : AsymptoticPValue(m, n, steps / ((double)m * n / Gcd(m, n)));

    /// <summary>
    /// Exact P(D &gt;= observed) under the null hypothesis of one continuous distribution: the probability that a
    /// uniformly random ordering of the m + n values (a lattice path from (0,0) to (m,n)) leaves the band
    /// |i/m - j/n| &lt; D. Computed with probabilities rather than path counts so nothing overflows, and summed as
    /// the mass that leaves the band, so small p-values keep their precision. Time grows with m * n * D (about
    /// 0.3 s at 10,000 a side with no overlap, milliseconds when the samples agree); O(n) memory.
    /// </summary>
    public static double ExactPValue(int m, int n, long steps)
    {
        if (steps <= 0)
        {
            return 1.0;
        }

        long g = Gcd(m, n), across = n / g, down = m / g;
        var h = steps;
        var row = new double[n + 1];
        var exited = 0.0;
        var reciprocal = new double[m + n + 1];
        for (var k = 1; k < reciprocal.Length; k++)
        {
            reciprocal[k] = 1.0 / k;
        }

        // Row 0: only moves along j.
        var hi = BandHigh(0, across, down, h, n);
        row[0] = 1.0;
        for (var j = 1; j <= hi; j++)
        {
            row[j] = row[j - 1] * Right(m, n, 0, j - 1);
        }

        if (hi < n)
        {
            exited += row[hi] * Right(m, n, 0, hi);
        }

        var previousLo = 0;
        var previousHi = Trim(row, 0, hi);
        for (var i = 1; i <= m && previousLo <= previousHi; i++)
        {
            var lo = BandLow(i, across, down, h);
            hi = BandHigh(i, across, down, h, n);

            // Mass of the previous row that steps down out of the band.
            for (var j = previousLo; j <= previousHi && j < lo; j++)
            {
                exited += row[j] * Down(m, n, i - 1, j);
                row[j] = 0;
            }

            for (var j = Math.Max(hi + 1, previousLo); j <= previousHi; j++)
            {
                exited += row[j] * Down(m, n, i - 1, j);
                row[j] = 0;
            }

            // Cells left of the previous row's mass receive nothing; right of it only what flows along the row.
            var start = Math.Max(lo, previousLo);
            var end = start - 1;
            double downSteps = m - i + 1, remaining = m + n - i + 1;
            for (var j = start; j <= hi; j++)
            {
                // Both ways into (i, j) leave a cell with m + n - i - j + 1 steps to go: one shared reciprocal.
                var above = j <= previousHi ? row[j] * downSteps : 0.0;
                var left = j > start ? row[j - 1] * (n - j + 1) : 0.0;
                row[j] = (above + left) * reciprocal[(int)remaining - j];
                end = j;
                if (j > previousHi && row[j] < Negligible)
                {
                    break;
                }
            }

            if (end == hi && hi < n)
            {
                exited += row[hi] * Right(m, n, i, hi);
            }

            previousHi = Trim(row, start, end);
            previousLo = Skip(row, start, previousHi);
        }

        return Math.Clamp(exited, 0.0, 1.0);
    }

    /// <summary>
    /// Asymptotic p-value: the Kolmogorov distribution's survival function at (sqrt(en) + 0.12 + 0.11 / sqrt(en)) * D
    /// with en = m n / (m + n), Stephens' small-sample correction.
    /// </summary>
    public static double AsymptoticPValue(int m, int n, double d)
    {
        var root = Math.Sqrt((double)m * n / ((double)m + n));
        return KolmogorovSurvival((root + 0.12 + (0.11 / root)) * d);
    }

    /// <summary>
    /// Q(x) = P(K &gt; x) for the Kolmogorov distribution. MathNet.Numerics has no Kolmogorov distribution, so this
    /// is the textbook pair of series: 2 sum (-1)^(k-1) exp(-2 k^2 x^2) for x &gt;= 1.18, and 1 minus the Jacobi-theta
    /// form of the CDF, sqrt(2 pi) / x sum exp(-(2k-1)^2 pi^2 / (8 x^2)), below; four terms reach double precision.
    /// </summary>
    public static double KolmogorovSurvival(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 1.0;
        }

        if (x < 1.18)
        {
            var y = Math.Exp(-Math.PI * Math.PI / (8 * x * x));
            var y8 = Math.Pow(y, 8);
            // Terms y^1, y^9, y^25, y^49 of the theta series.
            var series = y * (1 + (y8 * (1 + (y8 * y8 * (1 + (y8 * y8 * y8))))));
            return Math.Clamp(1.0 - (Math.Sqrt(2 * Math.PI) / x * series), 0.0, 1.0);
        }

        var z = Math.Exp(-2 * x * x);
        return Math.Clamp(2 * (z - Math.Pow(z, 4) + Math.Pow(z, 9) - Math.Pow(z, 16)), 0.0, 1.0);
    }

    // Probability mass below this is dropped (at most 1e8 cells, so under 1e-291 in all): it keeps the sweep to
    // where paths actually go and away from subnormal numbers, which are slow; p-values that small read as 0.
    private const double Negligible = 1e-300;

    // First cell of a row whose mass is not negligible; the cells skipped are cleared.
    private static int Skip(double[] row, int lo, int hi)
    {
        while (lo <= hi && row[lo] < Negligible)
        {
            row[lo++] = 0;
        }

        return lo;
    }

    // Last cell of a row whose mass is not negligible; the cells dropped are cleared.
    private static int Trim(double[] row, int lo, int hi)
    {
        while (hi >= lo && row[hi] < Negligible)
        {
            row[hi--] = 0;
        }

        return hi;
    }

    private static double Right(long m, long n, long i, long j) => (double)(n - j) / (m + n - i - j);

    private static double Down(long m, long n, long i, long j) => (double)(m - i) / (m + n - i - j);

    // Row i's band is |i * across - j * down| < h; these are its first and last j, clipped to [0, n].
    private static int BandLow(long i, long across, long down, long h)
    {
        var numerator = (i * across) - h;
        var low = FloorDiv(numerator, down) + 1;
        return (int)Math.Max(0, low);
    }

    private static int BandHigh(long i, long across, long down, long h, int n)
    {
        var numerator = (i * across) + h;
        var high = -FloorDiv(-numerator, down) - 1;
        return (int)Math.Min(n, high);
    }

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
