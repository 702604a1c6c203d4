namespace Matih.Sdk.Plugins;

/// <summary>Facts about the SDK a plugin was compiled against.</summary>
public static class SdkInfo
{
    /// <summary>
    /// The SDK major version. Within a major only additive changes are made; a host refuses plugins
    /// built for another major. Because this is a constant, it is baked into each plugin at compile time.
    /// </summary>
    public const int Major = 1;
}
