using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Notifications;
using Microsoft.Extensions.Logging;

namespace Matih.Plugins.Notifiers;

/// <summary>
/// Channel <c>webhook</c>: POSTs the notification as JSON to the URL configured for the target
/// (<c>webhook:ops</c> uses <c>settings.webhook.targets.ops</c>).
/// </summary>
/// <remarks>
/// The body: <c>{"title", "text", "severity": "info|warning|critical", "link", "fields": {name: value}, "target", "sent_at"}</c>.
/// </remarks>
internal sealed class WebhookNotifier(TargetUrls targets, HttpDelivery delivery, TimeProvider clock, ILogger log) : INotifier
{
    /// <inheritdoc />
    public string Channel => "webhook";

    /// <inheritdoc />
    public async Task<DeliveryResult> SendAsync(Notification notification, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (!targets.TryGet(target, out var url, out var error))
        {
            return new DeliveryResult(false, error);
        }

        var started = Stopwatch.StartNew();
        var body = JsonSerializer.SerializeToUtf8Bytes(Payload(notification, target, clock.GetUtcNow()));
        var result = await delivery.PostJsonAsync(url, body, $"The webhook '{target}'", cancellationToken).ConfigureAwait(false);
        if (result.Delivered)
        {
            log.LogInformation("Delivered '{Title}' to webhook:{Target} in {Milliseconds} ms", notification.Title, target, started.ElapsedMilliseconds);
        }

        return result;
    }

    /// <summary>The JSON body for <paramref name="notification"/>.</summary>
    public static JsonObject Payload(Notification notification, string target, DateTimeOffset sentAt)
    {
        var fields = new JsonObject();
        foreach (var (name, value) in notification.Fields)
        {
            fields[name] = value;
        }

        return new JsonObject
        {
            ["title"] = notification.Title,
            ["text"] = notification.Text,
            ["severity"] = SlackMessage.SeverityName(notification.Severity),
            ["link"] = notification.Link?.AbsoluteUri,
            ["fields"] = fields,
            ["target"] = target,
            ["sent_at"] = sentAt.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
