using Matih.Sdk.Notifications;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json;

namespace Matih.TestPlugins.JsonOld;

public sealed class JsonOldPlugin : IMatihPlugin
{
    public PluginManifest Manifest { get; } = new("json-old", "Json old", "1.0.0", PluginKind.Notifier, "Uses Newtonsoft.Json 12.");

    public void Register(IServiceCollection services, IConfiguration settings) =>
        services.AddSingleton<INotifier, VersionNotifier>();
}

/// <summary>Reports, through its channel name, which Newtonsoft.Json this plugin sees.</summary>
public sealed class VersionNotifier : INotifier
{
    public string Channel => "json-old:" + typeof(JsonConvert).Assembly.GetName().Version + ":" + JsonConvert.SerializeObject(new { ok = true });

    public Task<DeliveryResult> SendAsync(Notification notification, string target, CancellationToken cancellationToken) =>
        Task.FromResult(new DeliveryResult(true));
}
