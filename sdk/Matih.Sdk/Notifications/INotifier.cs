namespace Matih.Sdk.Notifications;

/// <summary>
/// Delivers alerts and run reports to one kind of channel. A channel reference like <c>slack:#data-alerts</c> is
/// routed to the notifier whose <see cref="Channel"/> is <c>slack</c> with target <c>#data-alerts</c>.
/// </summary>
public interface INotifier
{
    /// <summary>The channel prefix (<c>slack</c>, <c>webhook</c>, <c>email</c>).</summary>
    string Channel { get; }

    /// <summary>Delivers <paramref name="notification"/> to <paramref name="target"/>. A delivery failure is a result.</summary>
    Task<DeliveryResult> SendAsync(Notification notification, string target, CancellationToken cancellationToken);
}

/// <summary>How urgent a notification is.</summary>
public enum Severity
{
    /// <summary>For the record (a run succeeded).</summary>
    Info,
    /// <summary>Worth a look.</summary>
    Warning,
    /// <summary>Act now.</summary>
    Critical,
}

/// <summary>A message to deliver.</summary>
/// <param name="Title">One line.</param>
/// <param name="Text">What happened, what failed and why, in words.</param>
/// <param name="Severity">How urgent it is.</param>
/// <param name="Link">Where to see more (a run page, a report), or null.</param>
public sealed record Notification(string Title, string Text, Severity Severity, Uri? Link)
{
    /// <summary>Facts shown as a list (feature, value, threshold, window).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
}

/// <summary>Whether a delivery worked.</summary>
/// <param name="Delivered">True when the channel accepted it.</param>
/// <param name="Error">Why not, in words.</param>
public sealed record DeliveryResult(bool Delivered, string? Error = null);
