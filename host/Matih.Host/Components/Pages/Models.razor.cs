using System.Globalization;
using Matih.Core.Models;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// ML Workbench > Models: registered models, their versions with given and measured metrics, stage moves and each
/// version's lineage. Calls <see cref="ModelRegistry"/>, as <c>/api/models</c> does.
/// </summary>
public partial class Models : IDisposable
{
    [Inject]
    private ModelRegistry Registry { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private IReadOnlyList<RegisteredModelSummary>? ModelList { get; set; }

    private string? Selected { get; set; }

    private IReadOnlyList<ModelVersionView>? Versions { get; set; }

    private ModelVersionView? Shown { get; set; }

    private ModelLineage? Lineage { get; set; }

    private bool Busy { get; set; }

    private string? Message { get; set; }

    private Severity MessageSeverity { get; set; } = Severity.Info;

    /// <inheritdoc />
    public void Dispose() => Registry.Changed -= OnChanged;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        Registry.Changed += OnChanged;
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        ModelList = await Registry.ListAsync(CancellationToken.None);
        if (Selected is { } model)
        {
            Versions = await Registry.VersionsAsync(model, CancellationToken.None);
        }
    }

    private async Task SelectAsync(string model)
    {
        Selected = model;
        Lineage = null;
        Shown = null;
        Versions = await Registry.VersionsAsync(model, CancellationToken.None);
    }

    private async Task ShowLineageAsync(ModelVersionView version)
    {
        Shown = version;
        Lineage = await Registry.LineageAsync(version.ModelName, version.Version, CancellationToken.None);
    }

    private async Task MoveAsync(ModelVersionView version, string stage)
    {
        Busy = true;
        try
        {
            var user = Auth.Roles.Caller((await AuthenticationState).User).UserName;
            var change = await Registry.SetStageAsync(version.ModelName, version.Version, stage, archiveExisting: true, user, CancellationToken.None);
            (Message, MessageSeverity) = change switch
            {
                null => ($"{version.Reference} no longer exists.", Severity.Error),
                { Problem: { } problem } => (problem.Message, Severity.Error),
                { Conflict: { } conflict } => (conflict, Severity.Warning),
                { Archived.Count: > 0 } moved => ($"{version.Reference} is in {stage}; archived {string.Join(", ", moved.Archived)}.", Severity.Success),
                _ => ($"{version.Reference} is in {stage}.", Severity.Success),
            };
            await LoadAsync();
        }
        finally
        {
            Busy = false;
        }
    }

    private void OnChanged() => _ = InvokeAsync(async () =>
    {
        await LoadAsync();
        StateHasChanged();
    });

    private static Color StageColor(string stage) => stage switch
    {
        Names.Production => Color.Success,
        Names.Staging => Color.Info,
        Names.Archived => Color.Default,
        _ => Color.Dark,
    };

    private static string Figure(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
