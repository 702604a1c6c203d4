using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Pipelines;

/// <summary>Draws a <see cref="TaskNode"/>; the diagram renders it for every node of that type.</summary>
public partial class TaskNodeWidget
{
    /// <summary>The node (the diagram passes it by this name).</summary>
    [Parameter]
    public TaskNode Node { get; set; } = default!;

    private string CssClass =>
        "task-node"
        + (Node.HasProblem ? " task-node-problem" : "")
        + (Node.RunState is { } state ? $" task-node-state-{state}" : "");

    private string Icon => Node.Task.Type switch
    {
        "sql_execute" => Icons.Material.Filled.DataObject,
        "data_quality_check" => Icons.Material.Filled.FactCheck,
        "feature_store_sync" => Icons.Material.Filled.Inventory2,
        "sync_connection" => Icons.Material.Filled.Sync,
        "run_script" => Icons.Material.Filled.Terminal,
        _ => Icons.Material.Filled.Extension,
    };

    private string? Tooltip => Node.RunSummary ?? (Node.HasProblem ? "This task has a problem: see the list below the canvas." : null);
}
