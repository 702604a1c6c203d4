using System.Diagnostics;
using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using System.Text;
using Matih.Sdk.Notifications;
using Microsoft.Extensions.Logging;

namespace Matih.Plugins.Notifiers;

/// <summary>
/// Channel <c>email</c>: sends a plain-text email through the configured SMTP server. The target is the recipient
/// (<c>email:priya@novamart.com</c>); several may be separated by commas or semicolons.
/// </summary>
internal sealed class EmailNotifier(NotifierSettings settings, SecretText secrets, ILogger log) : INotifier
{
    /// <inheritdoc />
    public string Channel => "email";

    /// <inheritdoc />
    public async Task<DeliveryResult> SendAsync(Notification notification, string target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (settings.Email is not { } email)
        {
            return new DeliveryResult(false, "Email is not configured: add settings.email (host, port, from) to the notifiers plugin in plugins.json.");
        }

        var recipients = new List<MailAddress>();
        foreach (var part in target.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!MailAddress.TryCreate(part, out var address))
            {
                return new DeliveryResult(false, $"'{part}' is not an email address.");
            }

            recipients.Add(address);
        }

        if (recipients.Count == 0)
        {
            return new DeliveryResult(false, "No recipient: write the target as an email address, e.g. email:priya@novamart.com.");
        }

        if (!Resolve(email, out var server, out var error))
        {
            return new DeliveryResult(false, error);
        }

        var clock = Stopwatch.StartNew();
        var failure = "";
        var retry = false;
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                var delay = settings.RetryDelay * Math.Pow(2, attempt - 2);
                log.LogWarning("Retry attempt {Attempt} of {MaxAttempts} for email to {Recipients} in {DelayMs} ms: {Reason}", attempt, settings.MaxAttempts, target, (long)delay.TotalMilliseconds, failure);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.Timeout);
            try
            {
                using var message = Compose(notification, server.From, recipients);
                using var client = new SmtpClient(server.Host, email.Port)
                {
                    EnableSsl = email.EnableSsl,
                    DeliveryMethod = SmtpDeliveryMethod.Network,
                    UseDefaultCredentials = false,
                    Credentials = server.Username is null ? null : new NetworkCredential(server.Username, server.Password),
                    Timeout = (int)settings.Timeout.TotalMilliseconds,
                };
                await client.SendMailAsync(message, timeout.Token).ConfigureAwait(false);
                log.LogInformation("Delivered '{Title}' to email:{Recipients} in {Milliseconds} ms", notification.Title, target, clock.ElapsedMilliseconds);
                return new DeliveryResult(true);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"no answer within {settings.Timeout.TotalSeconds:0.#} s";
                retry = true;
            }
            catch (SmtpException e)
            {
                (failure, retry) = Describe(e, server);
            }

            if (!retry)
            {
                break;
            }
        }

        var gaveUp = retry && settings.MaxAttempts > 1 ? $" (gave up after {settings.MaxAttempts} attempts)" : "";
        return new DeliveryResult(false, $"The SMTP server {server.Host}:{email.Port} did not accept the email to {target}: {failure}{gaveUp}.");
    }

    /// <summary>The email for <paramref name="notification"/>: subject from the title, the text, the fields and the link.</summary>
    public static MailMessage Compose(Notification notification, string from, IEnumerable<MailAddress> recipients)
    {
        var severity = notification.Severity == Severity.Info ? "" : $"[{SlackMessage.SeverityName(notification.Severity).ToUpperInvariant()}] ";
        var body = new StringBuilder();
        body.Append(notification.Title).Append("\n\n");
        if (!string.IsNullOrWhiteSpace(notification.Text))
        {
            body.Append(notification.Text.TrimEnd()).Append("\n\n");
        }

        foreach (var (name, value) in notification.Fields)
        {
            body.Append(name).Append(": ").Append(value).Append('\n');
        }

        body.Append("Severity: ").Append(SlackMessage.SeverityName(notification.Severity)).Append('\n');
        if (notification.Link is { } link)
        {
            body.Append("\nOpen in Matih: ").Append(link.AbsoluteUri).Append('\n');
        }

        var message = new MailMessage
        {
            From = new MailAddress(from),
            Subject = string.Join(' ', (severity + notification.Title).Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)),
            Body = body.ToString(),
            IsBodyHtml = false,
            BodyEncoding = Encoding.UTF8,
            SubjectEncoding = Encoding.UTF8,
        };
        foreach (var recipient in recipients)
        {
            message.To.Add(recipient);
        }

        return message;
    }

    private bool Resolve(EmailSettings email, out Server server, out string? error)
    {
        server = default;
        if (!secrets.TryResolve(email.Host, "email.host", out var host, out error)
            || !secrets.TryResolve(email.From, "email.from", out var from, out error))
        {
            return false;
        }

        string? username = null, password = null;
        if (email.Username is not null && (!secrets.TryResolve(email.Username, "email.username", out username, out error)
            || !secrets.TryResolve(email.Password!, "email.password", out password, out error)))
        {
            return false;
        }

        if (!MailAddress.TryCreate(from, out _))
        {
            error = "settings.email.from does not resolve to an email address.";
            return false;
        }

        server = new Server(host, from, username, password);
        return true;
    }

    private static (string Failure, bool Retry) Describe(SmtpException e, Server server)
    {
        if (e.StatusCode == SmtpStatusCode.GeneralFailure)
        {
            // Connection-level failures: the inner exception says what happened to the socket.
            var socket = FindInner<SocketException>(e);
            var reason = socket is null ? "the connection failed" : $"could not connect ({socket.SocketErrorCode})";
            return (reason, true);
        }

        var transient = e.StatusCode is SmtpStatusCode.ServiceNotAvailable or SmtpStatusCode.MailboxBusy
            or SmtpStatusCode.LocalErrorInProcessing or SmtpStatusCode.InsufficientStorage;
        var message = e.Message;
        foreach (var secret in new[] { server.Password, server.Username })
        {
            if (!string.IsNullOrEmpty(secret))
            {
                message = message.Replace(secret, "[redacted]", StringComparison.Ordinal);
            }
        }

        return ($"{(int)e.StatusCode} {message.TrimEnd('.', ' ')}", transient);
    }

    private static T? FindInner<T>(Exception e)
        where T : Exception
    {
        for (var current = e.InnerException; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }

    private readonly record struct Server(string Host, string From, string? Username, string? Password)
    {
        // Never print the credentials, even by accident.
        public override string ToString() => Host;
    }
}
