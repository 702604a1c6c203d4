namespace Matih.Sdk.Plugins;

/// <summary>
/// Thrown by <see cref="IMatihPlugin.Register"/> when the plugin's settings are wrong. The host marks the plugin
/// faulted and shows "settings.<see cref="Setting"/>: message" so the user knows which entry to fix.
/// </summary>
public sealed class PluginSettingsException : Exception
{
    /// <summary>Creates the exception for one setting.</summary>
    /// <param name="setting">The setting's key within the plugin's settings, e.g. <c>scale</c> or <c>webhooks:slack</c>.</param>
    /// <param name="message">What is wrong and what is expected.</param>
    public PluginSettingsException(string setting, string message)
        : base($"settings.{setting}: {message}")
    {
        Setting = setting;
    }

    /// <summary>The setting at fault.</summary>
    public string Setting { get; }
}
