using Matih.Core.Pipelines;
using Matih.Host.Components.Pipelines;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// One pipeline run: per-task state, attempts, durations and logs, refreshed every second while it runs; Cancel, Re-run
/// failed and Re-run from a chosen task call <see cref="PipelineRuns"/>, the engine the REST API calls.
/// </summary>
public partial class PipelineRun : IDisposable
{
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _disposed = new();
    private bool _following;

    [Inject]
    private PipelineRuns Runs { get; set; } = default!;

    [Inject]
    private Matih.Core.Pipelines.Pipelines Store { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ILogger<PipelineRun> Log { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The pipeline id from the address.</summary>
    [Parameter]
    public string Id { get; set; } = "";

    /// <summary>The run id from the address.</summary>
    [Parameter]
    public Guid RunId { get; set; }

    private PipelineRunView? Run { get; set; }

    private string? PipelineName { get; set; }

    private bool Loaded { get; set; }

    private bool Busy { get; set; }

    private string? FromTask { get; set; }

    private string? Message { get; set; }

    private Severity MessageSeverity { get; set; } = Severity.Info;

    /// <inheritdoc />
    public void Dispose() => _disposed.Cancel();

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        var run = await Runs.GetAsync(RunId, _disposed.Token);
        Run = run is not null && run.PipelineId == Id ? run : null;
        PipelineName = (await Store.GetAsync(Id, _disposed.Token))?.Name;
        FromTask = Run?.Tasks.FirstOrDefault(t => t.State != "succeeded")?.TaskId;
        Loaded = true;
        Follow();
    }

    private async Task<string> UserAsync() => Auth.Roles.Caller((await AuthenticationState).User).UserName;

    private async Task CancelAsync()
    {
        Busy = true;
        try
        {
            var cancelled = await Runs.CancelAsync(RunId, await UserAsync(), _disposed.Token);
            (Message, MessageSeverity) = cancelled
                ? ("Cancelled: waiting tasks will not start, and running ones are asked to stop.", Severity.Info)
                : ("The run had already ended.", Severity.Info);
            Run = await Runs.GetAsync(RunId, _disposed.Token);
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task RerunAsync(string? fromTask)
    {
        Busy = true;
        try
        {
            var rerun = await Runs.RerunAsync(RunId, fromTask, await UserAsync(), _disposed.Token);
            Navigation.NavigateTo($"/pipelines/{Id}/runs/{rerun}");
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            (Message, MessageSeverity) = (e.Message, Severity.Warning);
        }
        finally
        {
            Busy = false;
        }
    }

    private void Follow()
    {
        if (_following || !RendererInfo.IsInteractive || Run is not { } run || !PipelineRunDisplay.IsActive(run))
        {
            return;
        }

        _following = true;
        _ = FollowAsync(RunId, _disposed.Token);
    }

    private async Task FollowAsync(Guid runId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_poll);
        try
        {
            var failures = 0;
            while (await timer.WaitForNextTickAsync(cancellationToken) && runId == RunId)
            {
                PipelineRunView? run;
                try
                {
                    run = await Runs.GetAsync(runId, cancellationToken);
                    failures = 0;
                }
                catch (Exception e) when (e is not OperationCanceledException && ++failures < 10)
                {
                    // The store can be busy while the run writes to it: try again on the next tick.
                    Log.LogWarning(e, "Reading run {RunId} failed; trying again", runId);
                    continue;
                }

                await InvokeAsync(() =>
                {
                    Run = run;
                    StateHasChanged();
                });
                if (run is null || !PipelineRunDisplay.IsActive(run))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
        finally
        {
            _following = false;
            if (runId != RunId)
            {
                // Another run was opened on this page meanwhile: follow that one.
                await InvokeAsync(Follow);
            }
        }
    }
}
