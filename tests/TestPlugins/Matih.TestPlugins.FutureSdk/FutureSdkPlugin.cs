using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.TestPlugins.FutureSdk;

public sealed class FutureSdkPlugin : IMatihPlugin
{
    public PluginManifest Manifest { get; } = new("future-sdk", "Future SDK", "1.0.0", PluginKind.Connector, "Built against Matih.Sdk 2.0.");

    public void Register(IServiceCollection services, IConfiguration settings)
    {
    }
}
