using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Matih.Scripting;

/// <summary>
/// The host's REST API as the script's user: every typed client uses it, and scripts can call any route with it
/// (<c>await Api.GetAsync("api/plugins")</c>), including routes added after this library was written. Failures
/// throw <see cref="MatihApiException"/> carrying the server's problem details.
/// </summary>
public sealed class ApiClient
{
    /// <summary>How the API's bodies are read: camelCase or as declared, case-insensitive.</summary>
    internal static readonly JsonSerializerOptions ReadOptions = new(JsonSerializerDefaults.Web);

    // Documents (the seed's JSON) are sent with their names exactly as the script wrote them.
    private static readonly JsonSerializerOptions s_writeOptions = new() { WriteIndented = false };

    private readonly HttpClient _http;
    private readonly Func<CancellationToken> _cancellation;
    private string _token;

    /// <summary>Creates a client for <paramref name="baseAddress"/> sending <paramref name="token"/> as the bearer.</summary>
    /// <param name="http">The HTTP client; its base address is ignored.</param>
    /// <param name="baseAddress">The host, e.g. <c>http://127.0.0.1:5000/</c>.</param>
    /// <param name="token">The bearer token of the user the script runs as.</param>
    /// <param name="cancellation">The token of the current run, read at each call.</param>
    public ApiClient(HttpClient http, Uri baseAddress, string token, Func<CancellationToken> cancellation)
    {
        _http = http;
        BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _token = token;
        _cancellation = cancellation;
    }

    /// <summary>The host the script talks to.</summary>
    public Uri BaseAddress { get; }

    /// <summary><c>GET</c> a route (<c>api/connections</c>) and return its JSON body.</summary>
    public Task<JsonNode?> GetAsync(string path) => SendAsync<JsonNode?>(HttpMethod.Get, path, null);

    /// <summary><c>GET</c> a route and read its body as <typeparamref name="T"/>.</summary>
    public Task<T> GetAsync<T>(string path) => SendAsync<T>(HttpMethod.Get, path, null);

    /// <summary>
    /// <c>POST</c> a body to a route. A string is sent as JSON text verbatim (the seed's documents), a
    /// <see cref="JsonNode"/> or <see cref="JsonElement"/> as written, anything else serialized with its member names as declared.
    /// </summary>
    public Task<JsonNode?> PostAsync(string path, object? body = null) => SendAsync<JsonNode?>(HttpMethod.Post, path, body);

    /// <summary><c>POST</c> a body and read the answer as <typeparamref name="T"/>.</summary>
    public Task<T> PostAsync<T>(string path, object? body = null) => SendAsync<T>(HttpMethod.Post, path, body);

    /// <summary><c>PUT</c> a body to a route.</summary>
    public Task<JsonNode?> PutAsync(string path, object? body) => SendAsync<JsonNode?>(HttpMethod.Put, path, body);

    /// <summary><c>DELETE</c> a route.</summary>
    public Task<JsonNode?> DeleteAsync(string path) => SendAsync<JsonNode?>(HttpMethod.Delete, path, null);

    /// <summary>Sends a request as the script's user and returns the raw response (no status check).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is { IsAbsoluteUri: false } relative)
        {
            request.RequestUri = Resolve(relative.OriginalString);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return await _http.SendAsync(request, _cancellation()).ConfigureAwait(false);
    }

    /// <summary>Switches to a fresh token (a REPL session gets one per submission).</summary>
    internal void UseToken(string token) => _token = token;

