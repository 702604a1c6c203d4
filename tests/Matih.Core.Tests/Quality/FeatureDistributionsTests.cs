using Matih.Core.Quality;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;

namespace Matih.Core.Tests.Quality;

public sealed class FeatureDistributionsTests : IDisposable
{
    private const string Buckets = "0-30, 31-60, 61-90, 91-180, 181+";
    private readonly TestStores _stores = new();
    private readonly TableRef _table = TableRef.Parse("analytics.main.features");

    public FeatureDistributionsTests()
    {
        using var connection = _stores.Warehouse.OpenConnection();
        connection.Execute("""
            CREATE TABLE analytics.main.features (days DOUBLE, is_churned INTEGER, segment VARCHAR);
            INSERT INTO analytics.main.features VALUES
                (0, 0, 'Gold'), (10, 0, 'Gold'), (30, 0, 'Gold'), (30.5, 0, 'Gold'), (31, 0, 'Gold'), (60, 0, 'Gold'), (61, 0, 'Gold'),
                (90, 0, 'Gold'), (91, 1, 'Gold'), (180, 1, 'Gold'), (181, 1, 'Gold'), (500, 1, 'Gold'), (NULL, 1, 'Gold');
            """);
    }

    [Fact]
    public async Task The_figures_buckets_and_label_shares_match_a_hand_count()
    {
        var profile = await new FeatureDistributions(_stores.Warehouse).ProfileAsync(_table, "days", Buckets, "is_churned", default);

        Assert.Equal((13L, 12L), (profile.Rows, profile.Count));
        Assert.Equal(105.375, profile.Mean!.Value, 9);
        Assert.Equal(60.5, profile.Median!.Value, 9);
        Assert.Equal((0.0, 500.0), (profile.Min, profile.Max));
        // 30.5 falls between "0-30" and "31-60": whole-number buckets that meet cover the gap, so it counts in 0-30.
        Assert.Equal([4L, 2L, 2L, 2L, 2L], profile.Buckets.Select(b => b.Count));
        Assert.Equal(4.0 / 12, profile.Buckets[0].Share, 9);
        Assert.Equal(0, profile.OutsideBuckets);
        Assert.Equal([("0", 8L), ("1", 5L)], profile.Labels.Select(l => (l.Value, l.Count)));
    }

    [Fact]
    public async Task The_text_reads_like_the_seed_box()
    {
        var profile = await new FeatureDistributions(_stores.Warehouse).ProfileAsync(_table, "days", Buckets, "is_churned", default);

        var lines = profile.Text.Split('\n');

        Assert.Equal("Feature: days", lines[0]);
        Assert.Equal("Count:     12", lines[2]);
        Assert.Equal("Mean:      105.4", lines[3]);
        Assert.Equal("Median:    60.5", lines[4]);
        Assert.Equal("Max:       500.0", lines[7]);
        Assert.Equal("  0-30:    ████████████████████ 33.3%", lines[10]);
        Assert.Equal("  31-60:   ██████████           16.7%", lines[11]);
        Assert.Contains("  0: 61.5%  |  1: 38.5%", profile.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_buckets_ten_equal_width_buckets_cover_min_to_max()
    {
        var profile = await new FeatureDistributions(_stores.Warehouse).ProfileAsync(_table, "days", null, null, default);

        Assert.Equal(10, profile.Buckets.Count);
        Assert.Equal(12, profile.Buckets.Sum(b => b.Count));
        Assert.Equal(1, profile.Buckets[^1].Count);
    }

    [Theory]
    [InlineData("0-30, 20-40", "overlaps")]
    [InlineData("0-30, thirty+", "'thirty+' is not a bucket")]
    [InlineData("30-0", "lower bound above")]
    [InlineData(" , ", "empty")]
    public void Bad_buckets_are_refused_naming_the_buckets(string buckets, string says)
    {
        var error = Assert.Throws<DistributionRequestException>(() => FeatureDistributions.ParseBuckets(buckets));

        Assert.Equal("buckets", error.Field);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ended_and_below_buckets_are_read()
    {
        var buckets = FeatureDistributions.ParseBuckets("<0, 0-9.5, 10+");

        Assert.Equal([(null, 0.0, true), (0.0, 9.5, false), (10.0, null, false)], buckets.Select(b => (b.Min, b.Max, b.MaxExclusive)));
    }

    [Theory]
    [InlineData("segment", null, "column", "numeric column")]
    [InlineData("nope", null, "column", "no column 'nope'")]
    [InlineData("days", "nope", "label", "no column 'nope'")]
    public async Task A_wrong_column_is_refused_naming_it(string column, string? label, string field, string says)
    {
        var error = await Assert.ThrowsAsync<DistributionRequestException>(() =>
            new FeatureDistributions(_stores.Warehouse).ProfileAsync(_table, column, Buckets, label, default));

        Assert.Equal(field, error.Field);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _stores.Dispose();
}
