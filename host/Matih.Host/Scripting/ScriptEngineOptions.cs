namespace Matih.Host.Scripting;

/// <summary>
/// Limits and pool sizes of the script engine, bound from <c>Matih:Scripts</c> (e.g.
/// <c>--Matih:Scripts:MemoryLimitMb=512</c> or <c>MATIH__SCRIPTS__DEFAULTTIMEOUTSECONDS=120</c>).
/// </summary>
public sealed class ScriptEngineOptions
{
    /// <summary>A run's time limit when the caller gives none.</summary>
    public int DefaultTimeoutSeconds { get; set; } = 60;

    /// <summary>The longest time limit a caller may ask for.</summary>
    public int MaxTimeoutSeconds { get; set; } = 3600;

    /// <summary>The script process's managed heap limit (<c>DOTNET_GCHeapHardLimit</c>); past it the script gets an OutOfMemoryException.</summary>
    public int MemoryLimitMb { get; set; } = 1024;

    /// <summary>Resident memory above which the watchdog kills a script process (native memory the heap limit does not see); null = heap limit + 512 MB.</summary>
    public int? ProcessMemoryLimitMb { get; set; }

    /// <summary>Script processes kept started and warm, waiting for runs.</summary>
    public int WarmProcesses { get; set; } = 1;

    /// <summary>Start the warm processes when the host starts (else at the first run).</summary>
    public bool WarmAtStart { get; set; } = true;

    /// <summary>Runs at most at once; more wait their turn.</summary>
    public int MaxConcurrentRuns { get; set; } = 4;

    /// <summary>A process is replaced after this many runs (a backstop: compiled scripts are unloaded anyway).</summary>
    public int RecycleAfterRuns { get; set; } = 500;

    /// <summary>A process is replaced when, after a run, it holds more than this resident memory.</summary>
    public int RecycleAboveMb { get; set; } = 768;

    /// <summary>Compiled scripts each process keeps, by source hash.</summary>
    public int CacheSize { get; set; } = 64;

    /// <summary>REPL sessions at once, over all users.</summary>
    public int MaxSessions { get; set; } = 16;

    /// <summary>REPL sessions at once per user.</summary>
    public int MaxSessionsPerUser { get; set; } = 4;

    /// <summary>A REPL session idle this long is closed and its process stopped.</summary>
    public int SessionIdleMinutes { get; set; } = 30;

    /// <summary>The runner (<c>Matih.Scripting.Runner.dll</c>); null = <c>scripting/</c> beside the host.</summary>
    public string? RunnerPath { get; set; }

    /// <summary>The address scripts call the API on; null = the host's own loopback address.</summary>
    public string? ApiUrl { get; set; }

    /// <summary>The time limit for a run that asks for <paramref name="seconds"/>.</summary>
    public TimeSpan Timeout(int? seconds) => TimeSpan.FromSeconds(Math.Clamp(seconds ?? DefaultTimeoutSeconds, 1, Math.Max(1, MaxTimeoutSeconds)));

    /// <summary>The watchdog's resident-memory limit in bytes.</summary>
    public long ProcessMemoryLimitBytes => (ProcessMemoryLimitMb ?? MemoryLimitMb + 512) * 1024L * 1024;

    /// <summary>The runner's full path.</summary>
    public string ResolveRunner() => Path.GetFullPath(RunnerPath ?? Path.Combine(AppContext.BaseDirectory, "scripting", "Matih.Scripting.Runner.dll"));
}
