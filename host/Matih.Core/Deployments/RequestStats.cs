using System.Diagnostics;

namespace Matih.Core.Deployments;

/// <summary>What a deployment answered recently.</summary>
/// <param name="Requests">Requests since it started (rejected ones included).</param>
/// <param name="Predictions">Rows scored since it started (a batch counts each instance).</param>
/// <param name="Failed">Requests that failed inside the server (500).</param>
/// <param name="Rejected">Requests refused at the concurrency limit (503).</param>
/// <param name="Invalid">Requests refused for their content (400) or an unknown entity (404).</param>
/// <param name="Ongoing">Requests in flight now.</param>
/// <param name="RequestsPerSecond">Requests per second over the last 10 seconds.</param>
/// <param name="P50Ms">Median latency over the window, in milliseconds (server side: from the parsed body to the written answer).</param>
/// <param name="P99Ms">99th percentile latency over the window.</param>
/// <param name="ErrorRate">(failed + rejected) / requests over the window.</param>
/// <param name="WindowSeconds">The window the percentiles and rate of errors cover.</param>
/// <param name="LogDropped">Predictions not written to the prediction log because its queue was full.</param>
public sealed record DeploymentStats(
    long Requests,
    long Predictions,
    long Failed,
    long Rejected,
    long Invalid,
    int Ongoing,
    double RequestsPerSecond,
    double? P50Ms,
    double? P99Ms,
    double ErrorRate,
    int WindowSeconds,
    long LogDropped);

/// <summary>How a request ended, for the statistics.</summary>
public enum RequestOutcome
{
    /// <summary>Answered.</summary>
    Ok,

    /// <summary>Refused for its content or an unknown entity.</summary>
    Invalid,

    /// <summary>Refused at the concurrency limit.</summary>
    Rejected,

    /// <summary>Failed inside the server.</summary>
    Failed,
}

/// <summary>
/// Lock-free request counters for one deployment: totals, per-second buckets for the last minute, and a ring of
/// recent latencies for percentiles. Readers may see a sample being written; figures are statistics, not accounts.
/// </summary>
public sealed class RequestStats
{
    /// <summary>Seconds the window covers.</summary>
    public const int WindowSeconds = 60;

    private const int Buckets = 64;
    private const int Samples = 16_384;
    private const int RateSeconds = 10;

    private readonly long[] _bucketSecond = new long[Buckets];
    private readonly int[] _bucketRequests = new int[Buckets];
    private readonly int[] _bucketErrors = new int[Buckets];
    private readonly int[] _latencyUs = new int[Samples];
    private readonly long[] _latencyAt = new long[Samples];
    private readonly Lock _roll = new();
    private long _next;
    private long _requests;
    private long _predictions;
    private long _failed;
    private long _rejected;
    private long _invalid;
    private long _logDropped;

    /// <summary>Counts one request that took <paramref name="latencyUs"/> and scored <paramref name="rows"/> rows.</summary>
    public void Record(RequestOutcome outcome, long latencyUs, int rows)
    {
        var nowMs = Environment.TickCount64;
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _predictions, rows);
        var error = false;
        switch (outcome)
        {
            case RequestOutcome.Failed:
                Interlocked.Increment(ref _failed);
                error = true;
                break;
            case RequestOutcome.Rejected:
                Interlocked.Increment(ref _rejected);
                error = true;
                break;
            case RequestOutcome.Invalid:
                Interlocked.Increment(ref _invalid);
                break;
        }

        var second = nowMs / 1000;
        var bucket = (int)(second % Buckets);
        if (Volatile.Read(ref _bucketSecond[bucket]) != second)
        {
            lock (_roll)
            {
                if (_bucketSecond[bucket] != second)
                {
                    _bucketRequests[bucket] = 0;
                    _bucketErrors[bucket] = 0;
                    Volatile.Write(ref _bucketSecond[bucket], second);
                }
            }
        }

        Interlocked.Increment(ref _bucketRequests[bucket]);
        if (error)
        {
            Interlocked.Increment(ref _bucketErrors[bucket]);
        }

        // Refusals take no time worth measuring and would flatter the percentiles.
        if (outcome != RequestOutcome.Rejected)
        {
            var slot = (int)(Interlocked.Increment(ref _next) % Samples);
            _latencyUs[slot] = (int)Math.Min(latencyUs, int.MaxValue);
            Volatile.Write(ref _latencyAt[slot], nowMs);
        }
    }

    /// <summary>Counts a prediction the log could not take.</summary>
    public void LogDropped() => Interlocked.Increment(ref _logDropped);

    /// <summary>The figures now.</summary>
    public DeploymentStats Snapshot(int ongoing)
    {
        var nowMs = Environment.TickCount64;
        var second = nowMs / 1000;
        long windowRequests = 0, windowErrors = 0, recent = 0;
        for (var b = 0; b < Buckets; b++)
        {
            var age = second - Volatile.Read(ref _bucketSecond[b]);
            if (age < 0 || age >= WindowSeconds)
            {
                continue;
            }

            windowRequests += _bucketRequests[b];
            windowErrors += _bucketErrors[b];
            // The current second is partial; the rate uses the ten before it.
            if (age is >= 1 and <= RateSeconds)
            {
                recent += _bucketRequests[b];
            }
        }

        var latencies = new List<int>();
        var oldest = nowMs - WindowSeconds * 1000L;
        for (var s = 0; s < Samples; s++)
        {
            var at = Volatile.Read(ref _latencyAt[s]);
            if (at != 0 && at >= oldest)
            {
                latencies.Add(_latencyUs[s]);
            }
        }

        latencies.Sort();
        return new DeploymentStats(
            Interlocked.Read(ref _requests),
            Interlocked.Read(ref _predictions),
            Interlocked.Read(ref _failed),
            Interlocked.Read(ref _rejected),
            Interlocked.Read(ref _invalid),
            ongoing,
            recent / (double)RateSeconds,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            windowRequests == 0 ? 0 : windowErrors / (double)windowRequests,
            WindowSeconds,
            Interlocked.Read(ref _logDropped));
    }

    /// <summary>Microseconds since <paramref name="startedTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public static long MicrosecondsSince(long startedTimestamp) => (long)Stopwatch.GetElapsedTime(startedTimestamp).TotalMicroseconds;

    private static double? Percentile(List<int> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)] / 1000.0;
}
