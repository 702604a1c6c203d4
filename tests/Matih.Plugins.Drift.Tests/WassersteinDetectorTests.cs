using static Matih.Plugins.Drift.Tests.Support.Samples;

namespace Matih.Plugins.Drift.Tests;

public sealed class WassersteinDetectorTests
{
    private readonly WassersteinDetector _wasserstein = new();

    [Fact]
    public void The_distance_matches_scipy_wasserstein_distance_documented_example()
    {
        // scipy.stats.wasserstein_distance docs: wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5.0.
        Assert.Equal(5.0, _wasserstein.Measure(Numbers(0, 1, 3), Numbers(5, 6, 8), NoOptions).Value, 12);
    }

    [Fact]
    public void Unequal_sample_sizes_integrate_the_gap_between_the_CDFs()
    {
        // By hand: F1 = 2/3 and F2 = 0 on [0, 1), so the area is 2/3.
        Assert.Equal(2.0 / 3, _wasserstein.Measure(Numbers(0, 0, 1), Numbers(1), NoOptions).Value, 12);
    }

    [Fact]
    public void Normalize_divides_by_the_reference_population_standard_deviation()
    {
        // By hand (Python): distance 0.8333333333333334; population sd of [1, 2, 3, 4] is 1.118033988749895.
        var raw = _wasserstein.Measure(Numbers(1, 2, 3, 4), Numbers(2, 2, 5), NoOptions);
        var normalized = _wasserstein.Measure(Numbers(1, 2, 3, 4), Numbers(2, 2, 5), Options("""{"normalize": true}"""));

        Assert.Equal(0.8333333333333334, raw.Value, 12);
        Assert.Equal(0.7453559924999299, normalized.Value, 12);
    }

    [Fact]
    public void A_shift_of_half_a_standard_deviation_measures_about_half_when_normalized()
    {
        var reference = Numbers(Normal(5_000, 100, 20, seed: 1));

        var shifted = _wasserstein.Measure(reference, Numbers(Normal(5_000, 110, 20, seed: 2)), Options("""{"normalize": true}"""));
        var raw = _wasserstein.Measure(reference, Numbers(Normal(5_000, 110, 20, seed: 2)), NoOptions);

        Assert.InRange(shifted.Value, 0.4, 0.6);
        Assert.InRange(raw.Value, 8, 12);
    }

    [Fact]
    public void Identical_samples_are_at_distance_zero()
    {
        var values = Normal(1_000, 0, 1, seed: 6);

        Assert.Equal(0, _wasserstein.Measure(Numbers(values), Numbers(values), NoOptions).Value);
    }

    [Fact]
    public void A_constant_reference_normalizes_to_zero_or_infinity()
    {
        var normalize = Options("""{"normalize": true}""");

        Assert.Equal(0, _wasserstein.Measure(Numbers(3, 3), Numbers(3), normalize).Value);
        Assert.Equal(double.PositiveInfinity, _wasserstein.Measure(Numbers(3, 3), Numbers(4), normalize).Value);
    }

    [Fact]
    public void NaN_and_infinite_values_are_left_out()
    {
        var result = _wasserstein.Measure(Numbers(0, 1, double.NaN, 3), Numbers(5, double.PositiveInfinity, 6, 8), NoOptions);

        Assert.Equal(5.0, result.Value, 12);
    }

    [Fact]
    public void An_empty_side_gives_NaN()
    {
        Assert.True(double.IsNaN(_wasserstein.Measure(Numbers(double.NaN), Numbers(1), NoOptions).Value));
    }

    [Fact]
    public void A_non_boolean_normalize_is_rejected_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => _wasserstein.Measure(Numbers(1), Numbers(1), Options("""{"normalize": "yes"}""")));

        Assert.Equal("normalize", error.ParamName);
    }
}
