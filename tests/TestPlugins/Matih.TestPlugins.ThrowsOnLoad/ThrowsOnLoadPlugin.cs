using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.TestPlugins.ThrowsOnLoad;

public sealed class ThrowsOnLoadPlugin : IMatihPlugin
{
    public ThrowsOnLoadPlugin() => throw new InvalidOperationException("the license file is missing");

    public PluginManifest Manifest => new("throws-on-load", "Throws on load", "1.0.0", PluginKind.Connector, "Fails in its constructor.");

    public void Register(IServiceCollection services, IConfiguration settings)
    {
    }
}
