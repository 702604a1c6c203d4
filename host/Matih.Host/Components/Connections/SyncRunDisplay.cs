using System.Globalization;
using Matih.Core.Connections;
using MudBlazor;

namespace Matih.Host.Components.Connections;

/// <summary>How the Sources page writes a sync run: state colours, durations, times and rows.</summary>
public static class SyncRunDisplay
{
    /// <summary>True while the run is queued, running or waiting to retry.</summary>
    public static bool IsActive(SyncRunView run) => IsActive(run.State);

    /// <summary>True for the states of a run that has not ended.</summary>
    public static bool IsActive(string state) => state is "queued" or "running" or "retrying";

    /// <summary>The chip colour of a run state.</summary>
    public static Color StateColor(string state) => state switch
    {
        "succeeded" => Color.Success,
        "failed" => Color.Error,
        "running" => Color.Info,
        "retrying" => Color.Warning,
        "queued" => Color.Default,
        _ => Color.Dark,
    };

    /// <summary>How long the run took, or has taken so far; empty before it started.</summary>
    public static string Duration(SyncRunView run, DateTimeOffset now) =>
        run.StartedAt is { } started ? Span((run.EndedAt ?? now) - started) : "";

    /// <summary>A span as people read it: <c>850 ms</c>, <c>4.2 s</c>, <c>3 min 12 s</c>, <c>2 h 5 min</c>.</summary>
    public static string Span(TimeSpan span) => span switch
    {
        { TotalSeconds: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, span.TotalMilliseconds):0} ms"),
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0} s"),
        { TotalHours: < 1 } => $"{span.Minutes} min {span.Seconds} s",
        _ => $"{(int)span.TotalHours} h {span.Minutes} min",
    };

    /// <summary>How long ago <paramref name="time"/> was: <c>just now</c>, <c>5 min ago</c>, <c>3 h ago</c>, <c>2 days ago</c>.</summary>
    public static string Ago(DateTimeOffset time, DateTimeOffset now)
    {
        var span = now - time;
        return span switch
        {
            { TotalSeconds: < 45 } => "just now",
            { TotalMinutes: < 60 } => $"{Math.Max(1, (int)Math.Round(span.TotalMinutes))} min ago",
            { TotalHours: < 24 } => $"{(int)span.TotalHours} h ago",
            _ => $"{(int)span.TotalDays} day{((int)span.TotalDays == 1 ? "" : "s")} ago",
        };
    }

    /// <summary>A timestamp in UTC for a tooltip or a table cell.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The run's rows summed over its streams.</summary>
    public static long TotalRows(SyncRunView run) => run.Rows.Values.Sum();

    /// <summary>The rows read so far while the run is active, else the rows it committed.</summary>
    public static long RowsSoFar(SyncRunView run) => IsActive(run) ? run.Progress.Values.Sum(p => p.RowsRead) : TotalRows(run);

    /// <summary>A whole number with thousands separators.</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
