using System.Globalization;
using System.Net.Mail;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Configuration;

namespace Matih.Plugins.Notifiers;

/// <summary>
/// The plugin's settings from plugins.json. Webhook URLs and the SMTP password are secrets: write them as
/// <c>${NAME}</c> and set the environment variable <c>NAME</c> (or the host setting <c>Secrets:NAME</c>).
/// </summary>
/// <example>
/// <code>
/// { "id": "notifiers", "settings": {
///     "slack": { "webhooks": { "#data-alerts": "${SLACK_DATA_ALERTS_URL}" } },
///     "webhook": { "targets": { "ops": "${OPS_WEBHOOK_URL}" } },
///     "email": { "host": "smtp.novamart.com", "port": 587, "enable_ssl": true, "from": "Matih &lt;matih@novamart.com&gt;",
///                "username": "matih", "password": "${SMTP_PASSWORD}" },
///     "timeout_seconds": 10, "max_attempts": 3, "retry_delay_ms": 500 } }
/// </code>
/// </example>
public sealed record NotifierSettings
{
    private static readonly string[] s_topLevel = ["slack", "webhook", "email", "timeout_seconds", "max_attempts", "retry_delay_ms"];
    private static readonly string[] s_emailKeys = ["host", "port", "from", "username", "password", "enable_ssl"];

    /// <summary>Slack channel (<c>#data-alerts</c>) to incoming-webhook URL (secret, may be a <c>${NAME}</c> reference).</summary>
    public IReadOnlyDictionary<string, string> SlackWebhooks { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Target name (<c>ops</c>) to URL (secret, may be a <c>${NAME}</c> reference).</summary>
    public IReadOnlyDictionary<string, string> WebhookTargets { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The SMTP server, or null when email is not configured.</summary>
    public EmailSettings? Email { get; init; }

    /// <summary>How long one delivery attempt may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per delivery, including the first; only server errors and timeouts are retried.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Wait before the second attempt; each later attempt waits twice as long as the one before.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Reads and validates the plugin's settings section.</summary>
    /// <exception cref="PluginSettingsException">A setting is wrong; the message names it (and never shows a secret).</exception>
    public static NotifierSettings FromConfiguration(IConfiguration settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        RejectUnknown(settings, "", s_topLevel);
        var defaults = new NotifierSettings();
        return new NotifierSettings
        {
            SlackWebhooks = ReadUrls(settings, "slack", "webhooks"),
            WebhookTargets = ReadUrls(settings, "webhook", "targets"),
            Email = ReadEmail(settings),
            Timeout = TimeSpan.FromSeconds(ReadInteger(settings, "timeout_seconds", (int)defaults.Timeout.TotalSeconds, 1, 300)),
            MaxAttempts = ReadInteger(settings, "max_attempts", defaults.MaxAttempts, 1, 10),
            RetryDelay = TimeSpan.FromMilliseconds(ReadInteger(settings, "retry_delay_ms", (int)defaults.RetryDelay.TotalMilliseconds, 0, 60_000)),
        };
    }

    private static Dictionary<string, string> ReadUrls(IConfiguration settings, string section, string listName)
    {
        var urls = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var root = settings.GetSection(section);
        if (!root.Exists())
        {
            return urls;
        }

        if (root.Value is not null)
        {
            throw new PluginSettingsException(section, $"must be an object with \"{listName}\" (name to URL).");
        }

        RejectUnknown(root, section + ":", [listName]);
        foreach (var child in root.GetSection(listName).GetChildren())
        {
            var setting = $"{section}:{listName}:{child.Key}";
            if (string.IsNullOrWhiteSpace(child.Value))
            {
                throw new PluginSettingsException(setting, "must be an http(s) URL or a ${NAME} reference to one.");
            }

            // A reference is checked when it is resolved; a literal URL is checked now, without showing it.
            if (!SecretText.HasReference(child.Value) && !IsHttpUrl(child.Value))
            {
                throw new PluginSettingsException(setting, "is not an absolute http(s) URL (the value is a secret and is not shown). Write the URL or a ${NAME} reference to it.");
            }

            urls[child.Key] = child.Value;
        }

        return urls;
    }

    private static EmailSettings? ReadEmail(IConfiguration settings)
    {
        var section = settings.GetSection("email");
        if (!section.Exists())
        {
            return null;
        }

        if (section.Value is not null)
        {
            throw new PluginSettingsException("email", "must be an object with host, port, from and optionally username, password and enable_ssl.");
        }

        RejectUnknown(section, "email:", s_emailKeys);
        var host = section["host"];
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new PluginSettingsException("email:host", "is required: the SMTP server's host name (or a ${NAME} reference).");
        }

        var from = section["from"];
        if (string.IsNullOrWhiteSpace(from))
        {
            throw new PluginSettingsException("email:from", "is required: the sender address, e.g. \"Matih <matih@example.com>\".");
        }

        if (!SecretText.HasReference(from) && !MailAddress.TryCreate(from, out _))
        {
            throw new PluginSettingsException("email:from", $"'{from}' is not an email address.");
        }

        var username = section["username"];
        var password = section["password"];
        if (string.IsNullOrEmpty(username) != string.IsNullOrEmpty(password))
        {
            var missing = string.IsNullOrEmpty(username) ? "email:username" : "email:password";
            throw new PluginSettingsException(missing, "is required when the other of username and password is given.");
        }

        return new EmailSettings(host, ReadInteger(section, "port", 25, 1, 65_535, "email:"), from)
        {
            Username = string.IsNullOrEmpty(username) ? null : username,
            Password = string.IsNullOrEmpty(password) ? null : password,
            EnableSsl = ReadBoolean(section, "enable_ssl", false, "email:"),
        };
    }

    private static void RejectUnknown(IConfiguration section, string prefix, string[] known)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new PluginSettingsException(prefix + child.Key, $"is not a setting of the notifiers plugin here; expected one of: {string.Join(", ", known)}.");
            }
        }
    }

    private static int ReadInteger(IConfiguration settings, string key, int fallback, int min, int max, string prefix = "")
    {
        var text = settings[key];
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new PluginSettingsException(prefix + key, $"must be a whole number from {min} to {max} (got '{text}').");
        }

        return value;
    }

    private static bool ReadBoolean(IConfiguration settings, string key, bool fallback, string prefix)
    {
        var text = settings[key];
        if (text is null)
        {
            return fallback;
        }

        return bool.TryParse(text, out var value) ? value : throw new PluginSettingsException(prefix + key, $"must be true or false (got '{text}').");
    }

    internal static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>An SMTP server to send email through.</summary>
/// <param name="Host">Host name (may be a <c>${NAME}</c> reference).</param>
/// <param name="Port">TCP port (25, 587, ...).</param>
/// <param name="From">Sender address, e.g. <c>Matih &lt;matih@example.com&gt;</c>.</param>
public sealed record EmailSettings(string Host, int Port, string From)
{
    /// <summary>User name for SMTP AUTH, or null to send without signing in.</summary>
    public string? Username { get; init; }

    /// <summary>Password for SMTP AUTH (secret, may be a <c>${NAME}</c> reference).</summary>
    public string? Password { get; init; }

    /// <summary>Whether to upgrade the connection with STARTTLS.</summary>
    public bool EnableSsl { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"EmailSettings {{ Host = {Host}, Port = {Port}, From = {From}, Username = {Username}, EnableSsl = {EnableSsl} }}";
}
