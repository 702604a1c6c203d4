using Matih.Plugins.Drift.Internal;

namespace Matih.Plugins.Drift.Tests.Internal;

public sealed class QuantileBinsTests
{
    [Fact]
    public void Cut_points_are_reference_values_at_the_inverted_CDF_quantiles()
    {
        // 1..10 in 4 bins: ceil(i * 10 / 4) - 1 = indices 2, 4, 7, so cuts at 3, 5, 8.
        var bins = QuantileBins.FromSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 4);

        Assert.Equal([3.0, 5, 8], bins.Edges);
        Assert.Equal([3L, 2, 3, 2], bins.CountSorted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    }

    [Fact]
    public void A_value_on_a_cut_belongs_to_the_bin_it_closes()
    {
        var bins = QuantileBins.FromSorted([1, 2, 3, 4], 2);

        Assert.Equal(0, bins.IndexOf(2));
        Assert.Equal(1, bins.IndexOf(2.000001));
        Assert.Equal(0, bins.IndexOf(double.NegativeInfinity));
        Assert.Equal(1, bins.IndexOf(double.PositiveInfinity));
    }

    [Fact]
    public void Fewer_reference_values_than_bins_give_one_bin_per_distinct_value_and_an_open_top()
    {
        var bins = QuantileBins.FromSorted([1, 1, 2, 7], 10);

        Assert.Equal([1.0, 2, 7], bins.Edges);
        Assert.Equal(["(-inf, 1]", "(1, 2]", "(2, 7]", "(7, +inf)"], Enumerable.Range(0, bins.Count).Select(bins.Label));
    }

    [Fact]
    public void An_empty_reference_gives_a_single_bin_for_every_value()
    {
        var bins = QuantileBins.FromSorted([], 10);

        Assert.Equal(1, bins.Count);
        Assert.Equal("(-inf, +inf)", bins.Label(0));
    }
}
