using Matih.Plugins.Drift.Internal;
using static Matih.Plugins.Drift.Tests.Support.Samples;

namespace Matih.Plugins.Drift.Tests;

public sealed class KsTestDetectorTests
{
    private readonly KsTestDetector _ks = new();

    [Fact]
    public void Two_samples_with_no_overlap_give_D_one_and_the_exact_p_value_of_scipy()
    {
        // Only 2 of the C(6,3) = 20 orderings separate the samples completely: p = 0.1, as scipy.stats.ks_2samp gives.
        var result = _ks.Measure(Numbers(1, 2, 3), Numbers(4, 5, 6), NoOptions);

        Assert.Equal(1.0, result.Value);
        Assert.Equal(0.1, result.PValue!.Value, 12);
    }

    [Theory]
    // Reference values by brute force: all C(m+n, m) orderings enumerated in pure Python with exact fractions,
    // p = share of orderings whose D is at least the observed one (what scipy's exact mode computes).
    [InlineData(new[] { 0.1, 0.4, 0.7, 1.2 }, new[] { 0.3, 0.5, 0.9, 1.5, 1.6, 2.0 }, 0.5, 58.0 / 105)]
    [InlineData(new[] { 1.5, 2.5, 3.1, 4.2, 5.9 }, new[] { 3.3, 4.4, 6.1, 6.2, 7.8, 8.0, 9.1 }, 5.0 / 7, 13.0 / 198)]
    public void Small_samples_get_the_exact_p_value_of_enumerating_every_ordering(double[] reference, double[] current, double d, double p)
    {
        var result = _ks.Measure(Numbers(reference), Numbers(current), NoOptions);

        Assert.Equal(d, result.Value, 12);
        Assert.Equal(p, result.PValue!.Value, 12);
    }

    [Theory]
    // Reference values: lattice paths counted with Python integers (1 - paths inside the band / C(m+n, m)),
    // an independent method from the probability recursion under test. steps = D * lcm(m, n).
    [InlineData(30, 45, 30, 0.030566856379850134)]
    [InlineData(30, 45, 20, 0.306200396560441)]
    [InlineData(50, 50, 14, 0.03919458619535223)]
    [InlineData(40, 60, 26, 0.19045590659496733)]
    public void The_exact_p_value_matches_counting_lattice_paths(int m, int n, long steps, double expected)
    {
        Assert.Equal(expected, KolmogorovSmirnov.ExactPValue(m, n, steps), 12);
        Assert.Equal(expected, KolmogorovSmirnov.ExactPValue(n, m, steps), 12);
    }

    [Theory]
    // Published critical values of the Kolmogorov distribution (Smirnov's table; e.g. the two-sample KS tables
    // with c(0.10) = 1.2238, c(0.05) = 1.3581, c(0.01) = 1.6276), and P(K <= 0.5) = 0.0361 from the same tables.
    [InlineData(1.2238, 0.10)]
    [InlineData(1.3581, 0.05)]
    [InlineData(1.6276, 0.01)]
    [InlineData(0.5, 1 - 0.0361)]
    public void The_Kolmogorov_survival_function_gives_the_published_critical_values(double x, double expected)
    {
        Assert.Equal(expected, KolmogorovSmirnov.KolmogorovSurvival(x), 4);
    }

    [Fact]
    public void The_Kolmogorov_survival_function_is_continuous_where_its_two_series_meet()
    {
        Assert.Equal(KolmogorovSmirnov.KolmogorovSurvival(1.18 - 1e-12), KolmogorovSmirnov.KolmogorovSurvival(1.18), 10);
        Assert.Equal(1.0, KolmogorovSmirnov.KolmogorovSurvival(0));
        Assert.Equal(1.0, KolmogorovSmirnov.KolmogorovSurvival(0.1), 12);
    }

