using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Sdk.Plugins;

namespace Matih.Core.Plugins;

/// <summary>
/// A plugin as an admin manages it: what is loaded now (from start-up) beside what plugins.json says now. When the
/// two differ the change waits for a restart (<see cref="PendingRestart"/>).
/// </summary>
/// <param name="Status">What was loaded at start-up (for an entry added since, a placeholder with state disabled).</param>
/// <param name="Enabled">Whether plugins.json enables it now.</param>
/// <param name="PendingRestart">plugins.json differs from what is loaded: added, enabled, disabled or settings changed since start.</param>
/// <param name="Settings">Its settings from plugins.json now, secrets masked.</param>
/// <param name="SecretsSet">Each declared secret setting by JSON path, and whether it has a value.</param>
/// <param name="InFile">Whether plugins.json still lists it.</param>
public sealed record PluginOverview(
    PluginStatus Status,
    bool Enabled,
    bool PendingRestart,
    JsonObject Settings,
    IReadOnlyDictionary<string, bool> SecretsSet,
    bool InFile)
{
    /// <summary>The plugin id.</summary>
    public string Id => Status.Id;

    /// <summary>The settings the plugin declares.</summary>
    public IReadOnlyList<ParameterSpec> DeclaredSettings => Status.Settings;
}

/// <summary>The outcome of a change to plugins.json. On success the change applies when the host restarts.</summary>
/// <param name="Plugin">The plugin after the change, when it succeeded.</param>
/// <param name="Problems">Why nothing was written, each at a JSON path (<c>settings.email.port</c>, <c>path</c>).</param>
/// <param name="NotFound">No plugin has the id asked for.</param>
public sealed record PluginChange(PluginOverview? Plugin, IReadOnlyList<DocumentProblem> Problems, bool NotFound = false)
{
    /// <summary>Whether plugins.json was changed.</summary>
    public bool Succeeded => Plugin is not null && Problems.Count == 0;

    /// <summary>Changes to plugins.json apply when the host restarts.</summary>
    public bool RestartRequired => Succeeded;
}
