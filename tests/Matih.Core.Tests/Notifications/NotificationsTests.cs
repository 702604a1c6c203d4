using Matih.Core.Notifications;
using Matih.Sdk.Notifications;

namespace Matih.Core.Tests.Notifications;

// Routing to the real notifier plugin (Slack, webhook, email) is tested in Matih.Plugins.Notifiers.Tests/Routing,
// where the plugin is loaded from plugins.json the way the host loads it.
public sealed class NotificationsTests
{
    private static readonly Notification s_alert = new("Daily Churn Feature Refresh failed", "quality_gate failed", Severity.Critical, null);

    [Theory]
    [InlineData("slack:#data-alerts", "slack", "#data-alerts")]
    [InlineData("email:priya@novamart.com", "email", "priya@novamart.com")]
    [InlineData("Slack: #ml-alerts ", "slack", "#ml-alerts")]
    [InlineData("webhook:https://example.com/x", "webhook", "https://example.com/x")]
    public void Channel_references_split_at_the_first_colon(string text, string channel, string target)
    {
        Assert.Equal(new ChannelReference(channel, target), ChannelReference.Parse(text));
    }

    [Theory]
    [InlineData("slack")]
    [InlineData(":#data-alerts")]
    [InlineData("slack:")]
    [InlineData("my slack:#x")]
    [InlineData("")]
    public void Text_that_is_not_channel_colon_target_is_refused_with_an_example(string text)
    {
        Assert.False(ChannelReference.TryParse(text, out _, out var error));
        Assert.Equal($"'{text}' is not a channel reference: write channel:target, e.g. slack:#data-alerts or email:priya@novamart.com.", error);
    }

    [Fact]
    public async Task With_no_notifier_installed_a_send_is_a_failed_result_saying_so()
    {
        var notifications = new Matih.Core.Notifications.Notifications([]);

        var result = await notifications.SendAsync("slack", "#data-alerts", s_alert, default);

        Assert.Equal(new DeliveryResult(false, "No notifier handles channel 'slack'; installed: none."), result);
    }

    [Fact]
    public async Task A_malformed_reference_is_a_failed_result_not_an_exception()
    {
        var notifications = new Matih.Core.Notifications.Notifications([]);

        var result = await notifications.SendAsync("slack#data-alerts", s_alert, default);

        Assert.False(result.Delivered);
        Assert.StartsWith("'slack#data-alerts' is not a channel reference", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notifier_that_throws_gives_a_failed_result_without_any_url_it_mentioned()
    {
        var notifications = new Matih.Core.Notifications.Notifications([new ThrowingNotifier()]);

        var result = await notifications.SendAsync("pager:oncall", s_alert, default);

        Assert.Equal(new DeliveryResult(false, "The pager notifier failed: POST [URL] failed"), result);
    }

    [Fact]
    public void Document_validation_can_ask_whether_a_reference_is_usable()
    {
        var notifications = new Matih.Core.Notifications.Notifications([new ThrowingNotifier()]);

        Assert.Null(notifications.ReferenceProblem("pager:oncall"));
        Assert.Equal("No notifier handles channel 'slack'; installed: pager.", notifications.ReferenceProblem("slack:#x"));
        Assert.Equal(["pager"], notifications.Channels);
    }

    // A third-party notifier with a bug: the router must turn its exception into a result.
    private sealed class ThrowingNotifier : INotifier
    {
        public string Channel => "pager";

        public Task<DeliveryResult> SendAsync(Notification notification, string target, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("POST https://pager.example.com/hook?key=secret failed");
    }
}
