using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;

namespace Matih.Samples.RestJsonConnector;

/// <summary>
/// Reads one stream from a REST endpoint that returns a JSON array (or an object holding one), page by page. The
/// schema is inferred from the first page. Incremental reads keep records whose cursor is past the saved one and can
/// pass the saved cursor to the API (<c>cursor_param</c>) so it filters server-side.
/// </summary>
public sealed class RestJsonConnector : IConnector, IDisposable
{
    /// <summary>The connector id in connection documents.</summary>
    public const string ConnectorId = "rest-json";

    private readonly RestJsonSettings _settings;
    private readonly HttpClient _http;
    private readonly PageReader _pages;

    /// <summary>Creates the connector with the plugin's settings.</summary>
    public RestJsonConnector(RestJsonSettings settings)
    {
        _settings = settings;
        // One client for the plugin's life; pooled connections are recycled so DNS changes are seen.
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = settings.Timeout };
        _http.DefaultRequestHeaders.UserAgent.Add(ProductInfoHeaderValue.TryParse(settings.UserAgent, out var agent) ? agent : new ProductInfoHeaderValue("Matih-RestJson", "1.0"));
        _pages = new PageReader(_http);
    }

    /// <inheritdoc />
    public string Id => ConnectorId;

    /// <inheritdoc />
    public ConnectorSpec Spec { get; } = new(
        "REST / JSON",
        "Records from an HTTP endpoint that returns a JSON array, with page-number, offset or next-link pagination.",
        [
            new ParameterSpec("url", ParameterType.String, "The endpoint's URL (the first page).") { Required = true },
            new ParameterSpec("stream", ParameterType.String, "Stream and table name; defaults to the URL's last path segment."),
            new ParameterSpec("records_path", ParameterType.String, "Dotted path to the records array when the response is an object, e.g. data or result.items."),
            new ParameterSpec("primary_key", ParameterType.Array, "Key columns, for incremental upserts."),
            new ParameterSpec("pagination", ParameterType.String, "How pages are followed.")
            {
                Default = JsonValue.Create("none"),
                AllowedValues = ["none", "page", "offset", "next_link"],
            },
            new ParameterSpec("page_size", ParameterType.Integer, "Records per page; a shorter page is the last. Keep it within the API's maximum.")
            {
                Default = JsonValue.Create(100),
                Minimum = 1,
                Maximum = 10_000,
            },
            new ParameterSpec("page_param", ParameterType.String, "Query parameter for the page number (page pagination).") { Default = JsonValue.Create("page") },
            new ParameterSpec("first_page", ParameterType.Integer, "Number of the first page.") { Default = JsonValue.Create(1), Minimum = 0 },
            new ParameterSpec("offset_param", ParameterType.String, "Query parameter for the offset (offset pagination).") { Default = JsonValue.Create("offset") },
            new ParameterSpec("size_param", ParameterType.String, "Query parameter for the page size; per_page for page pagination, limit for offset."),
            new ParameterSpec("next_link_path", ParameterType.String, "Dotted path to the next page's URL in the body (next_link pagination); a Link rel=\"next\" header is followed too.")
            {
                Default = JsonValue.Create("next"),
            },
            new ParameterSpec("cursor_param", ParameterType.String, "Query parameter that asks the API for records after the saved cursor, in incremental syncs."),
            new ParameterSpec("headers", ParameterType.Object, "Extra request headers."),
            new ParameterSpec("bearer_token", ParameterType.String, "Sent as Authorization: Bearer; use a ${NAME} reference.") { Secret = true },
            new ParameterSpec("max_pages", ParameterType.Integer, "Stop with an error after this many pages.") { Default = JsonValue.Create(10_000), Minimum = 1 },
        ])
    {
        SupportsIncremental = true,
    };

    /// <inheritdoc />
    public async Task<CheckResult> CheckAsync(JsonElement config, CancellationToken cancellationToken)
    {
        RestJsonConfig parsed;
        try
        {
            parsed = RestJsonConfig.Parse(config);
        }
        catch (ArgumentException e)
        {
            return CheckResult.Failed(e.Message);
        }

        try
        {
            var page = await _pages.FirstPageAsync(parsed, cancellationToken);
            var schema = RecordSchema.Infer(page.Records, parsed.PrimaryKey);
            var columns = schema.Columns.Count == 0 ? "no columns yet (the page is empty)" : "columns " + string.Join(", ", schema.Columns.Select(c => c.Name));
            return CheckResult.Ok($"Read {page.Records.Count} record(s) from {page.Url}; {columns}.");
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException or ArgumentException or SocketException)
        {
            return CheckResult.Failed(e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Failed($"{parsed.Url} did not answer within {_settings.Timeout.TotalSeconds:0} s (settings.timeout_seconds).");
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StreamDescriptor>> DiscoverAsync(JsonElement config, CancellationToken cancellationToken)
    {
        var parsed = RestJsonConfig.Parse(config);
        var page = await _pages.FirstPageAsync(parsed, cancellationToken);
        var schema = RecordSchema.Infer(page.Records, parsed.PrimaryKey);
        return
        [
            new StreamDescriptor(parsed.Stream, null, schema, [SyncMode.FullRefresh, SyncMode.Incremental])
            {
                CursorCandidates = RecordSchema.CursorCandidates(schema),
            },
        ];
    }

    /// <inheritdoc />
    public async Task ReadAsync(JsonElement config, ReadRequest request, IRecordSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        var parsed = RestJsonConfig.Parse(config);
        foreach (var stream in request.Streams)
        {
            if (!string.Equals(stream.Name, parsed.Stream, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Stream '{stream.Name}' is not offered by {parsed.Url}; this connection has one stream, '{parsed.Stream}'.");
            }

            await ReadStreamAsync(parsed, stream, request.State, sink, cancellationToken);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task ReadStreamAsync(RestJsonConfig config, ConfiguredStream stream, ConnectorState? state, IRecordSink sink, CancellationToken cancellationToken)
    {
        var incremental = stream.Mode == SyncMode.Incremental && stream.CursorField is not null;
        JsonElement? saved = incremental && state?.Streams.TryGetValue(stream.Name, out var previous) == true && previous.ValueKind == JsonValueKind.Object
            && previous.TryGetProperty("cursor", out var cursor) ? cursor.Clone() : null;
        var after = saved is { } s ? (s.ValueKind == JsonValueKind.String ? s.GetString() : s.GetRawText()) : null;

        RowBatch? batch = null;
        var maxCursor = saved;
        long read = 0;
        await foreach (var page in _pages.ReadAsync(config, after, cancellationToken))
        {
            if (batch is null)
            {
                var schema = RecordSchema.Infer(page.Records, config.PrimaryKey);
                await sink.BeginStreamAsync(stream.Name, schema, cancellationToken);
                batch = new RowBatch(schema.Columns, _settings.BatchRows);
            }

            foreach (var record in page.Records)
            {
                read++;
                if (incremental && RecordSchema.Field(record, stream.CursorField!) is { } value)
                {
                    if (saved is { } floor && RecordSchema.CompareCursors(value, floor) <= 0)
                    {
                        continue;
                    }

                    if (maxCursor is not { } top || RecordSchema.CompareCursors(value, top) > 0)
                    {
                        maxCursor = value.Clone();
                    }
                }

                RecordSchema.Append(batch, record, read);
                if (batch.IsFull)
                {
                    await sink.WriteAsync(stream.Name, batch, RecordOperation.Upsert, cancellationToken);
                    batch.Clear();
                }
            }

            sink.ReportProgress(stream.Name, read, null);
        }

        if (batch is { Count: > 0 })
        {
            await sink.WriteAsync(stream.Name, batch, RecordOperation.Upsert, cancellationToken);
        }

        // One checkpoint per stream, once it is complete: a full refresh replaces its table there, and an API's page
        // order says nothing about cursor order, so an earlier cursor checkpoint could skip records.
        var streams = new Dictionary<string, JsonElement>(state?.Streams ?? new Dictionary<string, JsonElement>(), StringComparer.Ordinal);
        if (maxCursor is { } newest)
        {
            streams[stream.Name] = JsonSerializer.SerializeToElement(new Dictionary<string, JsonElement> { ["cursor"] = newest });
        }

        await sink.CheckpointAsync(new ConnectorState(streams, state?.Global), cancellationToken);
    }
}