    [Theory]
    [InlineData(60)]
    [InlineData(86)]
    [InlineData(100)]
    public void Asymptotic_and_exact_p_values_agree_for_two_thousand_values_a_side(long steps)
    {
        // D = steps / 2000, p from about 0.3 down to 0.013. The continuous approximation leaves out the lattice's
        // point mass at D itself, so it runs a few percent low for equal sizes (4% at p = 0.013).
        var exact = KolmogorovSmirnov.ExactPValue(2_000, 2_000, steps);
        var asymptotic = KolmogorovSmirnov.AsymptoticPValue(2_000, 2_000, steps / 2_000.0);

        Assert.InRange(asymptotic / exact, 0.95, 1.0);
    }

    [Fact]
    public void Identical_samples_give_D_zero_and_p_one()
    {
        var values = Normal(3_000, 0, 1, seed: 4);

        var result = _ks.Measure(Numbers(values), Numbers(values), NoOptions);

        Assert.Equal(0, result.Value);
        Assert.Equal(1.0, result.PValue);
    }

    [Theory]
    [InlineData(5_000)]
    [InlineData(20_000)]
    public void A_half_standard_deviation_shift_is_clear_drift_with_exact_and_asymptotic_p_values(int size)
    {
        var reference = Numbers(Normal(size, 0, 1, seed: 1));

        var shifted = _ks.Measure(reference, Numbers(Normal(size, 0.5, 1, seed: 2)), NoOptions);
        var fresh = _ks.Measure(reference, Numbers(Normal(size, 0, 1, seed: 3)), NoOptions);

        // The population D of N(0,1) vs N(0.5,1) is 2 * Phi(0.25) - 1 = 0.197.
        Assert.InRange(shifted.Value, 0.17, 0.23);
        Assert.True(shifted.PValue < 1e-10, $"p {shifted.PValue}");
        Assert.True(fresh.PValue > 0.01, $"p {fresh.PValue}");
    }

    [Fact]
    public void Tied_values_are_passed_together_before_the_gap_is_measured()
    {
        // F1 and F2 both reach 0.75 at x = 2; counting ties one at a time would report 0.5 there.
        // By hand: |F1 - F2| is 0.25 at 1, 0 at 2, 0.25 at 3, 0 at 4, so D = 0.25.
        var result = _ks.Measure(Numbers(1, 2, 2, 3), Numbers(2, 2, 2, 4), NoOptions);

        Assert.Equal(0.25, result.Value, 12);
    }

    [Fact]
    public void NaN_values_are_left_out()
    {
        var with = _ks.Measure(Numbers(1, 2, double.NaN, 3), Numbers(double.NaN, 4, 5, 6), NoOptions);

        Assert.Equal(1.0, with.Value);
        Assert.Equal(0.1, with.PValue!.Value, 12);
    }

    [Fact]
    public void An_empty_side_gives_NaN_for_the_statistic_and_the_p_value()
    {
        var result = _ks.Measure(Numbers(double.NaN), Numbers(1, 2), NoOptions);

        Assert.True(double.IsNaN(result.Value));
        Assert.True(double.IsNaN(result.PValue!.Value));
    }

    [Fact]
    public void Drift_is_a_low_p_value_so_lower_is_worse()
    {
        Assert.False(_ks.HigherIsWorse);
        Assert.Equal("ks_test", _ks.Method);
    }

    [Fact]
    public void The_bins_show_the_reference_deciles_for_a_chart()
    {
        var result = _ks.Measure(Numbers(Sequence(100)), Numbers(Sequence(100)), NoOptions);

        Assert.Equal(10, result.Bins.Count);
        Assert.All(result.Bins, b => Assert.Equal(0.1, b.ReferenceShare, 12));
    }

    [Fact]
    public void Categories_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => _ks.Measure(Categories("a"), Categories("b"), NoOptions));

        Assert.Contains("ks_test compares numeric values", error.Message, StringComparison.Ordinal);
    }
}
