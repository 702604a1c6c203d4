using System.Security.Claims;
using Matih.Host.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Matih.Host.Components.Layout;

/// <summary>The workbench frame: app bar with the signed-in user, the navigation drawer, and the page.</summary>
public partial class MainLayout
{
    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    private bool DrawerOpen { get; set; } = true;

    /// <inheritdoc />
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Runs only once the circuit is live (never while prerendering): from here on clicks are handled.
        if (firstRender)
        {
            await JS.InvokeVoidAsync("matih.markInteractive");
        }
    }

    private void ToggleDrawer() => DrawerOpen = !DrawerOpen;

    private static string RoleOf(ClaimsPrincipal user) => user.FindFirst(TokenIssuer.RoleClaim)?.Value ?? "no role";
}
