namespace Matih.Plugins.SourceFaker.Generation;

/// <summary>
/// xoshiro256** seeded through SplitMix64: fast, small, and identical on every platform and runtime version,
/// which <see cref="System.Random"/> with a seed does not promise across .NET releases.
/// </summary>
internal sealed class FastRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    public FastRandom(ulong seed)
    {
        Reset(seed);
    }

    /// <summary>A seed for one entity of one stream: the same (seed, key, salt) always gives the same sequence.</summary>
    public static ulong SeedFor(long seed, long key, ulong salt) =>
        Mix(Mix((ulong)seed + (salt * 0x9E3779B97F4A7C15UL)) ^ (ulong)key);

    public void Reset(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix(ref sm);
        _s1 = SplitMix(ref sm);
        _s2 = SplitMix(ref sm);
        _s3 = SplitMix(ref sm);
        _hasSpare = false;
    }

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>); Lemire's multiply-shift (bias below 2^-32).</summary>
    public int NextInt(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="maxInclusive"/>].</summary>
    public int NextInt(int min, int maxInclusive) => min + NextInt(maxInclusive - min + 1);

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Standard normal (Marsaglia polar method).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }

        double u, v, s;
        do
        {
            u = (2 * NextDouble()) - 1;
            v = (2 * NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);

        var factor = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * factor;
        _hasSpare = true;
        return u * factor;
    }

    public double NextExponential(double mean) => -mean * Math.Log(1 - NextDouble());

    /// <summary>Poisson: Knuth's product method for small means, a rounded normal beyond (counts only need the shape).</summary>
    public int NextPoisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        if (mean > 30)
        {
            return Math.Max(0, (int)Math.Round(mean + (Math.Sqrt(mean) * NextGaussian())));
        }

        var limit = Math.Exp(-mean);
        var count = 0;
        var product = NextDouble();
        while (product > limit)
        {
            count++;
            product *= NextDouble();
        }

        return count;
    }

    /// <summary>An index drawn from a cumulative distribution (last entry 1.0).</summary>
    public int NextFromCdf(double[] cdf)
    {
        var u = NextDouble();
        var index = Array.BinarySearch(cdf, u);
        index = index < 0 ? ~index : index + 1;
        return Math.Min(index, cdf.Length - 1);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Cumulative distribution of <paramref name="weights"/>, normalised so the last entry is exactly 1.</summary>
    public static double[] Cdf(ReadOnlySpan<double> weights)
    {
        var cdf = new double[weights.Length];
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }

        var running = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            running += weights[i];
            cdf[i] = running / total;
        }

        cdf[^1] = 1.0;
        return cdf;
    }
}
