using System.Text.Json;
using Matih.Core.Connections;
using Matih.Host.Components.Connections;
using Matih.Sdk.Connectors;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>One connection in the Sources list with its latest run.</summary>
/// <param name="Connection">The connection, secrets masked.</param>
/// <param name="LastRun">Its newest run, or null when it never synced.</param>
public sealed record ConnectionRow(ConnectionView Connection, SyncRunView? LastRun);

/// <summary>
/// The Sources page: every connection with its latest run; for the selected one its streams, a live progress bar while
/// a sync runs (polled every half second), the source's figures and the run history. Sync now and Cancel call
/// <see cref="ConnectionSyncs"/>, the engine the REST API calls.
/// </summary>
public partial class Sources : IDisposable
{
    private const int HistoryLength = 20;
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private readonly CancellationTokenSource _disposed = new();
    private bool _following;
    private string? _loadedId;

    [Inject]
    private Matih.Core.Connections.Connections Connections { get; set; } = default!;

    [Inject]
    private ConnectionSyncs Syncs { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    /// <summary>The connection to show (<c>?connection=id</c>); the first one when absent.</summary>
    [SupplyParameterFromQuery(Name = "connection")]
    public string? ConnectionId { get; set; }

    private List<ConnectionRow>? Rows { get; set; }

    private ConnectionView? SelectedConnection { get; set; }

    private IReadOnlyList<SyncRunView> History { get; set; } = [];

    private SyncRunView? ActiveRun { get; set; }

    private IReadOnlyList<SourceFigure>? Figures { get; set; }

    private string? FiguresError { get; set; }

    private string? Message { get; set; }

    private Severity MessageSeverity { get; set; } = Severity.Warning;

    private bool Starting { get; set; }

    private bool Cancelling { get; set; }

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() => Rows = await LoadRowsAsync(_disposed.Token);

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        var id = ConnectionId ?? Rows?.FirstOrDefault()?.Connection.Id;
        if (id != _loadedId)
        {
            await LoadSelectedAsync(id, _disposed.Token);
        }

        Follow();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Cancelled, not disposed: work finishing after the page is left may still read the token.
        _disposed.Cancel();
    }

    private static string DestinationOf(ConnectionView connection) => $"{connection.Destination.Catalog}.{connection.Destination.Schema}";

    private static bool IsSyncing(ConnectionRow row) => row.LastRun is { } run && SyncRunDisplay.IsActive(run);

    private static string DocumentOf(ConnectionView connection) => JsonSerializer.Serialize(connection, s_indented);

