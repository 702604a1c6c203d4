using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Sdk.Connectors;

namespace Matih.Host.Components.Connections;

/// <summary>One stream in the Add Connection form: what the source offers (once discovered) and what the user chose.</summary>
public sealed class StreamChoice(string name)
{
    /// <summary>The stream name (<c>customers</c>).</summary>
    public string Name { get; } = name;

    /// <summary>What discovery found; null for a stream named in a pasted document and not discovered (yet).</summary>
    public StreamDescriptor? Discovered { get; set; }

    /// <summary>Whether the connection syncs this stream.</summary>
    public bool Include { get; set; } = true;

    /// <summary>How it is read.</summary>
    public SyncMode Mode { get; set; } = SyncMode.FullRefresh;

    /// <summary>The cursor column for incremental reads without CDC.</summary>
    public string? CursorField { get; set; }
}

/// <summary>
/// A connection being added: the connector, its config (filled by the generated form), the streams and their sync
/// modes, the schedule and the destination. Written out as the seed's Airbyte-style document, and read back from one
/// the user pasted, so the form and the JSON tab are two views of the same draft.
/// </summary>
public sealed class ConnectionDraft
{
    /// <summary>The schedule used when the user picks cron and has not typed one: hourly, as in the seed.</summary>
    public const string DefaultCron = "0 * * * *";

    /// <summary>The default destination catalog, where the seed's SQL reads synced tables.</summary>
    public const string DefaultCatalog = "postgresql";

    /// <summary>The connector id (<c>source-postgres</c>), or null before one is chosen.</summary>
    public string? ConnectorId { get; set; }

    /// <summary>The display name; empty lets the engine name it after the connector and database.</summary>
    public string Name { get; set; } = "";

    /// <summary>The connector's <c>config</c> object.</summary>
    public JsonObject Config { get; set; } = [];

    /// <summary>The streams, in the source's order.</summary>
    public List<StreamChoice> Streams { get; } = [];

    /// <summary>True for a cron schedule, false for manual syncs only.</summary>
    public bool Scheduled { get; set; }

    /// <summary>The cron expression when <see cref="Scheduled"/>.</summary>
    public string Cron { get; set; } = DefaultCron;

    /// <summary>The warehouse catalog the streams land in.</summary>
    public string Catalog { get; set; } = DefaultCatalog;

    /// <summary>The schema they land in; empty = the engine's default (the source database's name).</summary>
    public string Schema { get; set; } = "";

    /// <summary>True when the config asks for change data capture: incremental streams then need no cursor.</summary>
    public bool IsCdc => Config["replication_method"] is JsonObject method
        && method["method"] is JsonValue value && value.TryGetValue<string>(out var text)
        && string.Equals(text, "CDC", StringComparison.OrdinalIgnoreCase);

