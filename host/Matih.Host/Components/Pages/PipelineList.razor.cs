using Matih.Core.Pipelines;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// Data Workbench &gt; Pipelines: every pipeline with its schedule, next and last run; Run now starts a run (the same
/// engine call as <c>POST /api/pipelines/{id}/runs</c>) and opens it.
/// </summary>
public partial class PipelineList
{
    [Inject]
    private Matih.Core.Pipelines.Pipelines Store { get; set; } = default!;

    [Inject]
    private PipelineRuns Runs { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private IReadOnlyList<PipelineSummary>? Rows { get; set; }

    private string? Starting { get; set; }

    private string? Message { get; set; }

    private Severity MessageSeverity { get; set; } = Severity.Warning;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() => Rows = await Store.ListAsync(CancellationToken.None);

    private async Task RunNowAsync(string id)
    {
        Starting = id;
        try
        {
            var user = Auth.Roles.Caller((await AuthenticationState).User).UserName;
            var runId = await Runs.StartAsync(id, user, CancellationToken.None);
            Navigation.NavigateTo($"/pipelines/{id}/runs/{runId}");
        }
        catch (KeyNotFoundException e)
        {
            (Message, MessageSeverity) = (e.Message, Severity.Warning);
            Rows = await Store.ListAsync(CancellationToken.None);
        }
        finally
        {
            Starting = null;
        }
    }
}
