using Matih.Host.Components.Layout;
using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Pages;

/// <summary>Describes a workbench page that is planned but not built, picked by the route it was opened at.</summary>
public partial class Planned
{
    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private WorkbenchArea? Area { get; set; }

    /// <inheritdoc />
    protected override void OnParametersSet() => Area = WorkbenchAreas.ForPath(Navigation.ToBaseRelativePath(Navigation.Uri));
}
