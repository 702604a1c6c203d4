using Matih.Core.Notifications;
using Matih.Core.Plugins;
using Matih.Plugins.Notifiers.Tests.Support;
using Matih.Sdk.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Plugins.Notifiers.Tests.Routing;

/// <summary>The plugin loaded from its build folder the way the host loads it, and the host's routing over it.</summary>
public sealed class HostRoutingTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-notifiers-").FullName;
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_pipeline_alert_to_slack_data_alerts_reaches_the_webhook_configured_in_plugins_json()
    {
        var notifications = LoadFromPluginsJson($$"""
            { "plugins": [ { "id": "notifiers", "path": "{{PluginFolder}}", "enabled": true, "settings": {
                "slack": { "webhooks": { "#data-alerts": "{{_receiver.Url("slack/alerts")}}", "#data-pipelines": "{{_receiver.Url("slack/pipelines")}}" } },
                "webhook": { "targets": { "ops": "{{_receiver.Url("ops")}}" } } } } ] }
            """, out var installed);

        var alert = await notifications.SendAsync("slack", "#data-alerts", Settings.Sample(), default);
        var report = await notifications.SendAsync("slack:#data-pipelines", Settings.Sample(Severity.Info), default);
        var ops = await notifications.SendAsync("webhook:ops", Settings.Sample(), default);

        Assert.Equal(PluginState.Loaded, Assert.Single(installed.Statuses).State);
        Assert.Equal(["email", "slack", "webhook"], notifications.Channels);
        Assert.True(alert.Delivered && report.Delivered && ops.Delivered, $"{alert.Error} {report.Error} {ops.Error}");
        Assert.Equal("[CRITICAL] Daily Churn Feature Refresh failed", Assert.Single(_receiver.To("slack/alerts")).Json.GetProperty("text").GetString());
        Assert.Equal("Daily Churn Feature Refresh failed", Assert.Single(_receiver.To("slack/pipelines")).Json.GetProperty("text").GetString());
        Assert.Equal("critical", Assert.Single(_receiver.To("ops")).Json.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task A_monitors_channel_list_gets_one_result_per_channel_in_order()
    {
        var notifications = LoadFromPluginsJson($$"""
            { "plugins": [ { "id": "notifiers", "path": "{{PluginFolder}}", "settings": {
                "slack": { "webhooks": { "#ml-alerts": "{{_receiver.Url("slack/ml")}}" } } } } ] }
            """, out _);

        var results = await notifications.SendAsync(["slack:#ml-alerts", "email:priya@novamart.com", "teams:#ml"], Settings.Sample(Severity.Warning), default);

        Assert.Equal(["slack:#ml-alerts", "email:priya@novamart.com", "teams:#ml"], results.Select(r => r.Reference));
        Assert.True(results[0].Result.Delivered, results[0].Result.Error);
        Assert.Equal("Email is not configured: add settings.email (host, port, from) to the notifiers plugin in plugins.json.", results[1].Result.Error);
        Assert.Equal("No notifier handles channel 'teams'; installed: email, slack, webhook.", results[2].Result.Error);
    }

    [Fact]
    public void Wrong_settings_in_plugins_json_fault_the_plugin_naming_the_setting_and_leave_no_notifier()
    {
        var notifications = LoadFromPluginsJson($$"""
            { "plugins": [ { "id": "notifiers", "path": "{{PluginFolder}}", "settings": { "email": { "host": "smtp", "from": "a@b.c", "port": 70000 } } } ] }
            """, out var installed);

        var status = Assert.Single(installed.Statuses);
        Assert.Equal(PluginState.Faulted, status.State);
        Assert.Contains("settings.email:port: must be a whole number from 1 to 65535 (got '70000').", status.Error, StringComparison.Ordinal);
        Assert.Empty(notifications.Channels);
    }

    private static string PluginFolder
    {
        get
        {
            // The plugin's own build output: its assembly and deps.json without a copy of the SDK, as the host ships it.
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Matih.sln")))
            {
                directory = directory.Parent;
            }

            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(directory!.FullName, "plugins", "Matih.Plugins.Notifiers", "bin", configuration, "net10.0");
        }
    }

    private Notifications LoadFromPluginsJson(string json, out InstalledPlugins installed)
    {
        var file = Path.Combine(_folder, "plugins.json");
        File.WriteAllText(file, json);
        var services = new ServiceCollection();
        installed = PluginLoading.LoadAll(PluginsFile.Read(file), _folder, services, NullLogger.Instance);
        services.AddSingleton<Notifications>();
        return services.BuildServiceProvider().GetRequiredService<Notifications>();
    }
}
