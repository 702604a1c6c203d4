using static Matih.Plugins.Drift.Tests.Support.Samples;

namespace Matih.Plugins.Drift.Tests;

public sealed class JensenShannonDetectorTests
{
    private readonly JensenShannonDetector _js = new();

    [Fact]
    public void The_distance_matches_scipy_jensenshannon_documented_example_in_base_2()
    {
        // scipy.spatial.distance.jensenshannon([1.0, 0.0], [0.5, 0.5]) = 0.46450140402245893 (natural log, from its
        // docs); in base 2 that is divided by sqrt(ln 2): 0.5579230452841438 (also by hand in Python).
        var result = _js.Measure(Categories("a", "a"), Categories("a", "b"), NoOptions);

        Assert.Equal(0.46450140402245893 / Math.Sqrt(Math.Log(2)), result.Value, 12);
        Assert.Equal(0.5579230452841438, result.Value, 12);
    }

    [Fact]
    public void Samples_with_no_bin_in_common_are_at_distance_one()
    {
        // scipy docs: jensenshannon([1, 0, 0], [0, 1, 0], 2.0) = 1.0.
        Assert.Equal(1.0, _js.Measure(Categories("a"), Categories("b"), NoOptions).Value, 12);
        // A constant reference has bins (-inf, 5] and (5, +inf); a current window entirely above 5 shares none.
        Assert.Equal(1.0, _js.Measure(Numbers(5, 5, 5), Numbers(6, 7), NoOptions).Value, 12);
    }

    [Fact]
    public void Identical_samples_are_at_distance_zero()
    {
        var values = Normal(2_000, 3, 2, seed: 5);

        Assert.Equal(0, _js.Measure(Numbers(values), Numbers(values), NoOptions).Value, 12);
    }

    [Fact]
    public void Numbers_use_the_reference_quantile_bins_and_honour_bins()
    {
        var reference = Numbers(Normal(5_000, 0, 1, seed: 1));

        var shifted = _js.Measure(reference, Numbers(Normal(5_000, 0.5, 1, seed: 2)), Options("""{"bins": 20}"""));
        var fresh = _js.Measure(reference, Numbers(Normal(5_000, 0, 1, seed: 3)), NoOptions);

        Assert.Equal(20, shifted.Bins.Count);
        Assert.True(shifted.Value > 0.1, $"JS {shifted.Value}");
        Assert.True(fresh.Value < 0.05, $"JS {fresh.Value}");
    }

    [Fact]
    public void A_bad_bin_count_is_rejected_naming_bins()
    {
        var error = Assert.Throws<ArgumentException>(() => _js.Measure(Numbers(1), Numbers(1), Options("""{"bins": 0}""")));

        Assert.Equal("bins", error.ParamName);
    }

    [Fact]
    public void An_empty_side_gives_NaN()
    {
        Assert.True(double.IsNaN(_js.Measure(Numbers(1), Numbers(), NoOptions).Value));
    }
}
