using Matih.Plugins.SourceFaker.Generation;

namespace Matih.Plugins.SourceFaker.Tests.Generation;

public sealed class FastRandomTests
{
    [Fact]
    public void Same_seed_gives_the_same_sequence_and_another_seed_a_different_one()
    {
        var a = new FastRandom(FastRandom.SeedFor(42, 1_042_587, 1));
        var b = new FastRandom(FastRandom.SeedFor(42, 1_042_587, 1));
        var c = new FastRandom(FastRandom.SeedFor(43, 1_042_587, 1));

        var first = Enumerable.Range(0, 100).Select(_ => a.NextUInt64()).ToList();

        Assert.Equal(first, Enumerable.Range(0, 100).Select(_ => b.NextUInt64()));
        Assert.NotEqual(first, Enumerable.Range(0, 100).Select(_ => c.NextUInt64()));
    }

    [Fact]
    public void Reset_starts_the_sequence_over()
    {
        var random = new FastRandom(7);
        var first = Enumerable.Range(0, 10).Select(_ => random.NextGaussian()).ToList();

        random.Reset(7);

        Assert.Equal(first, Enumerable.Range(0, 10).Select(_ => random.NextGaussian()));
    }

    [Fact]
    public void Draws_stay_in_their_ranges()
    {
        var random = new FastRandom(1);
        for (var i = 0; i < 100_000; i++)
        {
            Assert.InRange(random.NextDouble(), 0.0, 0.9999999999);
            Assert.InRange(random.NextInt(30, 2_540), 30, 2_540);
            Assert.InRange(random.NextFromCdf([0.61, 0.89, 1.0]), 0, 2);
        }
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(3.0)]
    [InlineData(80.0)]
    public void Poisson_draws_have_the_requested_mean(double mean)
    {
        var random = new FastRandom(3);

        var average = Enumerable.Range(0, 200_000).Average(_ => random.NextPoisson(mean));

        Assert.InRange(average, mean * 0.97, mean * 1.03);
    }
}
