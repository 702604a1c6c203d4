using Matih.Plugins.Notifiers.Tests.Support;
using Matih.Sdk.Notifications;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Plugins.Notifiers.Tests;

public sealed class NotifiersPluginTests
{
    [Fact]
    public void Manifest_describes_the_notifiers_plugin()
    {
        var manifest = new NotifiersPlugin().Manifest;

        Assert.Equal("notifiers", manifest.Id);
        Assert.Equal(PluginKind.Notifier, manifest.Kind);
        Assert.Equal(SdkInfo.Major, manifest.SdkMajor);
    }

    [Fact]
    public void Register_adds_the_slack_webhook_and_email_notifiers_even_without_settings()
    {
        var notifiers = Settings.Notifiers("{}");

        Assert.Equal(["email", "slack", "webhook"], notifiers.Keys.Order());
    }

    [Fact]
    public void Settings_are_read_with_their_defaults()
    {
        var settings = NotifierSettings.FromConfiguration(Settings.FromJson("""
            {
              "slack": { "webhooks": { "#data-alerts": "${SLACK_DATA_ALERTS_URL}", "#data-pipelines": "https://hooks.slack.com/services/T0/B0/x" } },
              "webhook": { "targets": { "ops": "http://127.0.0.1:9/hook" } },
              "email": { "host": "smtp.novamart.com", "from": "Matih <matih@novamart.com>", "username": "matih", "password": "${SMTP_PASSWORD}" },
              "max_attempts": 2
            }
            """));

        Assert.Equal(["#data-alerts", "#data-pipelines"], settings.SlackWebhooks.Keys.Order());
        Assert.Equal("${SLACK_DATA_ALERTS_URL}", settings.SlackWebhooks["#DATA-ALERTS"]);
        Assert.Equal(["ops"], settings.WebhookTargets.Keys);
        Assert.Equal(("smtp.novamart.com", 25, false, "matih"), (settings.Email!.Host, settings.Email.Port, settings.Email.EnableSsl, settings.Email.Username));
        Assert.Equal((2, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(500)), (settings.MaxAttempts, settings.Timeout, settings.RetryDelay));
        Assert.DoesNotContain("SMTP_PASSWORD", settings.Email.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "slak": {} }""", "slak")]
    [InlineData("""{ "slack": "https://hooks.slack.com/x" }""", "slack")]
    [InlineData("""{ "slack": { "hooks": {} } }""", "slack:hooks")]
    [InlineData("""{ "slack": { "webhooks": { "#data-alerts": "" } } }""", "slack:webhooks:#data-alerts")]
    [InlineData("""{ "webhook": { "targets": { "ops": "not a url" } } }""", "webhook:targets:ops")]
    [InlineData("""{ "email": { "port": 25, "from": "a@b.c" } }""", "email:host")]
    [InlineData("""{ "email": { "host": "smtp", "from": "nobody" } }""", "email:from")]
    [InlineData("""{ "email": { "host": "smtp", "from": "a@b.c", "port": 0 } }""", "email:port")]
    [InlineData("""{ "email": { "host": "smtp", "from": "a@b.c", "enable_ssl": "maybe" } }""", "email:enable_ssl")]
    [InlineData("""{ "email": { "host": "smtp", "from": "a@b.c", "username": "matih" } }""", "email:password")]
    [InlineData("""{ "max_attempts": 0 }""", "max_attempts")]
    [InlineData("""{ "timeout_seconds": "soon" }""", "timeout_seconds")]
    public void Wrong_settings_fault_the_plugin_naming_the_setting(string json, string setting)
    {
        var error = Assert.Throws<PluginSettingsException>(() => new NotifiersPlugin().Register(new ServiceCollection(), Settings.FromJson(json)));

        Assert.Equal(setting, error.Setting);
        Assert.StartsWith($"settings.{setting}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_webhook_url_is_refused_without_showing_it()
    {
        var error = Assert.Throws<PluginSettingsException>(() => NotifierSettings.FromConfiguration(Settings.FromJson(
            """{ "slack": { "webhooks": { "#data-alerts": "ftp://hooks.example.com/T0/B0/secret-token" } } }""")));

        Assert.DoesNotContain("secret-token", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not an absolute http(s) URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registered_notifiers_are_singletons_of_the_sdk_contract()
    {
        var services = new ServiceCollection();
        new NotifiersPlugin().Register(services, Settings.FromJson("{}"));

        Assert.All(services.Where(s => s.ServiceType == typeof(INotifier)), s => Assert.Equal(ServiceLifetime.Singleton, s.Lifetime));
        Assert.Equal(3, services.Count(s => s.ServiceType == typeof(INotifier)));
    }
}
