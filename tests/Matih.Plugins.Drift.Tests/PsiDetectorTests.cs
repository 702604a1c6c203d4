using Matih.Sdk.Drift;
using static Matih.Plugins.Drift.Tests.Support.Samples;

namespace Matih.Plugins.Drift.Tests;

public sealed class PsiDetectorTests
{
    private readonly PsiDetector _psi = new();

    [Fact]
    public void Psi_matches_a_hand_computed_two_bin_split()
    {
        // Reference 1..10 cut in 2 at its median value 5. Current: 8 of 10 values <= 5.
        // By hand: (0.8 - 0.5) ln(0.8 / 0.5) + (0.2 - 0.5) ln(0.2 / 0.5) = 0.41588830833596724.
        var result = _psi.Measure(Numbers(Sequence(10)), Numbers(1, 2, 3, 4, 5, 1, 2, 3, 9, 10), Options("""{"bins": 2}"""));

        Assert.Equal(0.41588830833596724, result.Value, 12);
        Assert.Null(result.PValue);
        Assert.Equal([new DriftBin("(-inf, 5]", 0.5, 0.8), new DriftBin("(5, +inf)", 0.5, 0.2)], result.Bins);
    }

    [Fact]
    public void Identical_samples_show_no_drift()
    {
        var values = Normal(5_000, 50, 10, seed: 1);

        Assert.Equal(0, _psi.Measure(Numbers(values), Numbers(values), NoOptions).Value, 12);
        Assert.Equal(0, _psi.Measure(Categories("a", "b", "b", null), Categories("b", null, "a", "b"), NoOptions).Value, 12);
    }

