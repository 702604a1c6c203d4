using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Matih.Scripting;

/// <summary>Waits for runs to finish by polling their route.</summary>
internal static class Polling
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> finished, TimeSpan? timeout, string what, CancellationToken cancellationToken)
    {
        var deadline = timeout is { } limit ? DateTime.UtcNow + limit : DateTime.MaxValue;
        while (true)
        {
            var current = await read().ConfigureAwait(false);
            if (finished(current))
            {
                return current;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{what} did not finish within {timeout!.Value.TotalSeconds:0.#} s.");
            }

            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Source connections and their syncs (<c>/api/connections</c>).</summary>
public sealed class ConnectionsClient
{
    private readonly ApiClient _api;
    private readonly Func<CancellationToken> _cancellation;

    internal ConnectionsClient(ApiClient api, Func<CancellationToken> cancellation) => (_api, _cancellation) = (api, cancellation);

    /// <summary>Every connection, by name (read a page at a time).</summary>
    public async Task<IReadOnlyList<Connection>> ListAsync() =>
        JsonSerializer.Deserialize<IReadOnlyList<Connection>>(await _api.GetAllPagesAsync("api/connections").ConfigureAwait(false), ApiClient.ReadOptions)!;

    /// <summary>The connection <paramref name="id"/>.</summary>
    public Task<Connection> GetAsync(string id) => _api.GetAsync<Connection>($"api/connections/{ApiClient.Segment(id)}");

    /// <summary>Creates a connection from the seed's Airbyte-style document (a JSON string, used verbatim, or an object).</summary>
    public Task<Connection> CreateAsync(object document) => _api.PostAsync<Connection>("api/connections", document);

    /// <summary>Tests that a source can be reached with <paramref name="config"/>; the answer has <c>succeeded</c> and <c>message</c>.</summary>
    public Task<JsonNode?> CheckAsync(string connector, object config) => _api.PostAsync("api/connections/check", new { connector, config });

    /// <summary>Lists a source's streams with their columns and sync modes.</summary>
    public Task<JsonNode?> DiscoverAsync(string connector, object config) => _api.PostAsync("api/connections/discover", new { connector, config });

    /// <summary>The loaded connectors with their config specs.</summary>
    public Task<JsonNode?> ConnectorsAsync() => _api.GetAsync("api/connectors");

    /// <summary>Starts a sync of connection <paramref name="id"/> and returns its run id (see <see cref="SyncAsync"/> to wait too).</summary>
    public async Task<Guid> StartSyncAsync(string id) =>
        (await _api.PostAsync<JsonElement>($"api/connections/{ApiClient.Segment(id)}/sync").ConfigureAwait(false)).GetProperty("runId").GetGuid();

    /// <summary>Syncs connection <paramref name="id"/> and waits until the run finishes; check <see cref="SyncRun.State"/>.</summary>
    public async Task<SyncRun> SyncAsync(string id, TimeSpan? timeout = null) =>
        await WaitForSyncAsync(id, await StartSyncAsync(id).ConfigureAwait(false), timeout).ConfigureAwait(false);

    /// <summary>The sync run <paramref name="runId"/> of connection <paramref name="id"/>.</summary>
    public Task<SyncRun> GetRunAsync(string id, Guid runId) => _api.GetAsync<SyncRun>($"api/connections/{ApiClient.Segment(id)}/runs/{runId}");

    /// <summary>Waits until sync run <paramref name="runId"/> succeeds, fails or is cancelled.</summary>
    public Task<SyncRun> WaitForSyncAsync(string id, Guid runId, TimeSpan? timeout = null) =>
        Polling.UntilAsync(() => GetRunAsync(id, runId), r => r.Finished, timeout, $"Sync run {runId} of {id}", _cancellation());

    /// <summary>The latest sync runs of connection <paramref name="id"/>, newest first.</summary>
    public async Task<IReadOnlyList<SyncRun>> ListRunsAsync(string id, int take = 50) =>
        (await _api.GetAsync<JsonElement>($"api/connections/{ApiClient.Segment(id)}/runs?pageSize={Math.Clamp(take, 1, 500)}").ConfigureAwait(false))
            .GetProperty("items").Deserialize<IReadOnlyList<SyncRun>>(ApiClient.ReadOptions)!;

    /// <summary>Cancels an active sync run.</summary>
    public Task CancelRunAsync(string id, Guid runId) => _api.PostAsync($"api/connections/{ApiClient.Segment(id)}/runs/{runId}/cancel");
}

/// <summary>CSV and Parquet files into warehouse tables (<c>/api/files</c>).</summary>
public sealed class FilesClient
{
    private readonly ApiClient _api;

    internal FilesClient(ApiClient api) => _api = api;

    /// <summary>Previews a file: its detected columns, the first rows and any bad rows.</summary>
    /// <param name="path">The file on this machine.</param>
    /// <param name="columns">Declared columns, e.g. <c>customer_id INT, survey_date DATE</c>; null to infer.</param>
    public Task<JsonNode?> PreviewAsync(string path, string? columns = null) => SendAsync("api/files/preview", path, columns, null, null);

    /// <summary>Imports a file into <paramref name="destination"/> (<c>novamart.surveys.customer_nps</c>), checked against the declared columns.</summary>
    /// <param name="path">The file on this machine.</param>
    /// <param name="destination">The three-part table name.</param>
    /// <param name="columns">Declared columns, e.g. <c>customer_id INT, survey_date DATE, nps_score INT</c>; null to infer.</param>
    /// <param name="keepRejects">Load the good rows and keep bad ones in a rejects table, instead of importing nothing.</param>
    public async Task<FileImport> ImportAsync(string path, string destination, string? columns = null, bool keepRejects = false)
    {
        var body = await SendAsync("api/files/import", path, columns, destination, keepRejects ? "keep_rejects" : "fail", allowUnprocessable: true).ConfigureAwait(false);
        return body.Deserialize<FileImport>(ApiClient.ReadOptions)!;
    }

    private async Task<JsonNode?> SendAsync(string route, string path, string? columns, string? destination, string? onError, bool allowUnprocessable = false)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No file at '{Path.GetFullPath(path)}'.", path);
        }

        using var form = new MultipartFormDataContent();
        var file = new StreamContent(File.OpenRead(path));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", Path.GetFileName(path));
        if (columns is not null)
        {
            form.Add(new StringContent(columns), "columns");
        }

        if (destination is not null)
        {
            form.Add(new StringContent(destination), "destination");
        }

        if (onError is not null)
        {
            form.Add(new StringContent(onError), "on_error");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = form };
        using var response = await _api.SendAsync(request).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode && !(allowUnprocessable && (int)response.StatusCode == 422))
        {
            throw MatihApiException.From("POST", "/" + route, (int)response.StatusCode, response.ReasonPhrase, text);
        }

        return JsonNode.Parse(text);
    }
}

