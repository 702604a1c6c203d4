using Matih.Core.Pipelines;
using Matih.Core.Users;
using Matih.Host.Components.Pipelines;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Matih.Host.Components.Pages;

/// <summary>
/// One pipeline (or a new one): the designer, the run history with per-task states, and the saved JSON. The
/// designer and the history call <see cref="Matih.Core.Pipelines.Pipelines"/> and <see cref="PipelineRuns"/>, the
/// engine the REST API calls.
/// </summary>
public partial class Pipeline : IDisposable
{
    private const int HistoryLength = 50;
    private static readonly TimeSpan s_historyPoll = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _disposed = new();
    private bool _designerShown;
    private bool _following;
    private string? _loadedId;
    private int _tab;

    [Inject]
    private Matih.Core.Pipelines.Pipelines Store { get; set; } = default!;

    [Inject]
    private PipelineRuns Runs { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The pipeline id from the address; null on <c>/pipelines/new</c>.</summary>
    [Parameter]
    public string? Id { get; set; }

    /// <summary>The tab to open: <c>designer</c> (default), <c>runs</c> or <c>json</c>.</summary>
    [SupplyParameterFromQuery(Name = "tab")]
    public string? TabName { get; set; }

    /// <summary>A run to lay over the designer's graph.</summary>
    [SupplyParameterFromQuery(Name = "run")]
    public Guid? RunId { get; set; }

    private PipelineRecord? Record { get; set; }

    private bool Ready { get; set; }

    private bool NotFound { get; set; }

    private string UserName { get; set; } = "";

    private bool CanEdit { get; set; }

    private IReadOnlyList<PipelineRunView> History { get; set; } = [];

    private int HistoryTotal { get; set; }

    private int Tab => _tab;

    /// <inheritdoc />
    public void Dispose() => _disposed.Cancel();

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        var caller = Auth.Roles.Caller((await AuthenticationState).User);
        UserName = caller.UserName;
        CanEdit = caller.Role >= Role.Analyst;
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (Id != _loadedId || !Ready)
        {
            _loadedId = Id;
            Record = Id is null ? null : await Store.GetAsync(Id, _disposed.Token);
            NotFound = Id is not null && Record is null;
            _tab = TabName switch
            {
                "runs" when Record is not null => 1,
                "json" when Record is not null => 2,
                _ => 0,
            };
            _designerShown = _tab == 0;
            Ready = true;
            if (_tab == 1)
            {
                await LoadHistoryAsync();
            }
        }
    }

    private async Task OnSavedAsync(string id)
    {
        Record = await Store.GetAsync(id, _disposed.Token);
        if (id != Id)
        {
            // The designer keeps its state: the page is the same component at the new address.
            _loadedId = id;
            Navigation.NavigateTo($"/pipelines/{id}", replace: true);
        }
    }

    private void OnRunShown(Guid? runId)
    {
        if (Id is not null)
        {
            Navigation.NavigateTo(runId is { } run ? $"/pipelines/{Id}?run={run}" : $"/pipelines/{Id}", replace: true);
        }
    }

    private async Task OnTabChangedAsync(int tab)
    {
        _tab = tab;
        _designerShown |= tab == 0;
        if (tab == 1)
        {
            await LoadHistoryAsync();
        }
        else if (tab == 2)
        {
            await ReloadRecordAsync();
        }
    }

    private void OpenRun(Guid runId) => Navigation.NavigateTo($"/pipelines/{Id}/runs/{runId}");

    private async Task ReloadRecordAsync()
    {
        if (Id is not null)
        {
            Record = await Store.GetAsync(Id, _disposed.Token);
        }
    }

    private async Task LoadHistoryAsync()
    {
        if (Id is null)
        {
            return;
        }

        (History, HistoryTotal) = await Runs.ListAsync(Id, 0, HistoryLength, _disposed.Token);
        Follow();
    }

    // While a run in the history is active and the Runs tab shows, refresh it every two seconds.
    private void Follow()
    {
        if (_following || !RendererInfo.IsInteractive || !History.Any(PipelineRunDisplay.IsActive))
        {
            return;
        }

        _following = true;
        _ = FollowAsync(_disposed.Token);
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_historyPoll);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken) && _tab == 1 && Id is { } id)
            {
                var (history, total) = await Runs.ListAsync(id, 0, HistoryLength, cancellationToken);
                await InvokeAsync(() =>
                {
                    (History, HistoryTotal) = (history, total);
                    StateHasChanged();
                });
                if (!history.Any(PipelineRunDisplay.IsActive))
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
        }
    }
}