    [Fact]
    public void A_half_standard_deviation_shift_is_clear_drift_while_a_fresh_sample_is_stable()
    {
        var reference = Numbers(Normal(5_000, 0, 1, seed: 1));

        var shifted = _psi.Measure(reference, Numbers(Normal(5_000, 0.5, 1, seed: 2)), NoOptions);
        var fresh = _psi.Measure(reference, Numbers(Normal(5_000, 0, 1, seed: 3)), NoOptions);

        Assert.True(shifted.Value > 0.2, $"PSI {shifted.Value}");
        Assert.True(fresh.Value < 0.02, $"PSI {fresh.Value}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(25)]
    public void The_requested_bin_count_is_honoured_with_equal_reference_shares(int bins)
    {
        var result = _psi.Measure(Numbers(Sequence(1_000)), Numbers(Sequence(1_000)), Options($$"""{"bins": {{bins}}}"""));

        Assert.Equal(bins, result.Bins.Count);
        // ceil(i * 1000 / bins) - 1 cuts: shares differ by at most one value between bins.
        Assert.All(result.Bins, b => Assert.InRange(b.ReferenceShare, Math.Floor(1_000.0 / bins) / 1_000, Math.Ceiling(1_000.0 / bins) / 1_000));
    }

    [Fact]
    public void Cut_points_falling_on_one_tied_value_merge_and_the_effective_count_shows_in_the_bins()
    {
        // Half the reference is 0: the first five of nine cut points are all 0 and merge into one,
        // so 10 requested bins become 6, with the zeros whole in the first.
        double[] reference = [.. Enumerable.Repeat(0.0, 500), .. Sequence(500)];

        var result = _psi.Measure(Numbers(reference), Numbers(reference), NoOptions);

        Assert.Equal(["(-inf, 0]", "(0, 100]", "(100, 200]", "(200, 300]", "(300, 400]", "(400, +inf)"], result.Bins.Select(b => b.Label));
        Assert.Equal([0.5, 0.1, 0.1, 0.1, 0.1, 0.1], result.Bins.Select(b => b.ReferenceShare));
    }

    [Fact]
    public void Bins_depend_only_on_the_reference_values_not_their_order()
    {
        double[] reference = [3, 1, 3, 3, 2, 5, 3, 4, 1, 3];
        double[] current = [1, 2, 3, 4, 5, 6];

        var forward = _psi.Measure(Numbers(reference), Numbers(current), Options("""{"bins": 4}"""));
        var backward = _psi.Measure(Numbers([.. reference.Reverse()]), Numbers([.. current.Reverse()]), Options("""{"bins": 4}"""));

        Assert.Equal(forward.Bins, backward.Bins);
        Assert.Equal(forward.Value, backward.Value);
    }

    [Fact]
    public void Current_values_beyond_the_reference_range_land_in_the_open_end_bins()
    {
        var result = _psi.Measure(Numbers(Sequence(100)), Numbers(-1e9, 1e9), Options("""{"bins": 4}"""));

        Assert.Equal(0.5, result.Bins[0].CurrentShare);
        Assert.Equal(0.5, result.Bins[^1].CurrentShare);
    }

    [Fact]
    public void Categories_the_reference_never_had_get_their_own_bin_with_epsilon_in_the_sum()
    {
        // Reference a .5, b .25, c .25; current a .25, b .25, d .5. Empty shares become 1e-4:
        // (.25-.5) ln(.25/.5) + 0 + (1e-4-.25) ln(1e-4/.25) + (.5-1e-4) ln(.5/1e-4) = 6.38626076964195 (by hand).
        var result = _psi.Measure(Categories("a", "a", "b", "c"), Categories("a", "b", "d", "d"), NoOptions);

        Assert.Equal(6.38626076964195, result.Value, 10);
        Assert.Equal(
            [new DriftBin("a", 0.5, 0.25), new DriftBin("b", 0.25, 0.25), new DriftBin("c", 0.25, 0), new DriftBin("d", 0, 0.5)],
            result.Bins);
    }

    [Fact]
    public void Epsilon_is_the_share_used_for_an_empty_bin()
    {
        var small = _psi.Measure(Categories("a", "b"), Categories("a", "a"), Options("""{"epsilon": 0.001}"""));
        var smaller = _psi.Measure(Categories("a", "b"), Categories("a", "a"), Options("""{"epsilon": 0.000001}"""));

        // (1 - .5) ln(1 / .5) + (eps - .5) ln(eps / .5), by hand for eps = 0.001.
        Assert.Equal((0.5 * Math.Log(2)) + ((0.001 - 0.5) * Math.Log(0.001 / 0.5)), small.Value, 12);
        Assert.True(smaller.Value > small.Value);
    }

    [Fact]
    public void NaN_values_are_a_missing_bin_so_a_rise_in_missing_values_is_drift()
    {
        var result = _psi.Measure(
            Numbers(1, 2, 3, double.NaN),
            Numbers(1, 2, double.NaN, double.NaN),
            Options("""{"bins": 3}"""));

        var missing = result.Bins[^1];
        Assert.Equal(new DriftBin("(missing)", 0.25, 0.5), missing);
        Assert.Equal(3, result.Bins.Count(b => b.Label != "(missing)"));
        Assert.True(result.Value > 0);
    }

    [Fact]
    public void Null_categories_are_a_missing_bin()
    {
        var result = _psi.Measure(Categories("a", null), Categories("a", "a"), NoOptions);

        Assert.Equal([new DriftBin("a", 0.5, 1), new DriftBin("(missing)", 0.5, 0)], result.Bins);
    }

    [Fact]
    public void A_constant_reference_keeps_two_bins_so_a_moved_constant_is_drift()
    {
        var same = _psi.Measure(Numbers(5, 5, 5, 5), Numbers(5, 5), NoOptions);
        var moved = _psi.Measure(Numbers(5, 5, 5, 5), Numbers(6, 6), NoOptions);

        Assert.Equal(["(-inf, 5]", "(5, +inf)"], same.Bins.Select(b => b.Label));
        Assert.Equal(0, same.Value);
        Assert.True(moved.Value > 5, $"PSI {moved.Value}");
    }

    [Fact]
    public void An_empty_side_cannot_be_measured_and_gives_NaN_without_bins()
    {
        Assert.True(double.IsNaN(_psi.Measure(Numbers(), Numbers(1, 2), NoOptions).Value));
        Assert.True(double.IsNaN(_psi.Measure(Numbers(1, 2), new DriftSample(), NoOptions).Value));
        Assert.Empty(_psi.Measure(Categories(), Categories("a"), NoOptions).Bins);
    }

    [Theory]
    [InlineData("""{"bins": 1}""", "bins")]
    [InlineData("""{"bins": 2.5}""", "bins")]
    [InlineData("""{"bins": "10"}""", "bins")]
    [InlineData("""{"bins": 5000}""", "bins")]
    [InlineData("""{"epsilon": 0}""", "epsilon")]
    [InlineData("""{"epsilon": -0.1}""", "epsilon")]
    [InlineData("""{"epsilon": 1}""", "epsilon")]
    [InlineData("""{"epsilon": true}""", "epsilon")]
    public void Bad_options_are_rejected_naming_the_option(string options, string name)
    {
        var error = Assert.Throws<ArgumentException>(() => _psi.Measure(Numbers(1, 2), Numbers(1, 2), Options(options)));

        Assert.Equal(name, error.ParamName);
        Assert.StartsWith($"psi option '{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_it_does_not_know_are_ignored_so_a_monitor_entry_can_be_passed_whole()
    {
        var entry = Options("""
            {"type": "feature_drift", "method": "psi", "features": ["avg_order_value"], "threshold": 0.1,
             "window": "7d", "reference_dataset": "analytics.derived.churn_features_baseline_2025q4", "bins": 4}
            """);

        Assert.Equal(4, _psi.Measure(Numbers(Sequence(100)), Numbers(Sequence(100)), entry).Bins.Count);
    }

    [Fact]
    public void Numbers_against_categories_is_a_caller_error()
    {
        var error = Assert.Throws<ArgumentException>(() => _psi.Measure(Numbers(1), Categories("a"), NoOptions));

        Assert.Contains("both sides must be of one kind", error.Message, StringComparison.Ordinal);
    }
}
