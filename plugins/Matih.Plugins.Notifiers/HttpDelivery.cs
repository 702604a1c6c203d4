using System.Net;
using System.Net.Http.Headers;
using Matih.Sdk.Notifications;
using Microsoft.Extensions.Logging;

namespace Matih.Plugins.Notifiers;

/// <summary>
/// POSTs a JSON body to a webhook with the plugin's timeout and retries. Server errors (5xx, 408, 429), timeouts and
/// connection failures are retried with a doubling delay; other answers are final. Every error is written in words
/// and never contains the URL, which is a secret.
/// </summary>
internal sealed class HttpDelivery(HttpClient http, NotifierSettings settings, ILogger log)
{
    private const int BodySnippetLength = 200;

    /// <summary>Delivers <paramref name="json"/> to <paramref name="url"/>; <paramref name="what"/> names the target in messages.</summary>
    public async Task<DeliveryResult> PostJsonAsync(string url, byte[] json, string what, CancellationToken cancellationToken)
    {
        string? failure = null;
        var retry = false;
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                var delay = settings.RetryDelay * Math.Pow(2, attempt - 2);
                log.LogWarning("Retry attempt {Attempt} of {MaxAttempts} for {Target} in {DelayMs} ms: {Reason}", attempt, settings.MaxAttempts, what, (long)delay.TotalMilliseconds, failure);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.Timeout);
            try
            {
                using var content = new ByteArrayContent(json);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                using var response = await http.PostAsync(url, content, timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return new DeliveryResult(true);
                }

                var body = await ReadSnippetAsync(response, timeout.Token).ConfigureAwait(false);
                var code = (int)response.StatusCode;
                failure = $"HTTP {code} {Reason(response)}" + (body.Length > 0 ? $": {Redact(body, url)}" : "");
                retry = code is >= 500 or (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests;
                if (code is >= 300 and < 400)
                {
                    failure += " (redirects are not followed; configure the final URL)";
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"no answer within {settings.Timeout.TotalSeconds:0.#} s";
                retry = true;
            }
            catch (HttpRequestException e)
            {
                failure = Describe(e);
                retry = true;
            }

            if (!retry)
            {
                break;
            }
        }

        // Only a failure that was retried to the end says so; a refusal (4xx) is final at once.
        var gaveUp = retry && settings.MaxAttempts > 1 ? $" (gave up after {settings.MaxAttempts} attempts)" : "";
        return new DeliveryResult(false, $"{what} did not accept the notification: {failure}{gaveUp}.");
    }

    /// <summary>A shared client: no redirects (a POST must reach the configured URL), pooled connections recycled.</summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        // Per-attempt timeouts come from the plugin's settings.
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    /// <summary>Removes the URL, its path and its query from <paramref name="text"/>: they carry the webhook's token.</summary>
    public static string Redact(string text, string url)
    {
        var redacted = text.Replace(url, "[webhook URL]", StringComparison.OrdinalIgnoreCase);
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            foreach (var part in new[] { uri.PathAndQuery, uri.AbsolutePath, uri.Query })
            {
                if (part.Length > 1)
                {
                    redacted = redacted.Replace(part, "[redacted]", StringComparison.OrdinalIgnoreCase);
                }
            }
        }

        return redacted;
    }

    // HttpRequestException messages name the host and port; the words here do not.
    private static string Describe(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "the webhook's host name could not be resolved",
        HttpRequestError.ConnectionError => "could not connect to the webhook's host",
        HttpRequestError.SecureConnectionError => "the TLS handshake with the webhook's host failed",
        HttpRequestError.ResponseEnded => "the webhook's host closed the connection before answering",
        HttpRequestError.ProxyTunnelError => "the proxy refused to connect to the webhook's host",
        _ => $"the request failed ({e.HttpRequestError})",
    };

    private static string Reason(HttpResponseMessage response) =>
        string.IsNullOrWhiteSpace(response.ReasonPhrase) ? response.StatusCode.ToString() : response.ReasonPhrase;

    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            text = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
            return text.Length > BodySnippetLength ? text[..BodySnippetLength] + "..." : text;
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }
}
