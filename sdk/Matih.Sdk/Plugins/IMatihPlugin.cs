using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Sdk.Plugins;

/// <summary>
/// A plugin's single entry point: a public parameterless class that describes the plugin and registers its
/// services. The host creates it once, in the plugin's own load context, and calls <see cref="Register"/> once.
/// </summary>
/// <remarks>
/// Register contributions as the contract interfaces of this SDK, for example
/// <c>services.AddSingleton&lt;IConnector, MyConnector&gt;()</c>. Registration is all-or-nothing: if
/// <see cref="Register"/> throws, nothing the plugin registered is kept and the plugin is shown as faulted
/// with the exception's message, while the host keeps running with the other plugins.
/// </remarks>
public interface IMatihPlugin
{
    /// <summary>Who the plugin is.</summary>
    PluginManifest Manifest { get; }

    /// <summary>Registers the plugin's services.</summary>
    /// <param name="services">Where to register. Only this plugin's registrations are committed, and only if this returns.</param>
    /// <param name="settings">The plugin's <c>settings</c> object from plugins.json. Validate it here and throw
    /// <see cref="PluginSettingsException"/> naming the setting when it is wrong.</param>
    void Register(IServiceCollection services, IConfiguration settings);
}