/// <summary>The catalog: search, table details, profiles, lineage, previews (<c>/api/catalog</c>).</summary>
public sealed class CatalogClient
{
    private readonly ApiClient _api;

    internal CatalogClient(ApiClient api) => _api = api;

    /// <summary>Searches tables by name, column or description (<c>"customer"</c>).</summary>
    public Task<CatalogPage> SearchAsync(string? query, int page = 1, int pageSize = 25) =>
        _api.GetAsync<CatalogPage>($"api/catalog/search?q={Uri.EscapeDataString(query ?? "")}&page={page}&pageSize={pageSize}");

    /// <summary>A table with its columns (<c>postgresql.novamart.customers</c>).</summary>
    public Task<CatalogTable> GetTableAsync(string table) => _api.GetAsync<CatalogTable>($"api/catalog/tables/{ApiClient.Segment(table)}");

    /// <summary>Profiles a table's columns: nulls, distinct values, distributions.</summary>
    /// <param name="table">The three-part name.</param>
    /// <param name="approximate">Estimate distinct counts and medians (fast on big tables); null = the host decides by size.</param>
    public Task<TableProfile> ProfileAsync(string table, bool? approximate = null) =>
        _api.GetAsync<TableProfile>($"api/catalog/tables/{ApiClient.Segment(table)}/profile{(approximate is { } a ? $"?approx={(a ? "true" : "false")}" : "")}");

