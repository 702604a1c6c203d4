using Matih.Plugins.Notifiers.Tests.Support;
using Matih.Sdk.Notifications;

namespace Matih.Plugins.Notifiers.Tests;

public sealed class SlackNotifierTests : IAsyncLifetime
{
    // The path of a Slack webhook URL is its secret.
    private const string SecretPath = "services/T0001/B0002/s3cr3tT0k3n";

    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task A_notification_reaches_the_channels_webhook_with_title_text_fields_link_and_severity_colour()
    {
        var slack = Slack($$"""{ "slack": { "webhooks": { "#data-alerts": "{{_receiver.Url(SecretPath)}}" } } }""");

        var result = await slack.SendAsync(Settings.Sample(Severity.Critical), "#data-alerts", default);

        Assert.Equal(new DeliveryResult(true), result);
        var request = Assert.Single(_receiver.To(SecretPath));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var json = request.Json;
        Assert.Equal("[CRITICAL] Daily Churn Feature Refresh failed", json.GetProperty("text").GetString());
        var attachment = json.GetProperty("attachments")[0];
        Assert.Equal("#d32f2f", attachment.GetProperty("color").GetString());
        var blocks = attachment.GetProperty("blocks").EnumerateArray().ToArray();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("Daily Churn Feature Refresh failed", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Contains("2 of 7 expectations not met", blocks[1].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        var fields = blocks[2].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()!).ToList();
        Assert.Equal(["*pipeline*\nchurn-feature-refresh", "*failed task*\nquality_gate", "*duration*\n4.2 s"], fields);
        Assert.Equal("<http://matih.local/pipelines/churn-feature-refresh/runs/42|Open in Matih>", blocks[3].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("Severity: *critical*", blocks[4].GetProperty("elements")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData(Severity.Info, "#2e7d32", "Daily Churn Feature Refresh failed")]
    [InlineData(Severity.Warning, "#f9a825", "[WARNING] Daily Churn Feature Refresh failed")]
    public async Task The_colour_and_summary_follow_the_severity(Severity severity, string colour, string text)
    {
        var slack = Slack($$"""{ "slack": { "webhooks": { "#data-pipelines": "{{_receiver.Url(SecretPath)}}" } } }""");

        await slack.SendAsync(Settings.Sample(severity), "#data-pipelines", default);

        var json = Assert.Single(_receiver.Requests).Json;
        Assert.Equal(colour, json.GetProperty("attachments")[0].GetProperty("color").GetString());
        Assert.Equal(text, json.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Text_that_slack_would_read_as_markup_is_escaped()
    {
        var slack = Slack($$"""{ "slack": { "webhooks": { "#a": "{{_receiver.Url(SecretPath)}}" } } }""");

        await slack.SendAsync(new Notification("a < b", "x <!channel> & y", Severity.Info, null), "#a", default);

        var text = Assert.Single(_receiver.Requests).Json.GetProperty("attachments")[0].GetProperty("blocks")[1].GetProperty("text").GetProperty("text").GetString();
        Assert.Equal("x &lt;!channel&gt; &amp; y", text);
    }

    [Fact]
    public async Task The_webhook_url_can_come_from_an_environment_variable_and_the_hash_is_optional()
    {
        var variable = $"MATIH_TEST_SLACK_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, _receiver.Url(SecretPath));
        try
        {
            var slack = Slack($$"""{ "slack": { "webhooks": { "#data-alerts": "${{{variable}}}" } } }""");

            var result = await slack.SendAsync(Settings.Sample(), "data-alerts", default);

            Assert.True(result.Delivered, result.Error);
            Assert.Single(_receiver.To(SecretPath));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task The_webhook_url_can_come_from_the_hosts_secrets_setting()
    {
        var notifiers = Settings.Notifiers("""{ "slack": { "webhooks": { "#data-alerts": "${SLACK_FROM_SECRETS}" } } }""",
            new Dictionary<string, string?> { ["Secrets:SLACK_FROM_SECRETS"] = _receiver.Url(SecretPath) });

        var result = await notifiers["slack"].SendAsync(Settings.Sample(), "#data-alerts", default);

        Assert.True(result.Delivered, result.Error);
    }

    [Fact]
    public async Task An_unset_variable_fails_the_delivery_naming_the_variable()
    {
        var slack = Slack("""{ "slack": { "webhooks": { "#data-alerts": "${MATIH_TEST_NEVER_SET_SLACK_URL}" } } }""");

        var result = await slack.SendAsync(Settings.Sample(), "#data-alerts", default);

        Assert.False(result.Delivered);
        Assert.Equal("settings.slack.webhooks.#data-alerts refers to ${MATIH_TEST_NEVER_SET_SLACK_URL}, which is not set: set the environment variable MATIH_TEST_NEVER_SET_SLACK_URL or the host setting Secrets:MATIH_TEST_NEVER_SET_SLACK_URL.", result.Error);
    }

    [Fact]
    public async Task An_unknown_channel_fails_listing_the_configured_channels_without_their_urls()
    {
        var slack = Slack($$"""{ "slack": { "webhooks": { "#data-alerts": "{{_receiver.Url(SecretPath)}}", "#ml-alerts": "{{_receiver.Url(SecretPath)}}" } } }""");

        var result = await slack.SendAsync(Settings.Sample(), "#random", default);

        Assert.False(result.Delivered);
        Assert.Equal("No Slack channel target '#random' (configured: #data-alerts, #ml-alerts). Add it under settings.slack.webhooks of the notifiers plugin in plugins.json.", result.Error);
        Assert.Empty(_receiver.Requests);
    }

    [Fact]
    public async Task A_server_error_is_retried_and_then_reported_without_the_url()
    {
        _receiver.Answer(SecretPath, _ => (500, $"internal error while handling /{SecretPath}", TimeSpan.Zero));
        var slack = Slack($$"""{ "slack": { "webhooks": { "#data-alerts": "{{_receiver.Url(SecretPath)}}" } }, "max_attempts": 3, "retry_delay_ms": 10 }""");

        var result = await slack.SendAsync(Settings.Sample(), "#data-alerts", default);

        Assert.False(result.Delivered);
        Assert.Equal(3, _receiver.To(SecretPath).Count);
        Assert.Equal("The Slack webhook for '#data-alerts' did not accept the notification: HTTP 500 Internal Server Error: internal error while handling [redacted] (gave up after 3 attempts).", result.Error);
        Assert.DoesNotContain("s3cr3t", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(_receiver.BaseAddress.Authority, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_error_that_clears_up_is_delivered_on_a_later_attempt()
    {
        _receiver.Answer(SecretPath, n => n < 3 ? (503, "busy", TimeSpan.Zero) : (200, "ok", TimeSpan.Zero));
        var slack = Slack($$"""{ "slack": { "webhooks": { "#data-alerts": "{{_receiver.Url(SecretPath)}}" } }, "retry_delay_ms": 10 }""");

        var result = await slack.SendAsync(Settings.Sample(), "#data-alerts", default);

        Assert.True(result.Delivered, result.Error);
        Assert.Equal(3, _receiver.To(SecretPath).Count);
    }

    [Fact]
    public async Task A_refusal_is_not_retried_and_says_what_slack_answered()
    {
        _receiver.Answer(SecretPath, _ => (404, "no_service", TimeSpan.Zero));
        var slack = Slack($$"""{ "slack": { "webhooks": { "#data-alerts": "{{_receiver.Url(SecretPath)}}" } }, "retry_delay_ms": 10 }""");

        var result = await slack.SendAsync(Settings.Sample(), "#data-alerts", default);

        Assert.Single(_receiver.To(SecretPath));
        Assert.Equal("The Slack webhook for '#data-alerts' did not accept the notification: HTTP 404 Not Found: no_service.", result.Error);
    }

    [Fact]
    public async Task A_webhook_that_does_not_answer_in_time_is_retried_then_reported_as_a_timeout()
    {
        _receiver.Answer(SecretPath, _ => (200, "ok", TimeSpan.FromSeconds(5)));
        var slack = Slack($$"""{ "slack": { "webhooks": { "#data-alerts": "{{_receiver.Url(SecretPath)}}" } }, "timeout_seconds": 1, "max_attempts": 2, "retry_delay_ms": 10 }""");

        var result = await slack.SendAsync(Settings.Sample(), "#data-alerts", default);

        Assert.Equal("The Slack webhook for '#data-alerts' did not accept the notification: no answer within 1 s (gave up after 2 attempts).", result.Error);
    }

    [Fact]
    public async Task A_webhook_host_that_refuses_connections_is_reported_without_its_address()
    {
        var closed = new Uri(_receiver.BaseAddress, SecretPath).ToString();
        await _receiver.DisposeAsync();
        _receiver = await WebhookReceiver.StartAsync();
        var slack = Slack($$"""{ "slack": { "webhooks": { "#data-alerts": "{{closed}}" } }, "max_attempts": 2, "retry_delay_ms": 10 }""");

        var result = await slack.SendAsync(Settings.Sample(), "#data-alerts", default);

        Assert.Equal("The Slack webhook for '#data-alerts' did not accept the notification: could not connect to the webhook's host (gave up after 2 attempts).", result.Error);
    }

    private static INotifier Slack(string json) => Settings.Notifiers(json)["slack"];
}
