using System.Diagnostics;
using System.Text.RegularExpressions;
using Matih.Sdk.Notifications;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Notifications;

/// <summary>
/// Sends notifications for pipelines, monitors and anything else that alerts: routes each one to the notifier
/// plugin that handles its channel (<c>slack</c>, <c>webhook</c>, <c>email</c>, ...) and returns the delivery
/// result. Delivery problems are results, never exceptions, so an alert that cannot be sent never fails the
/// work that raised it.
/// </summary>
public sealed partial class Notifications
{
    private readonly Dictionary<string, INotifier> _notifiers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _log;

    /// <summary>Creates the router over the notifiers plugins registered.</summary>
    /// <param name="notifiers">Every registered notifier; for a channel handled twice, the one registered last wins.</param>
    /// <param name="log">Where deliveries are logged (targets and titles only, never URLs or secrets).</param>
    public Notifications(IEnumerable<INotifier> notifiers, ILogger<Notifications>? log = null)
    {
        _log = (ILogger?)log ?? NullLogger.Instance;
        foreach (var notifier in notifiers)
        {
            _notifiers[notifier.Channel] = notifier;
        }

        Channels = _notifiers.Keys.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The channels a notifier is installed for, sorted.</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>Why <paramref name="channel"/> cannot be used, or null when a notifier handles it. For validating documents.</summary>
    public string? ChannelProblem(string channel) =>
        _notifiers.ContainsKey(channel)
            ? null
            : $"No notifier handles channel '{channel}'; installed: {(Channels.Count == 0 ? "none" : string.Join(", ", Channels))}.";

    /// <summary>Why <paramref name="reference"/> (<c>slack:#data-alerts</c>) cannot be used, or null when it can.</summary>
    public string? ReferenceProblem(string reference) =>
        ChannelReference.TryParse(reference, out var parsed, out var error) ? ChannelProblem(parsed.Channel) : error;

    /// <summary>Delivers <paramref name="notification"/> to <paramref name="target"/> on <paramref name="channel"/>.</summary>
    /// <returns>Delivered, or not with the reason in words (unknown channel, unknown target, the service's answer).</returns>
    public async Task<DeliveryResult> SendAsync(string channel, string target, Notification notification, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (!_notifiers.TryGetValue(channel, out var notifier))
        {
            var problem = ChannelProblem(channel)!;
            _log.LogWarning("Notification '{Title}' to {Channel}:{Target} was not sent: {Error}", notification.Title, channel, target, problem);
            return new DeliveryResult(false, problem);
        }

        var clock = Stopwatch.StartNew();
        DeliveryResult result;
        try
        {
            result = await notifier.SendAsync(notification, target, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A notifier should return failures; a plugin bug must still not fail the pipeline run that alerts.
            result = new DeliveryResult(false, $"The {channel} notifier failed: {WithoutUrls(e.Message)}");
            _log.LogError("The {Channel} notifier threw {Exception} for '{Title}' to {Target}", channel, e.GetType().Name, notification.Title, target);
        }

        if (result.Delivered)
        {
            _log.LogInformation("Notification '{Title}' ({Severity}) delivered to {Channel}:{Target} in {Milliseconds} ms",
                notification.Title, notification.Severity, channel, target, clock.ElapsedMilliseconds);
        }
        else
        {
            result = result with { Error = WithoutUrls(result.Error ?? "the notifier gave no reason") };
            _log.LogWarning("Notification '{Title}' ({Severity}) to {Channel}:{Target} was not delivered: {Error}",
                notification.Title, notification.Severity, channel, target, result.Error);
        }

        return result;
    }

    /// <summary>Delivers <paramref name="notification"/> to a channel reference such as <c>slack:#data-alerts</c>.</summary>
    public Task<DeliveryResult> SendAsync(string channelReference, Notification notification, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return ChannelReference.TryParse(channelReference, out var parsed, out var error)
            ? SendAsync(parsed.Channel, parsed.Target, notification, ct)
            : Task.FromResult(new DeliveryResult(false, error));
    }

    /// <summary>
    /// Delivers <paramref name="notification"/> to each reference (a monitor's <c>channels</c> list), all at once;
    /// returns each reference's result in the order given.
    /// </summary>
    public async Task<IReadOnlyList<(string Reference, DeliveryResult Result)>> SendAsync(IEnumerable<string> channelReferences, Notification notification, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channelReferences);
        var references = channelReferences.ToArray();
        var results = await Task.WhenAll(references.Select(r => SendAsync(r, notification, ct))).ConfigureAwait(false);
        return references.Zip(results).ToArray();
    }

    // Third-party notifiers may put a URL (and with it a webhook token) into their words; never pass one on.
    private static string WithoutUrls(string text) => Url().Replace(text, "[URL]");

    [GeneratedRegex(@"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")]
    private static partial Regex Url();
}
