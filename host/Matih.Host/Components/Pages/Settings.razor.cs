using System.Reflection;
using Matih.Core.Hosting;
using Matih.Core.Plugins;
using Matih.Core.Warehouse;
using Matih.Host.Auth;
using Matih.Host.Startup;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Matih.Host.Components.Pages;

/// <summary>The Settings page: where this host keeps its data, which plugins.json it read, and the signed-in user's role.</summary>
public partial class Settings
{
    [Inject]
    private MatihOptions Options { get; set; } = default!;

    [Inject]
    private DuckDbWarehouse Warehouse { get; set; } = default!;

    [Inject]
    private InstalledPlugins Installed { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private string UserName { get; set; } = "";

    private string RoleName { get; set; } = "";

    private string PluginsFile => MatihServices.ResolvePluginsFile(Options);

    // A server connection string may hold a password: name the store, never print the string.
    private string MetadataStore => ServerMode.Describe(Options);

    private static string Version =>
        typeof(Settings).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    private string RoleAllows => RoleName switch
    {
        Roles.Admin => "Everything analysts may, plus users, the audit log, the script console and the job dashboard.",
        Roles.Analyst => "Everything viewers may, plus SQL that changes the warehouse.",
        Roles.Viewer => "Reading: browse the workbench and run read-only SQL.",
        _ => "Nothing yet.",
    };

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        var user = (await AuthenticationState).User;
        UserName = user.Identity?.Name ?? "unknown";
        RoleName = user.FindFirst(TokenIssuer.RoleClaim)?.Value ?? "none";
    }
}