    private void Select(string id)
    {
        if (id != SelectedConnection?.Id)
        {
            Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("connection", id));
        }
    }

    private async Task SyncNowAsync(string id)
    {
        Starting = true;
        try
        {
            var (runId, error) = await Syncs.StartAsync(id, "manual", _disposed.Token);
            (Message, MessageSeverity) = error is null ? ((string?)null, Severity.Info) : (error, Severity.Warning);
            Rows = await LoadRowsAsync(_disposed.Token);
            if (id == SelectedConnection?.Id)
            {
                await LoadRunsAsync(id, _disposed.Token);
            }
            else if (runId is not null)
            {
                Select(id);
            }

            Follow();
        }
        finally
        {
            Starting = false;
        }
    }

    private async Task CancelAsync()
    {
        if (ActiveRun is not { } run)
        {
            return;
        }

        Cancelling = true;
        if (!await Syncs.CancelAsync(run.RunId, _disposed.Token))
        {
            Cancelling = false;
            (Message, MessageSeverity) = ("The run had already ended.", Severity.Info);
        }

        // The poll sees the run end and clears Cancelling.
        Follow();
    }

    private async Task RefreshSelectedAsync()
    {
        Rows = await LoadRowsAsync(_disposed.Token);
        await LoadSelectedAsync(SelectedConnection?.Id, _disposed.Token);
        Follow();
    }

    private async Task<List<ConnectionRow>> LoadRowsAsync(CancellationToken cancellationToken)
    {
        var connections = await Connections.ListAsync(cancellationToken);
        var latest = await Syncs.LatestRunsAsync(cancellationToken);
        return connections.Select(c => new ConnectionRow(c, latest.GetValueOrDefault(c.Id))).ToList();
    }

    private async Task LoadSelectedAsync(string? id, CancellationToken cancellationToken)
    {
        _loadedId = id;
        SelectedConnection = id is null ? null : await Connections.GetAsync(id, cancellationToken);
        History = [];
        ActiveRun = null;
        Figures = null;
        FiguresError = null;
        if (SelectedConnection is null)
        {
            if (id is not null)
            {
                (Message, MessageSeverity) = ($"No connection has the id '{id}'.", Severity.Warning);
            }

            return;
        }

        await LoadRunsAsync(SelectedConnection.Id, cancellationToken);
        await LoadFiguresAsync(SelectedConnection.Id, cancellationToken);
    }

    private async Task LoadRunsAsync(string id, CancellationToken cancellationToken)
    {
        History = await Syncs.ListRunsAsync(id, HistoryLength, cancellationToken);
        ActiveRun = History.FirstOrDefault(SyncRunDisplay.IsActive);
        Cancelling &= ActiveRun is not null;
    }

    private async Task LoadFiguresAsync(string id, CancellationToken cancellationToken)
    {
        // Diagnostics open a connection to the source: once, for the live page, not again while prerendering.
        if (!RendererInfo.IsInteractive)
        {
            return;
        }

        try
        {
            Figures = await Connections.DiagnoseAsync(id, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An unset secret or an unreachable source is something to show, not a reason to break the page.
            FiguresError = e.Message;
        }
    }

    private bool AnythingActive => ActiveRun is not null || Rows?.Exists(IsSyncing) == true;

    // Polls while a run is active; only the live page polls. Starting and stopping happen on the renderer's context, so
    // there is never more than one poll loop.
    private void Follow()
    {
        if (_following || !RendererInfo.IsInteractive || !AnythingActive)
        {
            return;
        }

        _following = true;
        _ = FollowAsync(_disposed.Token);
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_pollInterval);
        try
        {
            var more = true;
            while (more && await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(async () =>
                {
                    await PollAsync(cancellationToken);
                    more = _following = AnythingActive;
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var ended = false;
        for (var i = 0; i < (Rows?.Count ?? 0); i++)
        {
            var row = Rows![i];
            if (row.LastRun is not { } last || !SyncRunDisplay.IsActive(last))
            {
                continue;
            }

            var now = await Syncs.GetRunAsync(last.ConnectionId, last.RunId, cancellationToken);
            Rows[i] = row with { LastRun = now };
            ended |= now is null || !SyncRunDisplay.IsActive(now);
            if (now is not null && row.Connection.Id == SelectedConnection?.Id)
            {
                ActiveRun = SyncRunDisplay.IsActive(now) ? now : null;
                History = History.Select(r => r.RunId == now.RunId ? now : r).ToArray();
            }
        }

        if (ActiveRun is { } active && Rows?.Exists(r => r.LastRun?.RunId == active.RunId) != true)
        {
            // A run the list did not know yet (started elsewhere): follow it directly.
            ActiveRun = await Syncs.GetRunAsync(active.ConnectionId, active.RunId, cancellationToken) is { } now && SyncRunDisplay.IsActive(now) ? now : null;
            ended |= ActiveRun is null;
        }

        if (ended)
        {
            Rows = await LoadRowsAsync(cancellationToken);
            if (SelectedConnection is { } selected)
            {
                await LoadRunsAsync(selected.Id, cancellationToken);
                Figures = null;
                FiguresError = null;
                await LoadFiguresAsync(selected.Id, cancellationToken);
            }
        }
    }
}
