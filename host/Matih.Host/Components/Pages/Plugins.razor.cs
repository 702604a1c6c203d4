using Matih.Core.Hosting;
using Matih.Core.Plugins;
using Matih.Host.Startup;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>The Plugins page: every plugin from plugins.json with its state, and the reason when it is faulted.</summary>
public partial class Plugins
{
    [Inject]
    private InstalledPlugins Installed { get; set; } = default!;

    [Inject]
    private MatihOptions Options { get; set; } = default!;

    private string PluginsFile => MatihServices.ResolvePluginsFile(Options);

    private static bool HasNothingToExpand(PluginStatus plugin) =>
        plugin.Contributions.Count == 0 && plugin.Path is null && plugin.Description is null;

    private static string RowClass(PluginStatus plugin, int index) => $"plugin-row plugin-{StateName(plugin.State)}";

    /// <summary>The state as the API writes it: <c>loaded</c>, <c>faulted</c>, <c>disabled</c>.</summary>
    private static string StateName(PluginState state) => state.ToString().ToLowerInvariant();

    private static Color StateColor(PluginState state) => state switch
    {
        PluginState.Loaded => Color.Success,
        PluginState.Faulted => Color.Error,
        _ => Color.Default,
    };
}
