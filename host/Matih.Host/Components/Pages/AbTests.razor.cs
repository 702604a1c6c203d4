using System.Globalization;
using System.Text.Json;
using Matih.Core.AbTests;
using Matih.Core.Deployments;
using Matih.Host.Api;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// ML Workbench > A/B Tests: the tests, a setup form, and a test's live assignment counts, sample-ratio check, results
/// table and guardrails, read from the same engine as <c>GET /api/abtests/{name}/results</c>; Promote is
/// <c>POST /api/abtests/{name}/promote</c>'s engine call.
/// </summary>
public partial class AbTests : IDisposable
{
    private const string Auto = "";

    private Timer? _refresh;
    private int _refreshing;
    private string? _shown;

    [Inject]
    private global::Matih.Core.AbTests.AbTests Tests { get; set; } = default!;

    [Inject]
    private ServingEngine Serving { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IDialogService Dialogs { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The test shown, from the route.</summary>
    [Parameter]
    public string? Name { get; set; }

    private static CultureInfo Invariant => CultureInfo.InvariantCulture;

    private IReadOnlyList<AbTestRecord>? List { get; set; }

    private AbTestResults? Results { get; set; }

    private AbTestDefinition? Definition { get; set; }

    private string? PromotedVariant { get; set; }

    private string? Problem { get; set; }

    private string Winner { get; set; } = Auto;

    private bool ShowForm { get; set; }

    private bool Busy { get; set; }

    /// <inheritdoc />
    public void Dispose() => _refresh?.Dispose();

    /// <inheritdoc />
    protected override void OnInitialized() =>
        _refresh = new Timer(_ => _ = InvokeAsync(RefreshAsync), null, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3));

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        List = await Tests.ListAsync(CancellationToken.None);
        if (Name != _shown)
        {
            _shown = Name;
            (Results, Definition, PromotedVariant, Problem, Winner) = (null, null, null, null, Auto);
            await LoadAsync();
        }
    }

    private async Task LoadAsync()
    {
        if (Name is not { } name)
        {
            return;
        }

        var record = await Tests.GetAsync(name, CancellationToken.None);
        if (record is null)
        {
            Problem = $"No A/B test is named '{name}'.";
            return;
        }

        Definition = AbTestDefinition.Parse(record.Document).Definition;
        Results = await Tests.ResultsAsync(name, CancellationToken.None);
        PromotedVariant = await PromotedAsync(name);
    }

    /// <summary>Live counts while the test runs; stops asking once it has ended.</summary>
    private async Task RefreshAsync()
    {
        if (Results is not { State: "running" } || Busy || Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        try
        {
            await LoadAsync();
            List = await Tests.ListAsync(CancellationToken.None);
            StateHasChanged();
        }
        finally
        {
            _refreshing = 0;
        }
    }

    private async Task StartedAsync(string name)
    {
        ShowForm = false;
        List = await Tests.ListAsync(CancellationToken.None);
        Navigation.NavigateTo($"/abtests/{Uri.EscapeDataString(name)}");
    }

    private async Task PromoteAsync()
    {
        if (Results is not { } results || Definition is not { } definition)
        {
            return;
        }

        var winner = Winner == Auto ? null : Winner;
        var whom = winner is null
            ? "the treatment if it is significantly better on the primary metric"
            : $"the {winner} ({definition.Variants.First(v => v.Name == winner).Model})";
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Promote the winner?",
            $"This sends 100% of {results.Deployment}'s traffic to {whom}, makes that version production and archives the other. The test ends.",
            yesText: "Promote", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        Busy = true;
        try
        {
            var by = Auth.Roles.Caller((await AuthenticationState).User).UserName;
            Results = await Tests.PromoteAsync(results.Name, winner, by, AbTestEndpoints.ServeOnly(Serving, by), CancellationToken.None);
            PromotedVariant = await PromotedAsync(results.Name);
            List = await Tests.ListAsync(CancellationToken.None);
            Problem = null;
        }
        catch (InvalidOperationException e)
        {
            Problem = $"Not promoted: {e.Message}";
        }
        catch (ArgumentException e)
        {
            Problem = $"Not promoted: {e.Message}";
        }
        finally
        {
            Busy = false;
        }
    }

    /// <summary>The variant the recorded decision promoted, or null.</summary>
    private async Task<string?> PromotedAsync(string name)
    {
        if (await Tests.GetAsync(name, CancellationToken.None) is not { Decision: { } decision })
        {
            return null;
        }

        using var document = JsonDocument.Parse(decision);
        return document.RootElement.TryGetProperty("winner", out var winner) ? winner.GetString() : null;
    }

    /// <summary>The share of traffic a variant gets now: its split while running, all or nothing once ended.</summary>
    private string TrafficNow(string variant) => Results?.State switch
    {
        "running" => Definition!.Variants.First(v => v.Name == variant).Percentage.ToString("0.##", Invariant) + "%",
        "promoted" => PromotedVariant == variant ? "100%" : "0%",
        _ => variant == "control" ? "100%" : "0%",
    };

    private static Color StateColor(string state) => state switch
    {
        "running" => Color.Info,
        "promoted" => Color.Success,
        "stopped" => Color.Error,
        _ => Color.Default,
    };

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
