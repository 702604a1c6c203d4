using Matih.Core.AbTests;

namespace Matih.Core.Tests.AbTests;

public sealed class AssignmentTests
{
    [Fact]
    public void A_customer_always_gets_the_same_variant_of_an_experiment()
    {
        var first = Enumerable.Range(0, 1000).Select(i => Assignment.Variant("churn-model-comparison-v1-v2", $"{i}", [50, 50])).ToArray();
        var again = Enumerable.Range(0, 1000).Select(i => Assignment.Variant("churn-model-comparison-v1-v2", $"{i}", [50, 50])).ToArray();

        Assert.Equal(first, again);
    }

    [Theory]
    [InlineData(50, 50)]
    [InlineData(90, 10)]
    [InlineData(33.3, 66.7)]
    public void Over_a_million_ids_the_split_is_within_a_tenth_of_a_percent(double control, double treatment)
    {
        var counts = new long[2];
        for (var i = 0; i < 1_000_000; i++)
        {
            counts[Assignment.Variant("split-check", i.ToString(System.Globalization.CultureInfo.InvariantCulture), [control, treatment])]++;
        }

        Assert.InRange(counts[0] / 10_000.0, control - 0.1, control + 0.1);
        Assert.InRange(counts[1] / 10_000.0, treatment - 0.1, treatment + 0.1);
    }

    [Fact]
    public void Two_experiments_split_customers_independently()
    {
        var both = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (Assignment.Variant("exp-a", id, [50, 50]) == 1 && Assignment.Variant("exp-b", id, [50, 50]) == 1)
            {
                both++;
            }
        }

        Assert.InRange(both / 100_000.0, 0.24, 0.26);
    }
}
