using Matih.Core.Connections;
using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Connections;

/// <summary>An active sync run as it happens; the page polls the run and passes each new view in.</summary>
public partial class SyncRunProgress
{
    /// <summary>The run, as <see cref="ConnectionSyncs.GetRunAsync"/> last returned it.</summary>
    [Parameter, EditorRequired]
    public SyncRunView Run { get; set; } = default!;

    /// <summary>Raised when the user asks to cancel the run.</summary>
    [Parameter]
    public EventCallback OnCancel { get; set; }

    /// <summary>True while a cancel request is on its way.</summary>
    [Parameter]
    public bool Cancelling { get; set; }

    private string Headline => Run.State switch
    {
        "queued" => "Waiting for a worker...",
        "retrying" => $"Attempt {Run.Attempt} failed; waiting to retry.",
        _ => $"Syncing for {SyncRunDisplay.Duration(Run, DateTimeOffset.UtcNow)}, {SyncRunDisplay.Count(Run.Progress.Values.Sum(p => p.RowsRead))} rows read (attempt {Math.Max(1, Run.Attempt)}).",
    };
}
