using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Matih.Core.Metadata;
using Matih.Sdk.Connectors;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Connections;

/// <summary>
/// A connection as the API and the Sources page show it, in the shape it was submitted (the seed's document):
/// secrets masked, <c>${NAME}</c> references shown as written.
/// </summary>
public sealed record ConnectionView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("connector")] string Connector,
    [property: JsonPropertyName("config")] JsonObject Config,
    [property: JsonPropertyName("streams")] IReadOnlyList<StreamView> Streams,
    [property: JsonPropertyName("schedule")] ScheduleView Schedule,
    [property: JsonPropertyName("destination")] DestinationView Destination,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt)
{
    /// <summary>The cron expression, or null for manual syncs.</summary>
    [JsonIgnore]
    public string? Cron => Schedule.Expression;
}

/// <summary>A connection's schedule.</summary>
public sealed record ScheduleView([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("expression")] string? Expression);

/// <summary>Where a connection's streams land in the warehouse.</summary>
public sealed record DestinationView([property: JsonPropertyName("catalog")] string Catalog, [property: JsonPropertyName("schema")] string Schema);

/// <summary>A configured stream in the seed's words.</summary>
public sealed record StreamView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("sync_mode")] string SyncMode,
    [property: JsonPropertyName("cursor_field")] string? CursorField);

