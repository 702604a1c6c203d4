using Matih.Plugins.Notifiers.Tests.Support;
using Matih.Sdk.Notifications;

namespace Matih.Plugins.Notifiers.Tests;

public sealed class EmailNotifierTests : IAsyncLifetime
{
    private readonly SmtpReceiver _smtp = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _smtp.DisposeAsync();

    [Fact]
    public async Task The_email_reaches_the_smtp_server_with_subject_text_fields_and_link()
    {
        var email = Email($$"""{ "email": { "host": "127.0.0.1", "port": {{_smtp.Port}}, "from": "Matih <matih@novamart.com>" } }""");

        var result = await email.SendAsync(Settings.Sample(Severity.Critical), "priya@novamart.com", default);

        Assert.True(result.Delivered, result.Error);
        var message = Assert.Single(_smtp.Messages);
        Assert.Equal("matih@novamart.com", message.From);
        Assert.Equal(["priya@novamart.com"], message.To);
        Assert.Equal("[CRITICAL] Daily Churn Feature Refresh failed", message.Subject);
        Assert.Equal("""
            Daily Churn Feature Refresh failed

            Task quality_gate failed after 1 attempt: 2 of 7 expectations not met (expect_column_values_to_not_be_null on customer_id).

            pipeline: churn-feature-refresh
            failed task: quality_gate
            duration: 4.2 s
            Severity: critical

            Open in Matih: http://matih.local/pipelines/churn-feature-refresh/runs/42

            """, message.Body.TrimEnd('\n') + "\n");
        Assert.Null(message.User);
    }

    [Fact]
    public async Task Credentials_are_sent_with_the_password_read_from_the_environment()
    {
        var variable = $"MATIH_TEST_SMTP_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "pa55-word");
        try
        {
            var email = Email($$"""{ "email": { "host": "127.0.0.1", "port": {{_smtp.Port}}, "from": "matih@novamart.com", "username": "matih", "password": "${{{variable}}}" } }""");

            var result = await email.SendAsync(Settings.Sample(Severity.Info), "priya@novamart.com; ops@novamart.com", default);

            Assert.True(result.Delivered, result.Error);
            var message = Assert.Single(_smtp.Messages);
            Assert.Equal(("matih", "pa55-word"), (message.User, message.Password));
            Assert.Equal(["priya@novamart.com", "ops@novamart.com"], message.To);
            Assert.Equal("Daily Churn Feature Refresh failed", message.Subject);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_busy_server_is_retried_until_it_accepts()
    {
        _smtp.BusyConnections = 1;
        var email = Email($$"""{ "email": { "host": "127.0.0.1", "port": {{_smtp.Port}}, "from": "matih@novamart.com" }, "retry_delay_ms": 10 }""");

        var result = await email.SendAsync(Settings.Sample(), "priya@novamart.com", default);

        Assert.True(result.Delivered, result.Error);
        Assert.Equal(2, _smtp.Connections);
        Assert.Single(_smtp.Messages);
    }

    [Fact]
    public async Task A_rejected_recipient_is_reported_in_words_and_not_retried()
    {
        _smtp.RejectedRecipients.Add("nobody@novamart.com");
        var email = Email($$"""{ "email": { "host": "127.0.0.1", "port": {{_smtp.Port}}, "from": "matih@novamart.com" }, "retry_delay_ms": 10 }""");

        var result = await email.SendAsync(Settings.Sample(), "nobody@novamart.com", default);

        Assert.False(result.Delivered);
        Assert.Equal(1, _smtp.Connections);
        Assert.StartsWith($"The SMTP server 127.0.0.1:{_smtp.Port} did not accept the email to nobody@novamart.com: 550 ", result.Error, StringComparison.Ordinal);
        Assert.Contains("User unknown", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_after_the_retries()
    {
        var port = _smtp.Port;
        await _smtp.DisposeAsync();
        var email = Email($$"""{ "email": { "host": "127.0.0.1", "port": {{port}}, "from": "matih@novamart.com" }, "max_attempts": 2, "retry_delay_ms": 10 }""");

        var result = await email.SendAsync(Settings.Sample(), "priya@novamart.com", default);

        Assert.Equal($"The SMTP server 127.0.0.1:{port} did not accept the email to priya@novamart.com: could not connect (ConnectionRefused) (gave up after 2 attempts).", result.Error);
    }

    [Theory]
    [InlineData("priya", "'priya' is not an email address.")]
    [InlineData(" ; ", "No recipient: write the target as an email address, e.g. email:priya@novamart.com.")]
    public async Task A_target_that_is_not_an_address_is_refused(string target, string error)
    {
        var email = Email($$"""{ "email": { "host": "127.0.0.1", "port": {{_smtp.Port}}, "from": "matih@novamart.com" } }""");

        var result = await email.SendAsync(Settings.Sample(), target, default);

        Assert.Equal(new DeliveryResult(false, error), result);
        Assert.Equal(0, _smtp.Connections);
    }

    [Fact]
    public async Task Without_email_settings_the_result_says_how_to_configure_it()
    {
        var result = await Email("{}").SendAsync(Settings.Sample(), "priya@novamart.com", default);

        Assert.Equal("Email is not configured: add settings.email (host, port, from) to the notifiers plugin in plugins.json.", result.Error);
    }

    [Fact]
    public async Task An_unset_password_variable_is_named_and_nothing_is_sent()
    {
        var email = Email($$"""{ "email": { "host": "127.0.0.1", "port": {{_smtp.Port}}, "from": "matih@novamart.com", "username": "matih", "password": "${MATIH_TEST_NEVER_SET_SMTP_PASSWORD}" } }""");

        var result = await email.SendAsync(Settings.Sample(), "priya@novamart.com", default);

        Assert.StartsWith("settings.email.password refers to ${MATIH_TEST_NEVER_SET_SMTP_PASSWORD}, which is not set", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, _smtp.Connections);
    }

    private static INotifier Email(string json) => Settings.Notifiers(json)["email"];
}
