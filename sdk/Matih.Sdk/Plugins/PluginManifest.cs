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

    /// <summary>
    /// The settings the plugin accepts in its <c>settings</c> object of plugins.json (added in SDK 1.1; empty means
    /// "not declared"). The Plugins page builds its settings form from these, and the host checks a change against
    /// them (types, required, bounds, allowed values) before it runs a trial <see cref="IMatihPlugin.Register"/>.
    /// Mark URLs, passwords and tokens <see cref="ParameterSpec.Secret"/>: they are never shown or returned, and
    /// the host only accepts <c>${NAME}</c> references for them.
    /// </summary>
    /// <example>
    /// <code>
    /// Settings =
    /// [
    ///     new("max_attempts", ParameterType.Integer, "Attempts per delivery.") { Minimum = 1, Maximum = 10, Default = 3 },
    ///     new("email", ParameterType.Object, "The SMTP server.")
    ///     {
    ///         Properties = [new("password", ParameterType.String, "SMTP password.") { Secret = true }],
    ///     },
    /// ]
    /// </code>
    /// </example>
    public IReadOnlyList<ParameterSpec> Settings { get; init; } = [];
}
