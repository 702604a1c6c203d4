using Matih.Core.Monitoring;
using Microsoft.Extensions.Time.Testing;

namespace Matih.Core.Tests.Monitoring;

public sealed class AlertTrackerTests
{
    private static readonly TimeSpan s_reminder = TimeSpan.FromHours(24);

    [Fact]
    public void An_alert_is_sent_once_when_it_starts_then_only_as_a_reminder_and_once_when_it_clears()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 12, 22, 0, 0, 0, TimeSpan.Zero));
        AlertState? state = null;
        var actions = new List<AlertAction>();
        // Hourly evaluations: ok for 2 h, alerting for 30 h, ok again.
        var verdicts = Enumerable.Repeat(false, 2).Concat(Enumerable.Repeat(true, 30)).Concat(Enumerable.Repeat(false, 3));
        foreach (var alerting in verdicts)
        {
            (var action, state) = AlertTracker.Decide(state, alerting, clock.GetUtcNow(), s_reminder);
            actions.Add(action);
            clock.Advance(TimeSpan.FromHours(1));
        }

        Assert.Equal([AlertAction.Raised, AlertAction.Reminder, AlertAction.Resolved], actions.Where(a => a != AlertAction.None));
        Assert.Equal(2, actions.IndexOf(AlertAction.Raised));
        Assert.Equal(2 + 24, actions.IndexOf(AlertAction.Reminder));
    }

    [Fact]
    public void Evaluations_without_data_change_nothing()
    {
        var now = DateTimeOffset.UnixEpoch;
        var (_, alerting) = AlertTracker.Decide(null, true, now, s_reminder);

        var (action, state) = AlertTracker.Decide(alerting, null, now.AddHours(30), s_reminder);

        Assert.Equal(AlertAction.None, action);
        Assert.Same(alerting, state);
    }

    [Fact]
    public void A_check_that_was_never_alerting_does_not_announce_it_is_fine()
    {
        var (action, state) = AlertTracker.Decide(null, false, DateTimeOffset.UnixEpoch, s_reminder);

        Assert.Equal(AlertAction.None, action);
        Assert.False(state!.Alerting);
    }
}
