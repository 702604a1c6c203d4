namespace Matih.Sdk.Testing;

/// <summary>Whether the host would load a plugin: the loaded plugin, or the reason it would be faulted.</summary>
public sealed class PluginLoadAttempt
{
    private PluginLoadAttempt(LoadedPlugin? plugin, string? error, Exception? exception)
    {
        Plugin = plugin;
        Error = error;
        Exception = exception;
    }

    /// <summary>The plugin, when it loaded.</summary>
    public LoadedPlugin? Plugin { get; }

    /// <summary>True when it loaded.</summary>
    public bool Succeeded => Plugin is not null;

    /// <summary>
    /// Why the host would mark it faulted, worded as the host words it (<c>acme: registration failed:
    /// settings.timeout_seconds: ...</c>); the host prefixes the plugins.json entry (<c>plugins[3] (acme)</c>) instead
    /// of the label.
    /// </summary>
    public string? Error { get; }

    /// <summary>What Register threw, when registration failed (e.g. a <see cref="Plugins.PluginSettingsException"/>).</summary>
    public Exception? Exception { get; }

    internal static PluginLoadAttempt Loaded(LoadedPlugin plugin) => new(plugin, null, null);

    internal static PluginLoadAttempt Faulted(string error, Exception? exception = null) => new(null, error, exception);
}

/// <summary>The host would mark the plugin faulted; <see cref="Exception.Message"/> says why.</summary>
public sealed class PluginLoadException : Exception
{
    /// <summary>Creates the exception with the host's reason.</summary>
    public PluginLoadException(string message)
        : base(message)
    {
    }
}
