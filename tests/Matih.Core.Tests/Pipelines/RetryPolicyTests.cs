using Matih.Core.Pipelines;

namespace Matih.Core.Tests.Pipelines;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Each_retry_waits_the_initial_interval_times_the_coefficient_to_the_retry_number_minus_one()
    {
        var policy = new RetryPolicy(5, 2, TimeSpan.FromSeconds(30), TimeSpan.FromHours(1));

        Assert.Equal(
            [TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(240)],
            Enumerable.Range(2, 4).Select(policy.DelayBefore));
    }

    [Fact]
    public void Waits_are_capped_at_the_maximum_interval()
    {
        var policy = new RetryPolicy(10, 3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(100));

        Assert.Equal(TimeSpan.FromSeconds(90), policy.DelayBefore(4));
        Assert.Equal(TimeSpan.FromSeconds(100), policy.DelayBefore(5));
        Assert.Equal(TimeSpan.FromSeconds(100), policy.DelayBefore(9));
    }
}
