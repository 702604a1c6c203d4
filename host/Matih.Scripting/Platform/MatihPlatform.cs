using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

[assembly: InternalsVisibleTo("Matih.Scripting.Runner")]
[assembly: InternalsVisibleTo("Matih.Scripting.Tests")]

namespace Matih.Scripting;

/// <summary>
/// The platform as a script sees it: every member here is a global in a script (<c>await SqlAsync("...")</c>,
/// <c>await Catalog.SearchAsync("customer")</c>, <c>Args[0]</c>). Each call goes to the host's REST API as the user who
/// runs the script, so roles apply exactly as for the API; the script never opens a store itself. Calls honour the
/// run's cancellation (Cancel in the console, the time limit).
/// </summary>
public class MatihPlatform
{
    private static readonly HttpClient s_http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: false)
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    private CancellationToken _cancellation;

    /// <summary>Creates the platform for a user: the host's address and that user's bearer token.</summary>
    /// <param name="apiUrl">The host, e.g. <c>http://127.0.0.1:5000/</c>.</param>
    /// <param name="token">A bearer token (<c>POST /api/auth/token</c>).</param>
    /// <param name="args">The script's arguments.</param>
    /// <param name="user">The user's name, for messages.</param>
    /// <param name="http">An HTTP client to use; null = a shared one.</param>
    public MatihPlatform(Uri apiUrl, string token, IReadOnlyList<string>? args = null, string? user = null, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        ArgumentException.ThrowIfNullOrEmpty(token);
        Api = new ApiClient(http ?? s_http, apiUrl, token, () => _cancellation);
        Args = args?.ToArray() ?? [];
        User = user ?? "";
        Connections = new ConnectionsClient(Api, () => _cancellation);
        Files = new FilesClient(Api);
        Catalog = new CatalogClient(Api);
        Queries = new QueriesClient(Api);
        Pipelines = new PipelinesClient(Api, () => _cancellation);
        Quality = new QualityClient(Api);
        Features = new FeaturesClient(Api);
        Experiments = new ExperimentsClient(Api, () => _cancellation);
        Models = new ModelsClient(Api);
        Deployments = new DeploymentsClient(Api);
        Monitors = new MonitorsClient(Api);
        AbTests = new AbTestsClient(Api);
    }

    /// <summary>The script's arguments (<c>script scripts/x.csx a b</c> gives <c>["a", "b"]</c>).</summary>
    public string[] Args { get; internal set; }

    /// <summary>The user the script runs as.</summary>
    public string User { get; internal set; }

    /// <summary>Cancelled when the run is cancelled or reaches its time limit; pass it to your own awaits.</summary>
    public CancellationToken CancellationToken => _cancellation;

    /// <summary>Any route of the host's REST API, typed or not: <c>await Api.GetAsync("api/plugins")</c>.</summary>
    public ApiClient Api { get; }

    /// <summary>Source connections and syncs.</summary>
    public ConnectionsClient Connections { get; }

    /// <summary>CSV and Parquet imports.</summary>
    public FilesClient Files { get; }

    /// <summary>Catalog search, table details, profiles, lineage and previews.</summary>
    public CatalogClient Catalog { get; }

    /// <summary>Saved queries.</summary>
    public QueriesClient Queries { get; }

    /// <summary>Pipelines and their runs.</summary>
    public PipelinesClient Pipelines { get; }

    /// <summary>Expectation suites, validations and distributions.</summary>
    public QualityClient Quality { get; }

    /// <summary>The feature store.</summary>
    public FeaturesClient Features { get; }

    /// <summary>Experiments and training runs.</summary>
    public ExperimentsClient Experiments { get; }

    /// <summary>The model registry.</summary>
    public ModelsClient Models { get; }

    /// <summary>Deployments and predictions.</summary>
    public DeploymentsClient Deployments { get; }

    /// <summary>Model monitors and their reports.</summary>
    public MonitorsClient Monitors { get; }

    /// <summary>A/B tests between model versions.</summary>
    public AbTestsClient AbTests { get; }

    /// <summary>Receives <see cref="Display"/> calls (the runner sends them to the console).</summary>
    internal Action<object?, string?>? DisplaySink { get; set; }

    /// <summary>
    /// Runs SQL on the warehouse (three-part names: <c>postgresql.novamart.customers</c>) and returns the rows as a
    /// <see cref="Table"/>. Viewers may only read; analysts may write to the analytics catalog.
    /// </summary>
    /// <param name="sql">One or more statements; the last one's rows are returned.</param>
    /// <param name="maxRows">The most rows to return (the server's default when null); <see cref="Table.RowCount"/> counts them all.</param>
    /// <exception cref="MatihApiException">The SQL failed; the message names the line and column.</exception>
    public async Task<Table> SqlAsync(string sql, int? maxRows = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        JsonElement body;
        try
        {
            body = await Api.PostAsync<JsonElement>("api/sql", new { sql, maxRows }).ConfigureAwait(false);
        }
        catch (MatihApiException e) when (e.Status == 400 && TryPosition(e.Body) is { } where)
        {
            throw new MatihApiException(e, $"The SQL failed at {where}: {e.Detail}");
        }

        var columns = body.GetProperty("columns").EnumerateArray()
            .Select(c => new TableColumn(c.GetProperty("name").GetString()!, c.GetProperty("type").GetString() ?? "")).ToArray();
        var rows = body.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(Table.FromJson).ToArray()).ToArray();
        return new Table(columns, rows, body.GetProperty("rowCount").GetInt64())
        {
            ElapsedMs = body.GetProperty("elapsedMs").GetInt64(),
            Truncated = body.TryGetProperty("truncated", out var truncated) && truncated.GetBoolean(),
            Written = body.TryGetProperty("written", out var written) ? written.EnumerateArray().Select(w => w.GetString()!).ToArray() : [],
        };
    }

    /// <summary>The installed plugins with their kind, version and state.</summary>
    public Task<JsonNode?> PluginsAsync() => Api.GetAsync("api/plugins");

    /// <summary>The host's health: stores, plugins and the demo's state.</summary>
    public Task<JsonNode?> HealthAsync() => Api.GetAsync("health");

    /// <summary>
    /// Shows a value in the console's output now (a <see cref="Table"/> as a grid, a <see cref="Series"/> as a chart,
    /// numbers and text plainly); headless runs print it.
    /// </summary>
    public void Display(object? value, string? title = null)
    {
        if (DisplaySink is { } sink)
        {
            sink(value, title);
        }
        else
        {
            Console.WriteLine(title is null ? value?.ToString() : $"{title}: {value}");
        }
    }

    /// <summary>Waits <paramref name="delay"/>, stopping early when the run is cancelled.</summary>
    public Task SleepAsync(TimeSpan delay) => Task.Delay(delay, _cancellation);

    /// <summary>Sets the token of the current run (and, for a REPL session, a fresh bearer token).</summary>
    internal void BeginRun(CancellationToken cancellation, string? token, IReadOnlyList<string>? args)
    {
        _cancellation = cancellation;
        if (token is not null)
        {
            Api.UseToken(token);
        }

        if (args is not null)
        {
            Args = args.ToArray();
        }
    }

    private static string? TryPosition(string body)
    {
        try
        {
            var problem = JsonNode.Parse(body);
            return problem?["line"] is JsonValue line
                ? $"line {line}{(problem["column"] is JsonValue column ? $", column {column}" : "")}"
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
