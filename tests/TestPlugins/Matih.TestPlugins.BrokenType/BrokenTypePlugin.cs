using Matih.Sdk.Plugins;
using Matih.TestPlugins.MissingDependency;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.TestPlugins.BrokenType;

public sealed class BrokenTypePlugin : IMatihPlugin
{
    public PluginManifest Manifest { get; } = new("broken-type", "Broken type", "1.0.0", PluginKind.Connector, "Has a type whose base is missing.");

    public void Register(IServiceCollection services, IConfiguration settings)
    {
    }
}

/// <summary>Its base class lives in an assembly that is not shipped, so loading the plugin's types fails.</summary>
public sealed class Orphan : Vanished
{
}
