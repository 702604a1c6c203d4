using Matih.Sdk.Notifications;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Plugins.Notifiers;

/// <summary>
/// Entry point of the notifiers plugin: registers the <c>slack</c>, <c>webhook</c> and <c>email</c> notifiers.
/// Settings: <c>slack.webhooks</c> (channel to URL), <c>webhook.targets</c> (name to URL), <c>email</c> (host, port,
/// from, username, password, enable_ssl), and <c>timeout_seconds</c>, <c>max_attempts</c>, <c>retry_delay_ms</c>.
/// See <see cref="NotifierSettings"/>.
/// </summary>
public sealed class NotifiersPlugin : IMatihPlugin
{
    /// <summary>The plugin id in plugins.json.</summary>
    public const string PluginId = "notifiers";

    /// <inheritdoc />
    public PluginManifest Manifest { get; } = new(
        PluginId,
        "Notifiers (Slack, webhook, email)",
        "1.0.0",
        PluginKind.Notifier,
        "Delivers alerts and run reports to Slack-compatible incoming webhooks, generic JSON webhooks and email (SMTP).")
    {
        // The same settings NotifierSettings.FromConfiguration reads; the Plugins page builds its form from these.
        Settings =
        [
            new("slack", ParameterType.Object, "Slack-compatible incoming webhooks.")
            {
                Properties =
                [
                    new("webhooks", ParameterType.Object, "Slack channel (#data-alerts) to its incoming-webhook URL.")
                    {
                        Values = new("channel", ParameterType.String, "The channel's incoming-webhook URL, as a ${NAME} reference.") { Secret = true },
                    },
                ],
            },
            new("webhook", ParameterType.Object, "Generic JSON webhooks.")
            {
                Properties =
                [
                    new("targets", ParameterType.Object, "Target name (ops) to the URL that receives the JSON.")
                    {
                        Values = new("target", ParameterType.String, "The target's URL, as a ${NAME} reference.") { Secret = true },
                    },
                ],
            },
            new("email", ParameterType.Object, "The SMTP server that sends email.")
            {
                Properties =
                [
                    new("host", ParameterType.String, "SMTP server host name (or a ${NAME} reference).") { Required = true },
                    new("port", ParameterType.Integer, "SMTP port.") { Minimum = 1, Maximum = 65_535, Default = 25 },
                    new("enable_ssl", ParameterType.Boolean, "Upgrade the connection with STARTTLS.") { Default = false },
                    new("from", ParameterType.String, "Sender address, e.g. \"Matih <matih@example.com>\".") { Required = true },
                    new("username", ParameterType.String, "User name for SMTP AUTH; give it with password, or neither."),
                    new("password", ParameterType.String, "Password for SMTP AUTH.") { Secret = true },
                ],
            },
            new("timeout_seconds", ParameterType.Integer, "How long one delivery attempt may take, in seconds.") { Minimum = 1, Maximum = 300, Default = 10 },
            new("max_attempts", ParameterType.Integer, "Attempts per delivery, including the first.") { Minimum = 1, Maximum = 10, Default = 3 },
            new("retry_delay_ms", ParameterType.Integer, "Wait before the second attempt, in milliseconds; doubles each time.") { Minimum = 0, Maximum = 60_000, Default = 500 },
        ],
    };

    /// <inheritdoc />
    public void Register(IServiceCollection services, IConfiguration settings)
    {
        var parsed = NotifierSettings.FromConfiguration(settings);
        services.AddSingleton(parsed);

        // One HttpClient for both webhook channels, created on first use and owned by the container.
        services.AddSingleton(_ => new NotifierHttp(HttpDelivery.CreateClient()));
        services.AddSingleton<INotifier>(sp => new SlackNotifier(
            new TargetUrls(parsed.SlackWebhooks, "slack:webhooks", "Slack channel", Secrets(sp)),
            new HttpDelivery(sp.GetRequiredService<NotifierHttp>().Client, parsed, Log(sp, "Slack")),
            Log(sp, "Slack")));
        services.AddSingleton<INotifier>(sp => new WebhookNotifier(
            new TargetUrls(parsed.WebhookTargets, "webhook:targets", "webhook", Secrets(sp)),
            new HttpDelivery(sp.GetRequiredService<NotifierHttp>().Client, parsed, Log(sp, "Webhook")),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            Log(sp, "Webhook")));
        services.AddSingleton<INotifier>(sp => new EmailNotifier(parsed, Secrets(sp), Log(sp, "Email")));
    }

    // The host's configuration, when there is one, lets ${NAME} come from Secrets:NAME as well as the environment.
    private static SecretText Secrets(IServiceProvider services) => new(services.GetService<IConfiguration>());

    private static ILogger Log(IServiceProvider services, string channel) =>
        services.GetService<ILoggerFactory>()?.CreateLogger($"Matih.Plugins.Notifiers.{channel}") ?? NullLogger.Instance;
}

/// <summary>The plugin's shared HTTP client, disposed with the container.</summary>
internal sealed class NotifierHttp(HttpClient client) : IDisposable
{
    public HttpClient Client { get; } = client;

    public void Dispose() => Client.Dispose();
}
