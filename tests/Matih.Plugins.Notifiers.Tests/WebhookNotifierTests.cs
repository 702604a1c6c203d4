using Matih.Plugins.Notifiers.Tests.Support;
using Matih.Sdk.Notifications;

namespace Matih.Plugins.Notifiers.Tests;

public sealed class WebhookNotifierTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task The_notification_is_posted_as_json_to_the_targets_url()
    {
        var webhook = Webhook($$"""{ "webhook": { "targets": { "ops": "{{_receiver.Url("hooks/ops?token=abc")}}" } } }""");

        var result = await webhook.SendAsync(Settings.Sample(Severity.Warning), "ops", default);

        Assert.True(result.Delivered, result.Error);
        var json = Assert.Single(_receiver.To("hooks/ops")).Json;
        Assert.Equal("Daily Churn Feature Refresh failed", json.GetProperty("title").GetString());
        Assert.StartsWith("Task quality_gate failed", json.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("warning", json.GetProperty("severity").GetString());
        Assert.Equal("http://matih.local/pipelines/churn-feature-refresh/runs/42", json.GetProperty("link").GetString());
        Assert.Equal("quality_gate", json.GetProperty("fields").GetProperty("failed task").GetString());
        Assert.Equal("ops", json.GetProperty("target").GetString());
        Assert.True(DateTimeOffset.UtcNow - json.GetProperty("sent_at").GetDateTimeOffset() < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_notification_without_link_or_fields_sends_null_and_an_empty_object()
    {
        var webhook = Webhook($$"""{ "webhook": { "targets": { "ops": "{{_receiver.Url("ops")}}" } } }""");

        await webhook.SendAsync(new Notification("Drift", "PSI 0.14 on avg_order_value", Severity.Info, null), "ops", default);

        var json = Assert.Single(_receiver.Requests).Json;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("link").ValueKind);
        Assert.Empty(json.GetProperty("fields").EnumerateObject());
    }

    [Fact]
    public async Task An_unknown_target_fails_naming_the_configured_ones()
    {
        var webhook = Webhook($$"""{ "webhook": { "targets": { "ops": "{{_receiver.Url("ops")}}" } } }""");

        var result = await webhook.SendAsync(Settings.Sample(), "sales", default);

        Assert.Equal(new DeliveryResult(false, "No webhook target 'sales' (configured: ops). Add it under settings.webhook.targets of the notifiers plugin in plugins.json."), result);
    }

    [Fact]
    public async Task With_no_targets_configured_the_result_says_so()
    {
        var result = await Webhook("{}").SendAsync(Settings.Sample(), "ops", default);

        Assert.Equal("No webhook target 'ops' (none are configured). Add it under settings.webhook.targets of the notifiers plugin in plugins.json.", result.Error);
    }

    [Fact]
    public async Task A_failing_target_is_reported_without_its_query_string_token()
    {
        _receiver.Answer("ops", _ => (502, "bad gateway for /ops?token=abc", TimeSpan.Zero));
        var webhook = Webhook($$"""{ "webhook": { "targets": { "ops": "{{_receiver.Url("ops?token=abc")}}" } }, "max_attempts": 2, "retry_delay_ms": 10 }""");

        var result = await webhook.SendAsync(Settings.Sample(), "ops", default);

        Assert.False(result.Delivered);
        Assert.Equal(2, _receiver.Requests.Count);
        Assert.DoesNotContain("token=abc", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("The webhook 'ops' did not accept the notification: HTTP 502 Bad Gateway: bad gateway for [redacted]", result.Error, StringComparison.Ordinal);
    }

    private static INotifier Webhook(string json) => Settings.Notifiers(json)["webhook"];
}