    internal async Task<T> SendAsync<T>(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, Resolve(path)) { Content = Content(body) };
        using var response = await SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(_cancellation()).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw MatihApiException.From(method.Method, request.RequestUri!.PathAndQuery, (int)response.StatusCode, response.ReasonPhrase, text);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return default!;
        }

        if (typeof(T) == typeof(string) && response.Content.Headers.ContentType?.MediaType is not "application/json")
        {
            return (T)(object)text;
        }

        return JsonSerializer.Deserialize<T>(text, ReadOptions)!;
    }

    /// <summary>A path relative to the host: <c>api/x</c>, <c>/api/x</c> and absolute URLs on the same host all work.</summary>
    internal Uri Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal)
            ? absolute
            : new Uri(BaseAddress, path.TrimStart('/'));
    }

    internal static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return Uri.EscapeDataString(value);
    }

    private static HttpContent? Content(object? body) => body switch
    {
        null => null,
        HttpContent content => content,
        string json => new StringContent(json, Encoding.UTF8, "application/json"),
        JsonNode node => new StringContent(node.ToJsonString(), Encoding.UTF8, "application/json"),
        JsonElement element => new StringContent(element.GetRawText(), Encoding.UTF8, "application/json"),
        _ => new StringContent(JsonSerializer.Serialize(body, body.GetType(), WriteOptionsFor(body.GetType())), Encoding.UTF8, "application/json"),
    };

    /// <summary>
    /// Serializer options for <paramref name="type"/>: a script's own types (an anonymous document) live in a collectible
    /// load context, and options cache type metadata, so they get options of their own that die with the call instead of
    /// shared ones that would keep the script's assembly loaded for good.
    /// </summary>
    internal static JsonSerializerOptions WriteOptionsFor(Type type) =>
        type.Assembly.IsCollectible ? new JsonSerializerOptions(s_writeOptions) : s_writeOptions;
}

/// <summary>
/// A call to the host's API failed: the status and the server's problem details (title, detail and, for documents,
/// the problems by JSON path), in the message too, so an uncaught one reads well in the console.
/// </summary>
public sealed class MatihApiException : Exception
{
    private MatihApiException(string message, string method, string path, int status, string? title, string? detail, IReadOnlyDictionary<string, string[]> errors, string body)
        : base(message)
    {
        Method = method;
        Path = path;
        Status = status;
        Title = title;
        Detail = detail;
        Errors = errors;
        Body = body;
    }

    /// <summary>The same failure told better (the SQL's line and column).</summary>
    internal MatihApiException(MatihApiException original, string message)
        : this(message, original.Method, original.Path, original.Status, original.Title, original.Detail, original.Errors, original.Body)
    {
    }

    /// <summary>The HTTP method.</summary>
    public string Method { get; }

    /// <summary>The route called.</summary>
    public string Path { get; }

    /// <summary>The HTTP status, e.g. 400, 403, 404, 409.</summary>
    public int Status { get; }

    /// <summary>The problem's title.</summary>
    public string? Title { get; }

    /// <summary>The problem's detail.</summary>
    public string? Detail { get; }

    /// <summary>Problems by field or JSON path (validation problems), else empty.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The response body as sent.</summary>
    public string Body { get; }

    internal static MatihApiException From(string method, string path, int status, string? reason, string body)
    {
        string? title = null, detail = null;
        var errors = new Dictionary<string, string[]>();
        try
        {
            if (JsonNode.Parse(body) is JsonObject problem)
            {
                title = problem["title"]?.GetValueKind() == JsonValueKind.String ? (string?)problem["title"] : null;
                detail = problem["detail"]?.GetValueKind() == JsonValueKind.String ? (string?)problem["detail"] : null;
                if (problem["errors"] is JsonObject fields)
                {
                    foreach (var (field, messages) in fields)
                    {
                        errors[field] = messages is JsonArray list ? list.Select(m => m?.ToString() ?? "").ToArray() : [messages?.ToString() ?? ""];
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's page, plain text): the body is kept as sent.
        }

        var text = new StringBuilder($"{method} {path} failed ({status}{(reason is null ? "" : " " + reason)})");
        if (title is not null)
        {
            text.Append(": ").Append(title);
        }

        if (detail is not null)
        {
            text.Append(' ').Append(detail);
        }

        foreach (var (field, messages) in errors)
        {
            text.Append(Environment.NewLine).Append("  ").Append(field).Append(": ").Append(string.Join(" ", messages));
        }

        if (title is null && detail is null && errors.Count == 0 && body.Length > 0)
        {
            text.Append(": ").Append(body.Length > 500 ? body[..500] + "…" : body);
        }

        return new MatihApiException(text.ToString(), method, path, status, title, detail, errors, body);
    }
}
