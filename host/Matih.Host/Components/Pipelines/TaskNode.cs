using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;

namespace Matih.Host.Components.Pipelines;

/// <summary>
/// A task drawn in the designer: a box with an input port on the left (what it depends on arrives there) and an output
/// port on the right (tasks that depend on it leave from there), plus what the page lays over it: validation problems
/// and the state of the task in the run being shown.
/// </summary>
public sealed class TaskNode : NodeModel
{
    /// <summary>A node for <paramref name="task"/> at <paramref name="position"/>; its id is the task's <see cref="TaskDraft.Key"/>.</summary>
    public TaskNode(TaskDraft task, Point position)
        : base(task.Key, position)
    {
        Task = task;
        Input = (TaskPort)AddPort(new TaskPort(this, isInput: true));
        Output = (TaskPort)AddPort(new TaskPort(this, isInput: false));
    }

    /// <summary>The task in the draft.</summary>
    public TaskDraft Task { get; }

    /// <summary>Where dependencies arrive (left).</summary>
    public TaskPort Input { get; }

    /// <summary>Where dependents leave (right).</summary>
    public TaskPort Output { get; }

    /// <summary>True when the last validation found a problem in this task.</summary>
    public bool HasProblem { get; set; }

    /// <summary>The task's state in the run shown, or null when no run is shown.</summary>
    public string? RunState { get; set; }

    /// <summary>"attempt 2 of 3" and the like for the run shown.</summary>
    public string? RunDetail { get; set; }

    /// <summary>The run's one-line outcome or error for this task, as a tooltip.</summary>
    public string? RunSummary { get; set; }
}

/// <summary>A task's port: links go from an output port to another task's input port.</summary>
public sealed class TaskPort : PortModel
{
    /// <summary>The input (left) or output (right) port of <paramref name="parent"/>.</summary>
    public TaskPort(TaskNode parent, bool isInput)
        : base($"{parent.Id}:{(isInput ? "in" : "out")}", parent, isInput ? PortAlignment.Left : PortAlignment.Right, null, null)
    {
        IsInput = isInput;
    }

    /// <summary>True for the left port, where dependencies arrive.</summary>
    public bool IsInput { get; }

    /// <summary>Another task's port of the other kind, or another task's box (the drop picks the right port).</summary>
    public override bool CanAttachTo(ILinkable other) => other switch
    {
        TaskPort port => port.Parent != Parent && port.IsInput != IsInput && !port.Locked,
        TaskNode node => node != Parent && !node.Locked,
        _ => false,
    };
}