    /// <summary>The lineage graph around a table, up to <paramref name="depth"/> hops.</summary>
    public Task<Lineage> LineageAsync(string table, int depth = 5) =>
        _api.GetAsync<Lineage>($"api/catalog/tables/{ApiClient.Segment(table)}/lineage?depth={depth}");

    /// <summary>The first <paramref name="rows"/> rows of a table.</summary>
    public async Task<Table> PreviewAsync(string table, int rows = 50)
    {
        var body = await _api.GetAsync<JsonElement>($"api/catalog/tables/{ApiClient.Segment(table)}/preview?rows={rows}").ConfigureAwait(false);
        var columns = body.GetProperty("columns").EnumerateArray().Select(c => new TableColumn(c.GetString()!, "")).ToArray();
        return new Table(columns, body.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(Table.FromJson).ToArray()).ToArray());
    }
}

/// <summary>Saved queries (<c>/api/queries</c>): SQL with dotted names that pipelines refer to.</summary>
public sealed class QueriesClient
{
    private readonly ApiClient _api;

    internal QueriesClient(ApiClient api) => _api = api;

    /// <summary>Every saved query, by name (read a page at a time).</summary>
    public async Task<IReadOnlyList<SavedQuery>> ListAsync()
    {
        var all = new List<SavedQuery>();
        for (var page = 1; ; page++)
        {
            var found = await _api.GetAsync<JsonElement>($"api/queries?page={page}&pageSize=500").ConfigureAwait(false);
            all.AddRange(found.GetProperty("items").Deserialize<IReadOnlyList<SavedQuery>>(ApiClient.ReadOptions)!);
            if (all.Count >= found.GetProperty("total").GetInt32() || found.GetProperty("items").GetArrayLength() == 0)
            {
                return all;
            }
        }
    }

    /// <summary>The saved query <paramref name="name"/>.</summary>
    public Task<SavedQuery> GetAsync(string name) => _api.GetAsync<SavedQuery>($"api/queries/{ApiClient.Segment(name)}");

    /// <summary>Saves (or replaces) query <paramref name="name"/>, e.g. <c>analytics.queries.churn_feature_set</c>.</summary>
    public Task<SavedQuery> SaveAsync(string name, string sql, string? description = null) =>
        _api.PostAsync<SavedQuery>("api/queries", new { name, sql, description });
}

/// <summary>The feature store (<c>/api/features</c>): feature groups, syncs and online lookups.</summary>
public sealed class FeaturesClient
{
    private readonly ApiClient _api;

    internal FeaturesClient(ApiClient api) => _api = api;

    /// <summary>Every feature group.</summary>
    public async Task<IReadOnlyList<FeatureGroup>> ListAsync() =>
        JsonSerializer.Deserialize<IReadOnlyList<FeatureGroup>>(await _api.GetAllPagesAsync("api/features").ConfigureAwait(false), ApiClient.ReadOptions)!;

    /// <summary>A feature group with its versions and lineage.</summary>
    public Task<JsonNode?> GetAsync(string group) => _api.GetAsync($"api/features/{ApiClient.Segment(group)}");

    /// <summary>Writes a new version of <paramref name="featureGroup"/> from <paramref name="sourceTable"/> (a feature_store_sync task's config).</summary>
    public Task<FeatureGroupVersion> SyncAsync(string featureGroup, string sourceTable, string entityKey, string timestampColumn) =>
        _api.PostAsync<FeatureGroupVersion>("api/features", new { feature_group = featureGroup, source_table = sourceTable, entity_key = entityKey, timestamp_column = timestampColumn });

    /// <summary>An entity's features from the online index (<c>customer_churn_features</c>, <c>"1042587"</c>).</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> OnlineAsync(string group, string key)
    {
        var body = await _api.GetAsync<JsonElement>($"api/features/{ApiClient.Segment(group)}/online/{ApiClient.Segment(key)}").ConfigureAwait(false);
        return body.GetProperty("features").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }
}
