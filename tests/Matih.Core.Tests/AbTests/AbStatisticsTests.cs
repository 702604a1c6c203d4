using Matih.Core.AbTests;

namespace Matih.Core.Tests.AbTests;

/// <summary>Reference values computed independently in Python (math.erfc for the normal tail, Simpson integration of
/// Student's t density), matching statsmodels' proportions_ztest and scipy's ttest_ind(equal_var=False).</summary>
public sealed class AbStatisticsTests
{
    [Fact]
    public void The_two_proportion_z_test_matches_reference_values()
    {
        var identified = AbStatistics.TwoProportions(614, 1000, 756, 1000);
        Assert.Equal(8.169710340049659e-12, identified.PValue, 1e-14);
        Assert.Equal(0.756 / 0.614 - 1, identified.Lift!.Value, 9);

        var retained = AbStatistics.TwoProportions(187, 1000, 231, 1000);
        Assert.Equal(0.015529801728402471, retained.PValue, 1e-9);
        Assert.True(retained.DifferenceLow > 0 && retained.DifferenceHigh > retained.DifferenceLow);
    }

    [Fact]
    public void Welchs_t_test_matches_the_reference_value_for_unequal_variances_and_sizes()
    {
        double[] a = [19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0];
        double[] b = [28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3];

        var result = AbStatistics.Welch(a, b);

        Assert.Equal(0.03548453083001435, result.PValue, 1e-6);
        Assert.Equal(a.Average(), result.Control, 12);
        Assert.True(result.DifferenceLow > 0, "the interval excludes 0 when p < 0.05");
    }

    [Fact]
    public void The_sample_ratio_check_flags_a_broken_split_and_passes_a_fair_one()
    {
        // Three equal shares, chi-square 20 on 2 degrees of freedom: p = exp(-10).
        Assert.Equal(Math.Exp(-10), AbStatistics.SampleRatioPValue([1000, 1100, 900], [1, 1, 1]), 1e-12);
        Assert.True(AbStatistics.SampleRatioPValue([50_210, 49_790], [50, 50]) > 0.1);
        Assert.True(AbStatistics.SampleRatioPValue([52_000, 48_000], [50, 50]) < 0.001);
    }
}
