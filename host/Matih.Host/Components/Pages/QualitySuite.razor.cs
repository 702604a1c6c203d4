using Matih.Core.Quality;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>One suite: its run history (newest first), its document, and Validate now.</summary>
public partial class QualitySuite
{
    [Inject]
    private QualitySuites Suites { get; set; } = default!;

    [Inject]
    private QualityValidations Validations { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The suite name from the route.</summary>
    [Parameter]
    public string Name { get; set; } = "";

    private StoredSuite? Stored { get; set; }

    private bool NotFound { get; set; }

    private IReadOnlyList<ValidationRun> History { get; set; } = [];

    private bool Running { get; set; }

    private string? Error { get; set; }

    private List<BreadcrumbItem> Crumbs => [new("Quality", "/quality"), new(Name, null, disabled: true)];

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        Stored = await Suites.FindAsync(Name, CancellationToken.None);
        NotFound = Stored is null;
        History = NotFound ? [] : await Validations.HistoryAsync(Name, 100, CancellationToken.None);
    }

    private async Task ValidateAsync()
    {
        Running = true;
        try
        {
            var user = Auth.Roles.Caller((await AuthenticationState).User).UserName;
            var run = await Validations.ValidateAsync(Name, null, user, CancellationToken.None);
            Navigation.NavigateTo($"/quality/results/{run.Id}");
        }
        catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException)
        {
            Error = ex.Message;
        }
        finally
        {
            Running = false;
        }
    }
}
