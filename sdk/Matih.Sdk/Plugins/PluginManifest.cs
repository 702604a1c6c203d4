namespace Matih.Sdk.Plugins;

/// <summary>Who a plugin is. Shown on the Plugins page and by <c>GET /api/plugins</c>.</summary>
/// <param name="Id">Stable id, lower-case with dashes (<c>source-faker</c>); must match the plugin's entry in plugins.json.</param>
/// <param name="Name">Display name.</param>
/// <param name="Version">The plugin's own version (semantic versioning).</param>
/// <param name="Kind">The main kind of extension the plugin contributes.</param>
/// <param name="Description">One sentence for the Plugins page.</param>
public sealed record PluginManifest(string Id, string Name, string Version, PluginKind Kind, string Description)
{
    /// <summary>
    /// The SDK major the plugin was compiled against. Leave the default: it is <see cref="SdkInfo.Major"/>
    /// as it was when the plugin was built.
    /// </summary>
    public int SdkMajor { get; init; } = SdkInfo.Major;
}
