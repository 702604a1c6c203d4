using System.Globalization;

namespace Matih.Core.Deployments;

/// <summary>A replica count the policy asks for, and why.</summary>
/// <param name="Replicas">The new count.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record ScalingDecision(int Replicas, string Reason);

/// <summary>
/// Ray Serve's request-based autoscaling: the wanted replica count is <c>ceil(average ongoing requests / target per
/// replica)</c> over the look-back window, kept within min..max; the count changes only once the wish has held for
/// the upscale (or downscale) delay, so a burst does not make replicas come and go. Not thread-safe: one caller ticks it.
/// </summary>
public sealed class AutoscalingPolicy(AutoscalingConfig config)
{
    private readonly Queue<(long AtMs, int Ongoing)> _samples = new();
    private long _sum;
    private long? _upSince;
    private long? _downSince;

    /// <summary>The settings.</summary>
    public AutoscalingConfig Config { get; } = config;

    /// <summary>Records the ongoing requests seen at <paramref name="nowMs"/>.</summary>
    public void Observe(long nowMs, int ongoing)
    {
        _samples.Enqueue((nowMs, ongoing));
        _sum += ongoing;
        var oldest = nowMs - (long)(Config.LookBackSeconds * 1000);
        while (_samples.Count > 1 && _samples.Peek().AtMs < oldest)
        {
            _sum -= _samples.Dequeue().Ongoing;
        }
    }

    /// <summary>The average ongoing requests over the look-back window.</summary>
    public double AverageOngoing => _samples.Count == 0 ? 0 : (double)_sum / _samples.Count;

    /// <summary>The count the load asks for now, within the bounds.</summary>
    public int Wanted => Math.Clamp((int)Math.Ceiling(AverageOngoing / Config.TargetOngoingRequestsPerReplica - 1e-9), Config.MinReplicas, Config.MaxReplicas);

    /// <summary>A new replica count when one is due at <paramref name="nowMs"/>, else null.</summary>
    public ScalingDecision? Decide(long nowMs, int current)
    {
        if (current < Config.MinReplicas || current > Config.MaxReplicas)
        {
            Reset();
            var bounded = Math.Clamp(current, Config.MinReplicas, Config.MaxReplicas);
            return new ScalingDecision(bounded, $"{current} replica(s) is outside min_replicas..max_replicas ({Config.MinReplicas}..{Config.MaxReplicas}).");
        }

        var wanted = Wanted;
        if (wanted > current)
        {
            _downSince = null;
            _upSince ??= nowMs;
            if (nowMs - _upSince.Value >= Config.UpscaleDelaySeconds * 1000)
            {
                Reset();
                return new ScalingDecision(wanted, Because(current, wanted));
            }
        }
        else if (wanted < current)
        {
            _upSince = null;
            _downSince ??= nowMs;
            if (nowMs - _downSince.Value >= Config.DownscaleDelaySeconds * 1000)
            {
                Reset();
                return new ScalingDecision(wanted, Because(current, wanted));
            }
        }
        else
        {
            _upSince = null;
            _downSince = null;
        }

        return null;
    }

    private string Because(int current, int wanted) => string.Create(CultureInfo.InvariantCulture,
        $"{AverageOngoing:0.#} ongoing request(s) on average over {Config.LookBackSeconds:0.#} s with a target of {Config.TargetOngoingRequestsPerReplica:0.#} per replica: {current} -> {wanted} replica(s).");

    private void Reset()
    {
        _upSince = null;
        _downSince = null;
    }
}