    /// <summary>The schema the engine picks when <see cref="Schema"/> is empty, for the field's placeholder.</summary>
    public string DefaultSchema
    {
        get
        {
            var database = Config["database"] is JsonValue value && value.TryGetValue<string>(out var text) && !SecretValues.IsReference(text) ? text : null;
            var name = database ?? ConnectorId?.Replace("source-", "", StringComparison.Ordinal) ?? "";
            var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
            return string.Join('_', new string(chars).Split('_', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    /// <summary>The draft as a connection document in the seed's format (plus <c>name</c> and <c>destination</c>).</summary>
    public JsonObject ToDocument()
    {
        var document = new JsonObject();
        if (!string.IsNullOrWhiteSpace(Name))
        {
            document["name"] = Name.Trim();
        }

        document["connector"] = ConnectorId;
        document["config"] = Config.DeepClone();
        document["streams"] = new JsonArray(Streams.Where(s => s.Include).Select(s =>
        {
            var stream = new JsonObject { ["name"] = s.Name, ["sync_mode"] = ModeName(s.Mode) };
            if (s.Mode == SyncMode.Incremental && !string.IsNullOrEmpty(s.CursorField))
            {
                stream["cursor_field"] = s.CursorField;
            }

            return (JsonNode?)stream;
        }).ToArray());
        document["schedule"] = Scheduled
            ? new JsonObject { ["type"] = "cron", ["expression"] = Cron.Trim() }
            : new JsonObject { ["type"] = "manual" };
        var destination = new JsonObject { ["catalog"] = string.IsNullOrWhiteSpace(Catalog) ? DefaultCatalog : Catalog.Trim() };
        if (!string.IsNullOrWhiteSpace(Schema))
        {
            destination["schema"] = Schema.Trim();
        }

        document["destination"] = destination;
        return document;
    }

    /// <summary>
    /// Becomes what a pasted document says, read the way the engine reads it (no schedule is manual, no destination is
    /// the default). What discovery found about the streams is kept; offered streams the document leaves out stay in
    /// the list, unticked.
    /// </summary>
    public void Load(JsonObject document)
    {
        var connector = Text(document["connector"]);
        var known = connector == ConnectorId ? Streams.ToDictionary(s => s.Name, StringComparer.Ordinal) : [];
        ConnectorId = connector;
        Name = Text(document["name"]) ?? "";
        Config = document["config"] is JsonObject config ? (JsonObject)config.DeepClone() : [];
        Streams.Clear();
        foreach (var item in (document["streams"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (Text(item["name"]) is not { } name || Streams.Exists(s => s.Name == name))
            {
                continue;
            }

            var found = known.Remove(name, out var before) ? before : null;
            Streams.Add(new StreamChoice(name)
            {
                Discovered = found?.Discovered,
                Mode = Text(item["sync_mode"]) == "incremental" ? SyncMode.Incremental : SyncMode.FullRefresh,

                // A document leaves the cursor out of full-refresh streams: keep the one picked for them before.
                CursorField = Text(item["cursor_field"]) ?? found?.CursorField,
            });
        }

        foreach (var left in known.Values.Where(s => s.Discovered is not null))
        {
            left.Include = false;
            Streams.Add(left);
        }

        var schedule = document["schedule"] as JsonObject;
        Scheduled = Text(schedule?["type"]) == "cron";
        Cron = Text(schedule?["expression"]) ?? DefaultCron;
        var destination = document["destination"] as JsonObject;
        Catalog = Text(destination?["catalog"]) ?? DefaultCatalog;
        Schema = Text(destination?["schema"]) ?? "";
    }

    /// <summary>
    /// Merges what discovery found: known streams get their description, new ones are added (all ticked when none were
    /// chosen before, unticked otherwise) in full refresh with the first cursor candidate ready for incremental.
    /// </summary>
    public void ApplyDiscovered(IReadOnlyList<StreamDescriptor> discovered)
    {
        var chosenBefore = Streams.Count > 0;
        var previous = Streams.ToDictionary(s => s.Name, StringComparer.Ordinal);
        Streams.Clear();
        foreach (var descriptor in discovered)
        {
            if (previous.Remove(descriptor.Name, out var choice))
            {
                choice.Discovered = descriptor;
                choice.CursorField ??= descriptor.CursorCandidates.FirstOrDefault();
            }
            else
            {
                choice = new StreamChoice(descriptor.Name)
                {
                    Discovered = descriptor,
                    Include = !chosenBefore,
                    CursorField = descriptor.CursorCandidates.FirstOrDefault(),
                };
            }

            Streams.Add(choice);
        }

        // Streams a pasted document names that the source does not offer stay visible so the user can see why.
        foreach (var missing in previous.Values)
        {
            missing.Discovered = null;
            Streams.Add(missing);
        }
    }

    /// <summary>The document's name for a sync mode.</summary>
    public static string ModeName(SyncMode mode) => mode == SyncMode.FullRefresh ? "full_refresh" : "incremental";

    /// <summary>Reads JSON text into an object, or says where it is broken.</summary>
    public static (JsonObject? Document, DocumentProblem? Problem) ParseDocument(string text)
    {
        try
        {
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return node is JsonObject document
                ? (document, null)
                : (null, new DocumentProblem("$", "Expected a JSON object with connector, config and streams."));
        }
        catch (JsonException e)
        {
            return (null, new DocumentProblem(e.Path ?? "$", $"Not valid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}."));
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
