using System.Text.Json;
using System.Text.RegularExpressions;

namespace Matih.Samples.RestJsonConnector;

/// <summary>How the endpoint pages its records.</summary>
public enum Pagination
{
    /// <summary>One request returns everything.</summary>
    None,
    /// <summary><c>?page=1&amp;per_page=100</c>, then page 2, ... until a page is short or empty.</summary>
    Page,
    /// <summary><c>?offset=0&amp;limit=100</c>, then offset 100, ... until a page is short or empty.</summary>
    Offset,
    /// <summary>Each response names the next page: an HTTP <c>Link: &lt;url&gt;; rel="next"</c> header or a URL in the body.</summary>
    NextLink,
}

/// <summary>A connection's <c>config</c>, read and checked. Errors name the config entry (<c>config.page_size</c>).</summary>
public sealed partial record RestJsonConfig
{
    /// <summary>The endpoint of the first page.</summary>
    public required Uri Url { get; init; }

    /// <summary>The stream (and destination table) name.</summary>
    public required string Stream { get; init; }

    /// <summary>Dotted path to the records array inside the response; empty when the response is the array.</summary>
    public string RecordsPath { get; init; } = "";

    /// <summary>Key columns for incremental upserts.</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    /// <summary>How pages are followed.</summary>
    public Pagination Pagination { get; init; }

    /// <summary>Query parameter carrying the page number (page pagination).</summary>
    public string PageParam { get; init; } = "page";

    /// <summary>The first page's number.</summary>
    public int FirstPage { get; init; } = 1;

    /// <summary>Query parameter carrying the offset (offset pagination).</summary>
    public string OffsetParam { get; init; } = "offset";

    /// <summary>Query parameter carrying the page size.</summary>
    public string SizeParam { get; init; } = "per_page";

    /// <summary>Records asked for per page; a shorter page is the last one.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>Dotted path to the next page's URL in the body (next-link pagination).</summary>
    public string NextLinkPath { get; init; } = "next";

    /// <summary>Query parameter that asks the API for records after a cursor value (incremental reads), or null.</summary>
    public string? CursorParam { get; init; }

    /// <summary>Extra request headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Sent as <c>Authorization: Bearer ...</c> when set.</summary>
    public string? BearerToken { get; init; }

    /// <summary>A guard against an endpoint that never stops paging.</summary>
    public int MaxPages { get; init; } = 10_000;

    /// <summary>Reads a connection config.</summary>
    /// <exception cref="ArgumentException">An entry is missing or wrong; the message names it (<c>config.url: ...</c>).</exception>
    public static RestJsonConfig Parse(JsonElement config)
    {
        if (config.ValueKind != JsonValueKind.Object)
        {
            throw Problem("config", "expected an object.");
        }

        var urlText = String(config, "url") ?? throw Problem("config.url", "is required: the endpoint's absolute http(s) URL.");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw Problem("config.url", $"expected an absolute http or https URL, got '{urlText}'.");
        }

        var pagination = (String(config, "pagination") ?? "none") switch
        {
            "none" => Pagination.None,
            "page" => Pagination.Page,
            "offset" => Pagination.Offset,
            "next_link" => Pagination.NextLink,
            var other => throw Problem("config.pagination", $"expected one of none, page, offset, next_link; got '{other}'."),
        };

        var stream = String(config, "stream") ?? StreamNameFrom(url);
        if (!StreamName().IsMatch(stream))
        {
            throw Problem("config.stream", $"expected letters, digits and underscores starting with a letter, got '{stream}'.");
        }

        return new RestJsonConfig
        {
            Url = url,
            Stream = stream,
            RecordsPath = String(config, "records_path") ?? "",
            PrimaryKey = Strings(config, "primary_key"),
            Pagination = pagination,
            PageParam = String(config, "page_param") ?? "page",
            FirstPage = Integer(config, "first_page", 1, 0, int.MaxValue),
            OffsetParam = String(config, "offset_param") ?? "offset",
            SizeParam = String(config, "size_param") ?? (pagination == Pagination.Offset ? "limit" : "per_page"),
            PageSize = Integer(config, "page_size", 100, 1, 10_000),
            NextLinkPath = String(config, "next_link_path") ?? "next",
            CursorParam = String(config, "cursor_param"),
            Headers = StringMap(config, "headers"),
            BearerToken = String(config, "bearer_token"),
            MaxPages = Integer(config, "max_pages", 10_000, 1, 1_000_000),
        };
    }

    /// <summary>The URL of page <paramref name="pageIndex"/> (0 = the first) for page and offset pagination; <see cref="Url"/> otherwise.</summary>
    public Uri PageUrl(int pageIndex)
    {
        return Pagination switch
        {
            Pagination.Page => WithQuery(Url, (PageParam, (FirstPage + pageIndex).ToString(System.Globalization.CultureInfo.InvariantCulture)), (SizeParam, PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            Pagination.Offset => WithQuery(Url, (OffsetParam, ((long)pageIndex * PageSize).ToString(System.Globalization.CultureInfo.InvariantCulture)), (SizeParam, PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            _ => Url,
        };
    }

    /// <summary><paramref name="url"/> with query parameters set (replaced when present, appended otherwise).</summary>
    public static Uri WithQuery(Uri url, params (string Name, string Value)[] parameters)
    {
        var pairs = url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).ToList();
        foreach (var (name, value) in parameters)
        {
            var encoded = Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);
            var at = pairs.FindIndex(p => Uri.UnescapeDataString(p.Split('=')[0]) == name);
            if (at >= 0)
            {
                pairs[at] = encoded;
            }
            else
            {
                pairs.Add(encoded);
            }
        }

        return new UriBuilder(url) { Query = string.Join('&', pairs) }.Uri;
    }

    private static string StreamNameFrom(Uri url)
    {
        var last = url.Segments.Select(s => s.Trim('/')).LastOrDefault(s => s.Length > 0) ?? "";
        var name = NonWord().Replace(Uri.UnescapeDataString(last).ToLowerInvariant(), "_").Trim('_');
        return name.Length > 0 && char.IsLetter(name[0]) ? name : "records";
    }

    private static string? String(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw Problem($"config.{name}", "expected a non-empty string.");
    }

    private static int Integer(JsonElement config, string name, int fallback, int min, int max)
    {
        if (!config.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min && number <= max
            ? number
            : throw Problem($"config.{name}", $"expected a whole number from {min} to {max}, got {value.GetRawText()}.");
    }

    private static string[] Strings(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Problem($"config.{name}", "expected an array of column names.");
        }

        return value.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } text
            ? text
            : throw Problem($"config.{name}[{i}]", "expected a column name.")).ToArray();
    }

    private static Dictionary<string, string> StringMap(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Problem($"config.{name}", "expected an object of header names and values.");
        }

        return value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String
            ? p.Value.GetString()!
            : throw Problem($"config.{name}.{p.Name}", "expected a string."), StringComparer.OrdinalIgnoreCase);
    }

    private static ArgumentException Problem(string path, string message) => new($"{path}: {message}");

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex StreamName();

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonWord();
}