/// <summary>Source connections: create from the seed's document, read back without secrets, look up connectors.</summary>
public sealed class Connections(IDbContextFactory<MetadataDbContext> contexts, IEnumerable<IConnector> connectors, SecretValues secrets, TimeProvider clock, Audit.AuditLog? audit = null)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>The loaded connector with this id, or null.</summary>
    public IConnector? Connector(string id) => connectors.FirstOrDefault(c => c.Id == id);

    /// <summary>Every loaded connector.</summary>
    public IReadOnlyList<IConnector> All => connectors.ToArray();

    /// <summary>Validates and stores a connection document; problems are returned by JSON path and nothing is stored.</summary>
    public async Task<(ConnectionView? Connection, IReadOnlyList<DocumentProblem> Problems)> CreateAsync(JsonNode? document, string? user, CancellationToken cancellationToken)
    {
        var (definition, problems) = ConnectionDefinition.Parse(document, Connector);
        if (definition is null)
        {
            return (null, problems);
        }

        var connector = Connector(definition.Connector)!;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var record = new ConnectionRecord
        {
            Id = await UniqueIdAsync(db, definition.Name, cancellationToken).ConfigureAwait(false),
            Name = definition.Name,
            Connector = definition.Connector,
            ConfigJson = secrets.Protect(definition.Config, connector.Spec.Config).ToJsonString(),
            StreamsJson = JsonSerializer.Serialize(definition.Streams, s_json),
            Cron = definition.Cron,
            DestinationCatalog = definition.DestinationCatalog,
            DestinationSchema = definition.DestinationSchema ?? DefaultSchema(definition),
            CreatedBy = user,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Connections.Add(record);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (audit is not null)
        {
            await audit.RecordChangeAsync("connection.created", record.Id, $"{record.Connector} into {record.DestinationCatalog}.{record.DestinationSchema}").ConfigureAwait(false);
        }

        return (View(record), []);
    }

    /// <summary>
    /// Prepares a connector and its config for a check or discover: the connector must be loaded, the config must
    /// fit its spec, and <c>${NAME}</c> references must resolve. Problems are returned by JSON path.
    /// </summary>
    public (IConnector? Connector, JsonElement Config, IReadOnlyList<DocumentProblem> Problems) Prepare(string? connectorId, JsonObject? config)
    {
        var problems = new List<DocumentProblem>();
        var connector = connectorId is null ? null : Connector(connectorId);
        if (connector is null)
        {
            problems.Add(new DocumentProblem("$.connector", connectorId is null ? "connector is required." : $"No loaded connector is called '{connectorId}'."));
        }

        if (config is null)
        {
            problems.Add(new DocumentProblem("$.config", "config is required."));
        }

        if (connector is null || config is null)
        {
            return (null, default, problems);
        }

        ParameterValidation.Check(config, connector.Spec.Config, "$.config", problems);
        if (problems.Count > 0)
        {
            return (null, default, problems);
        }

        try
        {
            return (connector, JsonSerializer.SerializeToElement(secrets.Resolve(config)), problems);
        }
        catch (InvalidOperationException e)
        {
            return (null, default, [new DocumentProblem("$.config", e.Message)]);
        }
    }

    /// <summary>Figures about a stored connection's source (slot lag, WAL retained); empty when the connector has none.</summary>
    /// <exception cref="InvalidOperationException">A secret the connection refers to is not set.</exception>
    public async Task<IReadOnlyList<SourceFigure>?> DiagnoseAsync(string id, CancellationToken cancellationToken)
    {
        var record = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return null;
        }

        if (Connector(record.Connector) is not IConnectorDiagnostics diagnostics)
        {
            return [];
        }

        var config = JsonSerializer.SerializeToElement(secrets.Resolve(JsonNode.Parse(record.ConfigJson)!.AsObject()));
        return await diagnostics.DiagnoseAsync(config, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The live datasets of every connection whose connector lists its source (<see cref="Matih.Sdk.Catalog.ILiveCatalog"/>), each within <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<(string Connection, (IReadOnlyList<Matih.Sdk.Catalog.DatasetInfo> Datasets, string? Error) Result)>> LiveDatasetsAsync(
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var results = new List<(string, (IReadOnlyList<Matih.Sdk.Catalog.DatasetInfo>, string?))>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var records = await db.Connections.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var record in records)
        {
            if (Connector(record.Connector) is not Matih.Sdk.Catalog.ILiveCatalog live)
            {
                continue;
            }

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                var config = JsonSerializer.SerializeToElement(secrets.Resolve(JsonNode.Parse(record.ConfigJson)!.AsObject()));
                results.Add((record.Id, (await live.ListLiveDatasetsAsync(config, limit.Token).ConfigureAwait(false), null)));
            }
            catch (Exception e) when (e is not OutOfMemoryException && !cancellationToken.IsCancellationRequested)
            {
                results.Add((record.Id, ([], e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : e.Message)));
            }
        }

        return results;
    }

    /// <summary>One connection, or null.</summary>
    public async Task<ConnectionView?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var record = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        return record is null ? null : View(record);
    }

    /// <summary>Every connection, by name.</summary>
    public async Task<IReadOnlyList<ConnectionView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var records = await db.Connections.AsNoTracking().OrderBy(c => c.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        return records.Select(View).ToArray();
    }

    /// <summary>What the API shows of a stored record (secrets redacted); for pages read from the database.</summary>
    public ConnectionView Describe(ConnectionRecord record) => View(record);

    /// <summary>The stored record (secrets protected), or null.</summary>
    public async Task<ConnectionRecord?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Connections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The configured streams of a record.</summary>
    public static IReadOnlyList<StreamSetting> StreamsOf(ConnectionRecord record) =>
        JsonSerializer.Deserialize<StreamSetting[]>(record.StreamsJson, s_json) ?? [];

    private ConnectionView View(ConnectionRecord record)
    {
        var config = JsonNode.Parse(record.ConfigJson)!.AsObject();
        var spec = Connector(record.Connector)?.Spec.Config ?? [];
        return new ConnectionView(record.Id, record.Name, record.Connector, SecretValues.Redact(config, spec),
            StreamsOf(record).Select(s => new StreamView(s.Name, s.Mode == SyncMode.FullRefresh ? "full_refresh" : "incremental", s.CursorField)).ToArray(),
            new ScheduleView(record.Cron is null ? "manual" : "cron", record.Cron),
            new DestinationView(record.DestinationCatalog, record.DestinationSchema),
            record.CreatedAt);
    }

    private static string DefaultSchema(ConnectionDefinition definition)
    {
        // Synced tables land where the seed's SQL reads them: catalog postgresql, schema = the source database.
        var database = definition.Config["database"] is JsonValue value && value.TryGetValue<string>(out var text) && !SecretValues.IsReference(text) ? text : null;
        return Slug(database ?? definition.Connector.Replace("source-", "", StringComparison.Ordinal)).Replace('-', '_');
    }

    private static async Task<string> UniqueIdAsync(MetadataDbContext db, string name, CancellationToken cancellationToken)
    {
        var stem = Slug(name);
        var id = stem;
        for (var n = 2; await db.Connections.AnyAsync(c => c.Id == id, cancellationToken).ConfigureAwait(false); n++)
        {
            id = $"{stem}-{n}";
        }

        return id;
    }

    private static string Slug(string text)
    {
        var chars = text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "connection" : slug;
    }
}
