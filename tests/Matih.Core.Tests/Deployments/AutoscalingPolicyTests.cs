using Matih.Core.Deployments;

namespace Matih.Core.Tests.Deployments;

public sealed class AutoscalingPolicyTests
{
    // The seed's settings: 2..6 replicas, 10 ongoing requests per replica; delays of 1 s up and 10 s down.
    private static readonly AutoscalingConfig s_seed = new(2, 6, 10);

    [Fact]
    public void Sustained_load_adds_replicas_after_the_upscale_delay_and_not_before()
    {
        var policy = new AutoscalingPolicy(s_seed);

        var decisions = Run(policy, fromMs: 0, toMs: 3_000, ongoing: 45, current: 2);

        // 45 ongoing / 10 per replica = 5 replicas, once the average has held for a second.
        var (atMs, decision) = Assert.Single(decisions);
        Assert.Equal(5, decision.Replicas);
        Assert.InRange(atMs, 1_000, 1_200);
        Assert.Contains("2 -> 5 replica(s)", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_burst_shorter_than_the_delay_changes_nothing()
    {
        var policy = new AutoscalingPolicy(s_seed with { LookBackSeconds = 0.2 });

        Assert.Empty(Run(policy, 0, 500, ongoing: 60, current: 2));
        Assert.Empty(Run(policy, 600, 5_000, ongoing: 3, current: 2));
    }

    [Fact]
    public void The_wanted_count_stays_between_min_and_max_replicas()
    {
        var policy = new AutoscalingPolicy(s_seed);

        var up = Run(policy, 0, 2_000, ongoing: 500, current: 2);
        var down = Run(policy, 3_000, 20_000, ongoing: 0, current: 6);

        Assert.Equal(6, Assert.Single(up).Decision.Replicas);
        var (atMs, decision) = Assert.Single(down);
        Assert.Equal(2, decision.Replicas);
        // Idle once the two-second look-back has forgotten the burst, then ten seconds of downscale delay.
        Assert.InRange(atMs, 3_000 + 10_000, 3_000 + 12_500);
    }

    [Fact]
    public void A_count_outside_the_bounds_is_brought_back_at_once()
    {
        var policy = new AutoscalingPolicy(s_seed);
        policy.Observe(0, 0);

        Assert.Equal(2, policy.Decide(0, 1)!.Replicas);
        Assert.Equal(6, policy.Decide(0, 9)!.Replicas);
    }

    private static List<(long AtMs, ScalingDecision Decision)> Run(AutoscalingPolicy policy, long fromMs, long toMs, int ongoing, int current)
    {
        var decisions = new List<(long, ScalingDecision)>();
        for (var now = fromMs; now <= toMs; now += 100)
        {
            policy.Observe(now, ongoing);
            if (policy.Decide(now, current) is { } decision)
            {
                decisions.Add((now, decision));
                current = decision.Replicas;
            }
        }

        return decisions;
    }
}
