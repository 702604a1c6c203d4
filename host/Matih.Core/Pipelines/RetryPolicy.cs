namespace Matih.Core.Pipelines;

/// <summary>
/// How a failed task is retried, as Temporal writes it. The first attempt runs at once; the k-th retry (attempt
/// k + 1) waits <c>initial_interval * backoff_coefficient^(k-1)</c>, capped at <c>maximum_interval</c>.
/// </summary>
/// <param name="MaxAttempts">Attempts in all, the first one included (1 = no retry).</param>
/// <param name="BackoffCoefficient">How much longer each wait is than the one before.</param>
/// <param name="InitialInterval">The wait before the first retry.</param>
/// <param name="MaximumInterval">The longest wait.</param>
public sealed record RetryPolicy(int MaxAttempts, double BackoffCoefficient, TimeSpan InitialInterval, TimeSpan MaximumInterval)
{
    /// <summary>A task without a retry_policy runs once.</summary>
    public static readonly RetryPolicy None = new(1, 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(100));

    /// <summary>Temporal's default cap: 100 times the initial interval.</summary>
    public static TimeSpan DefaultMaximum(TimeSpan initial) => initial * 100;

    /// <summary>The wait before <paramref name="attempt"/> (2 = the first retry).</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 2);
        var seconds = InitialInterval.TotalSeconds * Math.Pow(BackoffCoefficient, attempt - 2);
        return seconds >= MaximumInterval.TotalSeconds ? MaximumInterval : TimeSpan.FromSeconds(seconds);
    }
}
