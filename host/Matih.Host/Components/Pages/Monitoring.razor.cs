using System.Globalization;
using Matih.Core.Demo;
using Matih.Core.Monitoring;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// ML Workbench > Monitoring: the monitors with their alert state, and a monitor's dashboard (the seed's Stage 7) read
/// from the same engine as <c>GET /api/monitors/{name}/report</c>, with "evaluate now" as <c>POST .../evaluate</c>.
/// </summary>
public partial class Monitoring
{
    [Inject]
    private Monitors Monitors { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private DemoStatus DemoStatus { get; set; } = default!;

    [Inject]
    private DemoTraffic DemoTraffic { get; set; } = default!;

    /// <summary>What the last demo replay did, in words.</summary>
    private string? Replay { get; set; }

    /// <summary>The monitor shown, from the route.</summary>
    [Parameter]
    public string? Name { get; set; }

    private IReadOnlyList<MonitorRecord>? List { get; set; }

    private IReadOnlyList<MonitorAlertStateRecord> States { get; set; } = [];

    private MonitorReport? Report { get; set; }

    private IReadOnlyList<MonitorAlertStateRecord> Alerts { get; set; } = [];

    private MonitorEvaluation? Evaluation { get; set; }

    private string? Problem { get; set; }

    private bool Busy { get; set; }

    private string? _shown;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        List = await Monitors.ListAsync(CancellationToken.None);
        States = await Monitors.AlertStatesAsync(null, CancellationToken.None);
        if (Name != _shown)
        {
            _shown = Name;
            (Report, Evaluation, Problem, Alerts) = (null, null, null, []);
            if (Name is not null)
            {
                await LoadReportAsync();
            }
        }
    }

    private async Task LoadReportAsync()
    {
        if (Name is not { } name)
        {
            return;
        }

        Busy = true;
        try
        {
            Report = await Monitors.ReportAsync(name, null, null, CancellationToken.None);
            Alerts = await Monitors.AlertStatesAsync(name, CancellationToken.None);
            Problem = null;
        }
        catch (KeyNotFoundException e)
        {
            (Report, Problem) = (null, e.Message);
        }
        catch (InvalidOperationException e)
        {
            (Report, Problem) = (null, e.Message);
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task EvaluateAsync()
    {
        if (Name is not { } name)
        {
            return;
        }

        Busy = true;
        try
        {
            Evaluation = await Monitors.EvaluateAsync(name, CheckSelection.All, null, CancellationToken.None);
        }
        catch (KeyNotFoundException e)
        {
            Problem = e.Message;
        }
        catch (InvalidOperationException e)
        {
            Problem = e.Message;
        }
        finally
        {
            Busy = false;
        }

        States = await Monitors.AlertStatesAsync(null, CancellationToken.None);
        await LoadReportAsync();
    }

    private async Task ReplayAsync()
    {
        Busy = true;
        Replay = "Replaying... registering, deploying and scoring two weeks of traffic takes a few seconds.";
        StateHasChanged();
        try
        {
            var result = await DemoTraffic.ReplayAsync(new DemoTrafficOptions(), CancellationToken.None);
            Replay = result.Message;
            if (result.Replayed)
            {
                // Already on its dashboard: reload it; otherwise the route change loads it.
                _shown = null;
                if (Name == DemoTraffic.Monitor)
                {
                    await OnParametersSetAsync();
                }
                else
                {
                    Navigation.NavigateTo($"/monitoring/{DemoTraffic.Monitor}");
                }
            }
        }
        finally
        {
            Busy = false;
        }
    }

    private (string Label, Color Color) StateOf(string monitor)
    {
        var states = States.Where(s => s.Monitor == monitor).ToArray();
        var alerting = states.Count(s => s.Alerting);
        return states.Length == 0 ? ("not evaluated", Color.Default) : alerting > 0 ? ($"{alerting} alerting", Color.Error) : ("ok", Color.Success);
    }

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
