using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Matih.Samples.RestJsonConnector;

/// <summary>One page of records and where it came from.</summary>
/// <param name="Url">The URL requested.</param>
/// <param name="Records">The page's records (detached from the response).</param>
public sealed record Page(Uri Url, IReadOnlyList<JsonElement> Records);

/// <summary>Requests the endpoint page by page, the way the config says it pages.</summary>
public sealed partial class PageReader
{
    private readonly HttpClient _http;

    /// <summary>Creates a reader on <paramref name="http"/>.</summary>
    public PageReader(HttpClient http)
    {
        _http = http;
    }

    /// <summary>Every page, in order, until the endpoint says there are no more.</summary>
    /// <param name="config">The connection config.</param>
    /// <param name="after">A cursor value sent as <see cref="RestJsonConfig.CursorParam"/> on every request, or null.</param>
    /// <param name="cancellationToken">Stops between requests.</param>
    /// <exception cref="HttpRequestException">The endpoint answered with an error status or could not be reached.</exception>
    /// <exception cref="InvalidDataException">A response is not JSON, or holds no records array where the config says.</exception>
    public async IAsyncEnumerable<Page> ReadAsync(RestJsonConfig config, string? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Uri? next = config.PageUrl(0);
        var seen = new HashSet<Uri>();
        for (var index = 0; next is not null; index++)
        {
            if (index == config.MaxPages)
            {
                // Stopping quietly would look like a complete read; the table would silently miss rows.
                throw new InvalidDataException($"{config.Url} still had more pages after config.max_pages = {config.MaxPages}; raise it if the source is that large.");
            }

            if (!seen.Add(next))
            {
                throw new InvalidDataException($"{next} was named as the next page twice; the endpoint's pagination loops.");
            }

            var url = after is not null && config.CursorParam is { } cursorParam ? RestJsonConfig.WithQuery(next, (cursorParam, after)) : next;
            var (records, body, headers) = await FetchAsync(config, url, cancellationToken);
            yield return new Page(url, records);

            next = config.Pagination switch
            {
                Pagination.Page or Pagination.Offset => records.Count < config.PageSize ? null : config.PageUrl(index + 1),
                Pagination.NextLink => NextLink(url, headers, body, config.NextLinkPath),
                _ => null,
            };
        }
    }

    /// <summary>The first page only (for check and discover).</summary>
    public async Task<Page> FirstPageAsync(RestJsonConfig config, CancellationToken cancellationToken)
    {
        var url = config.PageUrl(0);
        var (records, _, _) = await FetchAsync(config, url, cancellationToken);
        return new Page(url, records);
    }

    private async Task<(IReadOnlyList<JsonElement> Records, JsonElement Body, HttpResponseHeaders Headers)> FetchAsync(RestJsonConfig config, Uri url, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in config.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (config.BearerToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var hint = response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? " Check config.bearer_token and config.headers." : "";
            throw new HttpRequestException(
                $"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Shorten(text)}.{hint}", null, response.StatusCode);
        }

        JsonElement body;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(stream, default, cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The response from {url} is not JSON: {e.Message}", e);
        }

        var records = Locate(body, config.RecordsPath, url);
        return (records.EnumerateArray().ToArray(), body, response.Headers);
    }

    private static JsonElement Locate(JsonElement body, string path, Uri url)
    {
        var current = body;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out var child))
            {
                throw new InvalidDataException($"config.records_path '{path}': the response from {url} has no '{part}' there{Properties(current)}.");
            }

            current = child;
        }

        if (current.ValueKind != JsonValueKind.Array)
        {
            var where = path.Length == 0 ? "The response" : $"config.records_path '{path}'";
            var fix = path.Length == 0 && current.ValueKind == JsonValueKind.Object ? $"; set config.records_path to the property holding the array{Properties(current)}" : "";
            throw new InvalidDataException($"{where} from {url} is {current.ValueKind}, not an array of records{fix}.");
        }

        return current;
    }

    private static Uri? NextLink(Uri current, HttpResponseHeaders headers, JsonElement body, string path)
    {
        if (headers.TryGetValues("Link", out var links))
        {
            foreach (var link in links.SelectMany(l => l.Split(',')))
            {
                var match = LinkNext().Match(link);
                if (match.Success)
                {
                    return new Uri(current, match.Groups["url"].Value);
                }
            }
        }

        var value = body;
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(part, out value))
            {
                return null;
            }
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } next ? new Uri(current, next) : null;
    }

    private static string Properties(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? $" (it has: {string.Join(", ", element.EnumerateObject().Select(p => p.Name).Take(12))})" : "";

    private static string Shorten(string text)
    {
        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length <= 200 ? text : text[..200] + "...";
    }

    [GeneratedRegex("""<(?<url>[^>]+)>\s*;.*rel\s*=\s*"?next"?""", RegexOptions.IgnoreCase)]
    private static partial Regex LinkNext();
}
