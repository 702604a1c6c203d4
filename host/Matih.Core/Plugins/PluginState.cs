namespace Matih.Core.Plugins;

/// <summary>Where a plugin stands after start-up.</summary>
public enum PluginState
{
    /// <summary>Loaded and registered; its services are in use.</summary>
    Loaded,
    /// <summary>Could not be loaded or registered; see the error. The host runs without it.</summary>
    Faulted,
    /// <summary>Listed in plugins.json with <c>"enabled": false</c>.</summary>
    Disabled,
}

/// <summary>A plugin as the Plugins page and <c>GET /api/plugins</c> show it.</summary>
/// <param name="Id">Id from plugins.json (or the manifest).</param>
/// <param name="Name">Display name, when the manifest could be read.</param>
/// <param name="Kind">Main kind, when known (<c>connector</c>, <c>trainer</c>, ...).</param>
/// <param name="Version">The plugin's version, when known.</param>
/// <param name="SdkMajor">The SDK major it was built against, when known.</param>
/// <param name="State">Loaded, faulted or disabled.</param>
/// <param name="Error">Why it is faulted, in words, naming the plugins.json entry.</param>
/// <param name="Path">The folder or file it was loaded from.</param>
/// <param name="Contributions">What it registered, e.g. <c>connector source-faker</c>.</param>
public sealed record PluginStatus(
    string Id,
    string? Name,
    string? Kind,
    string? Version,
    int? SdkMajor,
    PluginState State,
    string? Error,
    string? Path,
    IReadOnlyList<string> Contributions)
{
    /// <summary>One-line description from the manifest.</summary>
    public string? Description { get; init; }

    /// <summary>The settings the plugin declares (<see cref="Matih.Sdk.Plugins.PluginManifest.Settings"/>), when known.</summary>
    public IReadOnlyList<Matih.Sdk.Plugins.ParameterSpec> Settings { get; init; } = [];
}
