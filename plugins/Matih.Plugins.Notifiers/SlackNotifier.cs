using System.Diagnostics;
using System.Text.Json;
using Matih.Sdk.Notifications;
using Microsoft.Extensions.Logging;

namespace Matih.Plugins.Notifiers;

/// <summary>
/// Channel <c>slack</c>: posts to the Slack incoming webhook configured for the target channel
/// (<c>slack:#data-alerts</c> uses <c>settings.slack.webhooks["#data-alerts"]</c>).
/// </summary>
internal sealed class SlackNotifier(TargetUrls webhooks, HttpDelivery delivery, ILogger log) : INotifier
{
    /// <inheritdoc />
    public string Channel => "slack";

    /// <inheritdoc />
    public async Task<DeliveryResult> SendAsync(Notification notification, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        // "#data-alerts" and "data-alerts" name the same channel.
        var name = webhooks.Names.FirstOrDefault(n => string.Equals(n.TrimStart('#'), target.TrimStart('#'), StringComparison.OrdinalIgnoreCase)) ?? target;
        if (!webhooks.TryGet(name, out var url, out var error))
        {
            return new DeliveryResult(false, error);
        }

        var clock = Stopwatch.StartNew();
        var body = JsonSerializer.SerializeToUtf8Bytes(SlackMessage.Build(notification));
        var result = await delivery.PostJsonAsync(url, body, $"The Slack webhook for '{name}'", cancellationToken).ConfigureAwait(false);
        if (result.Delivered)
        {
            log.LogInformation("Delivered '{Title}' to slack:{Target} in {Milliseconds} ms", notification.Title, name, clock.ElapsedMilliseconds);
        }

        return result;
    }
}
