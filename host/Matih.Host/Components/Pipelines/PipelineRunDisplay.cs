using Matih.Core.Pipelines;
using MudBlazor;

namespace Matih.Host.Components.Pipelines;

/// <summary>How the pipeline pages write run and task states: colours, icons, durations.</summary>
public static class PipelineRunDisplay
{
    /// <summary>True for a run or task that has not ended.</summary>
    public static bool IsActive(string state) => state is "pending" or "queued" or "running" or "retrying";

    /// <summary>True while the run is queued or running.</summary>
    public static bool IsActive(PipelineRunView run) => IsActive(run.State);

    /// <summary>The chip colour of a state.</summary>
    public static Color StateColor(string? state) => state switch
    {
        "succeeded" => Color.Success,
        "failed" => Color.Error,
        "running" => Color.Info,
        "retrying" => Color.Warning,
        "cancelled" => Color.Dark,
        "skipped" => Color.Secondary,
        _ => Color.Default,
    };

    /// <summary>The icon of a state.</summary>
    public static string StateIcon(string? state) => state switch
    {
        "succeeded" => Icons.Material.Filled.CheckCircle,
        "failed" => Icons.Material.Filled.Error,
        "running" => Icons.Material.Filled.PlayCircle,
        "retrying" => Icons.Material.Filled.Replay,
        "cancelled" => Icons.Material.Filled.Cancel,
        "skipped" => Icons.Material.Filled.SkipNext,
        "queued" => Icons.Material.Filled.Schedule,
        _ => Icons.Material.Filled.HourglassEmpty,
    };

    /// <summary>How long a run took or has taken so far; empty before it started.</summary>
    public static string Duration(PipelineRunView run, DateTimeOffset now) =>
        run.StartedAt is { } started ? Connections.SyncRunDisplay.Span((run.EndedAt ?? now) - started) : "";

    /// <summary>How long a task took or has taken so far; empty before it started.</summary>
    public static string Duration(TaskRunView task, DateTimeOffset now) =>
        task.StartedAt is { } started ? Connections.SyncRunDisplay.Span((task.EndedAt ?? now) - started) : "";

    /// <summary>"attempt 2 of 3" once a task has been tried more than once or may be; empty otherwise.</summary>
    public static string Attempts(TaskRunView task) =>
        task.MaxAttempts > 1 && task.Attempts > 0 ? $"attempt {task.Attempts} of {task.MaxAttempts}" : "";
}
