using Matih.Sdk.Notifications;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.TestPlugins.NeedsSettings;

/// <summary>Registers a notifier, then validates its settings: without a webhook it must leave nothing behind.</summary>
public sealed class NeedsSettingsPlugin : IMatihPlugin
{
    public PluginManifest Manifest { get; } = new("needs-settings", "Needs settings", "1.0.0", PluginKind.Notifier, "Requires settings.webhook.");

    public void Register(IServiceCollection services, IConfiguration settings)
    {
        services.AddSingleton<INotifier, HalfRegisteredNotifier>();
        var webhook = settings["webhook"];
        if (!Uri.TryCreate(webhook, UriKind.Absolute, out _))
        {
            throw new PluginSettingsException("webhook", $"expected an absolute URL, got '{webhook}'.");
        }
    }
}

public sealed class HalfRegisteredNotifier : INotifier
{
    public string Channel => "needs-settings";

    public Task<DeliveryResult> SendAsync(Notification notification, string target, CancellationToken cancellationToken) =>
        Task.FromResult(new DeliveryResult(true));
}
