namespace Matih.Core.Monitoring;

/// <summary>What to tell people after a check was evaluated.</summary>
public enum AlertAction
{
    /// <summary>Nothing: no change, or still alerting within the reminder interval.</summary>
    None,
    /// <summary>The check started alerting.</summary>
    Raised,
    /// <summary>Still alerting and the reminder interval has passed since the last message.</summary>
    Reminder,
    /// <summary>The check is back within its threshold.</summary>
    Resolved,
}

/// <summary>The alert state kept per monitor, check and subject (a feature or a column).</summary>
/// <param name="Alerting">Whether the last evaluation crossed the threshold.</param>
/// <param name="Since">When the current state began.</param>
/// <param name="LastNotified">When people were last told about it, or null.</param>
public sealed record AlertState(bool Alerting, DateTimeOffset Since, DateTimeOffset? LastNotified);

/// <summary>
/// No alert storms: one message when a check starts alerting, a reminder only after the reminder interval while it
/// lasts, one message when it clears; evaluations in between are quiet. Checks without data change nothing.
/// </summary>
public static class AlertTracker
{
    /// <summary>Decides what to send for a new evaluation and the state to keep.</summary>
    /// <param name="previous">The state before, or null for a check never evaluated.</param>
    /// <param name="alerting">The new evaluation's verdict; null when there was no data to judge.</param>
    /// <param name="now">The evaluation time.</param>
    /// <param name="reminder">The reminder interval.</param>
    public static (AlertAction Action, AlertState? State) Decide(AlertState? previous, bool? alerting, DateTimeOffset now, TimeSpan reminder)
    {
        if (alerting is null)
        {
            return (AlertAction.None, previous);
        }

        if (previous is null || previous.Alerting != alerting)
        {
            if (alerting.Value)
            {
                return (AlertAction.Raised, new AlertState(true, now, now));
            }

            // Clearing a check that never alerted is not news.
            return previous is null ? (AlertAction.None, new AlertState(false, now, null)) : (AlertAction.Resolved, new AlertState(false, now, now));
        }

        if (alerting.Value && previous.LastNotified is { } last && now - last >= reminder)
        {
            return (AlertAction.Reminder, previous with { LastNotified = now });
        }

        return (AlertAction.None, previous);
    }
}
