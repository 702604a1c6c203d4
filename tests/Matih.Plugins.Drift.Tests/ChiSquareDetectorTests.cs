using static Matih.Plugins.Drift.Tests.Support.Samples;

namespace Matih.Plugins.Drift.Tests;

public sealed class ChiSquareDetectorTests
{
    private readonly ChiSquareDetector _chi = new();

    [Fact]
    public void The_statistic_and_p_value_match_scipy_chi2_contingency_documented_example()
    {
        // scipy.stats.chi2_contingency docs: obs = [[10, 10, 20], [20, 20, 20]] gives
        // statistic 2.7777777777777777, pvalue 0.24935220877729619 (dof 2, so no continuity correction).
        var reference = Categories([.. Repeat("a", 10), .. Repeat("b", 10), .. Repeat("c", 20)]);
        var current = Categories([.. Repeat("a", 20), .. Repeat("b", 20), .. Repeat("c", 20)]);

        var result = _chi.Measure(reference, current, NoOptions);

        Assert.Equal(2.7777777777777777, result.Value, 12);
        Assert.Equal(0.24935220877729619, result.PValue!.Value, 12);
    }

    [Fact]
    public void A_category_the_reference_never_had_is_an_ordinary_column()
    {
        // Table [[50, 30, 15, 5, 0], [40, 30, 20, 5, 5]]; by hand (Python): chi2 = 6.825396825396826 with dof 4,
        // whose upper tail has the closed form exp(-x/2) (1 + x/2) = 0.14540795192292508.
        var reference = Categories([.. Repeat("a", 50), .. Repeat("b", 30), .. Repeat("c", 15), .. Repeat("d", 5)]);
        var current = Categories([.. Repeat("a", 40), .. Repeat("b", 30), .. Repeat("c", 20), .. Repeat("d", 5), .. Repeat("new", 5)]);

        var result = _chi.Measure(reference, current, NoOptions);

        Assert.Equal(6.825396825396826, result.Value, 10);
        Assert.Equal(0.14540795192292508, result.PValue!.Value, 10);
        Assert.Equal(new Sdk.Drift.DriftBin("new", 0, 0.05), result.Bins[^1]);
    }

    [Fact]
    public void Identical_samples_give_zero_and_p_one()
    {
        var result = _chi.Measure(Categories("a", "b", "b", null), Categories("a", "b", "b", null), NoOptions);

        Assert.Equal(0, result.Value, 12);
        Assert.Equal(1, result.PValue!.Value, 12);
    }

    [Fact]
    public void A_changed_mix_is_clear_drift()
    {
        var reference = Categories([.. Repeat("web", 700), .. Repeat("app", 300)]);
        var current = Categories([.. Repeat("web", 500), .. Repeat("app", 500)]);

        Assert.True(_chi.Measure(reference, current, NoOptions).PValue < 1e-10);
    }

    [Fact]
    public void Null_is_a_category_of_its_own()
    {
        var result = _chi.Measure(Categories([.. Repeat("a", 50), .. Repeat(null, 50)]), Categories(Repeat("a", 100)), NoOptions);

        Assert.Equal("(missing)", result.Bins[^1].Label);
        Assert.True(result.PValue < 1e-10);
    }

    [Fact]
    public void A_single_category_overall_gives_zero_and_p_one()
    {
        var result = _chi.Measure(Categories("a", "a"), Categories("a"), NoOptions);

        Assert.Equal(0, result.Value);
        Assert.Equal(1, result.PValue);
    }

    [Fact]
    public void An_empty_side_gives_NaN()
    {
        var result = _chi.Measure(Categories(), Categories("a"), NoOptions);

        Assert.True(double.IsNaN(result.Value));
        Assert.True(double.IsNaN(result.PValue!.Value));
    }

    [Fact]
    public void Numbers_are_refused()
    {
        Assert.Throws<ArgumentException>(() => _chi.Measure(Numbers(1), Numbers(2), NoOptions));
    }

    private static string?[] Repeat(string? category, int count) => Enumerable.Repeat(category, count).ToArray();
}
