using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Matih.Scripting;

/// <summary>A source connection, as submitted (secrets masked).</summary>
/// <param name="Id">The connection id, used in every other call.</param>
/// <param name="Name">Its display name.</param>
/// <param name="Connector">The connector, e.g. <c>source-postgres</c>.</param>
/// <param name="Config">The connector's config as written (secrets masked, <c>${NAME}</c> references kept).</param>
/// <param name="Streams">The streams it syncs.</param>
/// <param name="Schedule">Its schedule.</param>
/// <param name="Destination">Where its streams land.</param>
/// <param name="CreatedAt">When it was created.</param>
public sealed record Connection(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("connector")] string Connector,
    [property: JsonPropertyName("config")] JsonObject? Config,
    [property: JsonPropertyName("streams")] IReadOnlyList<ConnectionStream> Streams,
    [property: JsonPropertyName("schedule")] ConnectionSchedule? Schedule,
    [property: JsonPropertyName("destination")] ConnectionDestination? Destination,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

/// <summary>A stream of a connection.</summary>
/// <param name="Name">The stream (table) name.</param>
/// <param name="SyncMode"><c>full_refresh</c> or <c>incremental</c>.</param>
/// <param name="CursorField">The incremental cursor column, if any.</param>
public sealed record ConnectionStream(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("sync_mode")] string SyncMode,
    [property: JsonPropertyName("cursor_field")] string? CursorField);

/// <summary>A connection's schedule.</summary>
/// <param name="Type"><c>cron</c> or <c>manual</c>.</param>
/// <param name="Expression">The cron expression.</param>
public sealed record ConnectionSchedule([property: JsonPropertyName("type")] string Type, [property: JsonPropertyName("expression")] string? Expression);

/// <summary>Where a connection's streams land.</summary>
/// <param name="Catalog">The warehouse catalog.</param>
/// <param name="Schema">The schema.</param>
public sealed record ConnectionDestination([property: JsonPropertyName("catalog")] string Catalog, [property: JsonPropertyName("schema")] string Schema);

/// <summary>A sync run of a connection.</summary>
/// <param name="RunId">The run id.</param>
/// <param name="ConnectionId">The connection.</param>
/// <param name="State">queued, running, retrying, succeeded, failed or cancelled.</param>
/// <param name="Trigger">What started it (manual, schedule).</param>
/// <param name="Attempt">The attempt number.</param>
/// <param name="QueuedAt">When it was queued.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="Rows">Rows written per stream.</param>
/// <param name="ProgressFraction">Progress from 0 to 1 while running, when known.</param>
/// <param name="Error">Why it failed.</param>
public sealed record SyncRun(
    Guid RunId,
    string ConnectionId,
    string State,
    string Trigger,
    int Attempt,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyDictionary<string, long> Rows,
    double? ProgressFraction,
    string? Error)
{
    /// <summary>True once the run succeeded, failed or was cancelled.</summary>
    public bool Finished => Runs.IsFinished(State);

    /// <summary>Rows written over all streams.</summary>
    public long TotalRows => Rows?.Values.Sum() ?? 0;
}

/// <summary>The outcome of a file import.</summary>
/// <param name="Imported">Whether rows were loaded.</param>
/// <param name="Table">The destination table.</param>
/// <param name="RowsImported">Rows loaded.</param>
/// <param name="RowsRejected">Bad rows left out (or that stopped the import).</param>
/// <param name="RejectsTable">Where rejected rows were kept, if asked.</param>
/// <param name="BadRows">The bad rows with their line numbers and reasons.</param>
/// <param name="ElapsedMs">How long it took.</param>
/// <param name="Error">Why nothing was imported.</param>
public sealed record FileImport(
    [property: JsonPropertyName("imported")] bool Imported,
    [property: JsonPropertyName("table")] string? Table,
    [property: JsonPropertyName("rows_imported")] long RowsImported,
    [property: JsonPropertyName("rows_rejected")] long RowsRejected,
    [property: JsonPropertyName("rejects_table")] string? RejectsTable,
    [property: JsonPropertyName("bad_rows")] JsonElement BadRows,
    [property: JsonPropertyName("elapsedMs")] long ElapsedMs,
    [property: JsonPropertyName("error")] string? Error);

/// <summary>A page of catalog search hits.</summary>
/// <param name="Total">Hits in all pages.</param>
/// <param name="Page">This page, from 1.</param>
/// <param name="PageSize">Hits per page.</param>
/// <param name="Items">The hits.</param>
public sealed record CatalogPage(int Total, int Page, int PageSize, IReadOnlyList<CatalogHit> Items);

/// <summary>One table found in the catalog, as the seed's catalog table shows it.</summary>
/// <param name="Table">The table name alone (<c>customers</c>).</param>
/// <param name="Name">The three-part name.</param>
/// <param name="Schema">The schema as the seed shows it (<c>novamart.public</c>).</param>
/// <param name="Kind">table, view, feature table, ...</param>
/// <param name="Columns">Number of columns.</param>
/// <param name="Rows">Rows.</param>
/// <param name="LastUpdated">When its data last changed.</param>
/// <param name="QualityScore">The latest validation's share of expectations met, from 0 to 1.</param>
/// <param name="Source">Where it came from.</param>
/// <param name="Origin">How it was made (sync, import, sql, ...).</param>
/// <param name="MatchedOn">What matched the search.</param>
public sealed record CatalogHit(
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("schema")] string? Schema,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("columns")] int Columns,
    [property: JsonPropertyName("rows")] long? Rows,
    [property: JsonPropertyName("last_updated")] DateTimeOffset? LastUpdated,
    [property: JsonPropertyName("quality_score")] double? QualityScore,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("origin")] string? Origin,
    [property: JsonPropertyName("matched_on")] JsonElement MatchedOn);

/// <summary>A catalog table with its columns.</summary>
/// <param name="Name">The three-part name.</param>
/// <param name="Schema">The schema as the seed shows it.</param>
/// <param name="Kind">table, view, ...</param>
/// <param name="Rows">Rows.</param>
/// <param name="LastUpdated">When its data last changed.</param>
/// <param name="QualityScore">The latest quality score.</param>
/// <param name="Source">Where it came from.</param>
/// <param name="Origin">How it was made.</param>
/// <param name="Description">Its description.</param>
/// <param name="Columns">Its columns.</param>
public sealed record CatalogTable(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("schema")] string? Schema,
    [property: JsonPropertyName("kind")] string? Kind,
    [property: JsonPropertyName("rows")] long? Rows,
    [property: JsonPropertyName("last_updated")] DateTimeOffset? LastUpdated,
    [property: JsonPropertyName("quality_score")] double? QualityScore,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("origin")] string? Origin,
    [property: JsonPropertyName("description")] string? Description,
    [property: JsonPropertyName("columns")] IReadOnlyList<CatalogColumn> Columns);

/// <summary>A column of a catalog table.</summary>
/// <param name="Name">The column.</param>
/// <param name="Type">Its warehouse type.</param>
/// <param name="Nullable">Whether it may be null.</param>
/// <param name="Description">Its description.</param>
public sealed record CatalogColumn(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("nullable")] bool Nullable,
    [property: JsonPropertyName("description")] string? Description);

/// <summary>A table's column profile (the seed's Column / Type / Nulls / Unique / Distribution).</summary>
/// <param name="Table">The table.</param>
/// <param name="RowCount">Rows profiled.</param>
/// <param name="Approximate">True when distinct counts and medians are estimates.</param>
/// <param name="TakenAt">When.</param>
/// <param name="ElapsedMs">How long it took.</param>
/// <param name="Columns">Per column.</param>
public sealed record TableProfile(string Table, long RowCount, bool Approximate, DateTimeOffset TakenAt, long ElapsedMs, IReadOnlyList<ColumnProfile> Columns)
{
    /// <summary>The profile of column <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    public ColumnProfile this[string name] => Columns.FirstOrDefault(c => string.Equals(c.Column, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"The profile has no column '{name}'.");

    /// <summary>The profile as a table (Column, Type, Nulls %, Unique, Distribution), as the console shows it.</summary>
    public Table ToTable() => new(
        [new("column", "VARCHAR"), new("type", "VARCHAR"), new("nulls_percent", "DOUBLE"), new("unique", "BIGINT"), new("distribution", "VARCHAR")],
        Columns.Select(c => new object?[] { c.Column, c.Type, Math.Round(c.NullPercent, 1), c.Distinct, c.Distribution }).ToArray());
}

/// <summary>One column's profile.</summary>
/// <param name="Column">The column.</param>
/// <param name="Type">Its type.</param>
/// <param name="NullPercent">Share of nulls, in percent.</param>
/// <param name="Distinct">Distinct values.</param>
/// <param name="Distribution">The distribution in words (<c>[Gold, Silver, ...]</c>, <c>min=0, median=287, max=14,329</c>).</param>
/// <param name="Min">Minimum (numbers).</param>
/// <param name="Max">Maximum (numbers).</param>
/// <param name="Median">Median (numbers).</param>
/// <param name="Mean">Mean (numbers).</param>
/// <param name="StdDev">Standard deviation (numbers).</param>
/// <param name="MinText">Minimum as text (dates, text).</param>
/// <param name="MaxText">Maximum as text.</param>
/// <param name="TopValues">The most frequent values with their shares.</param>
/// <param name="Histogram">Histogram bins.</param>
public sealed record ColumnProfile(
    string Column,
    string Type,
    double NullPercent,
    long? Distinct,
    string Distribution,
    double? Min,
    double? Max,
    double? Median,
    double? Mean,
    double? StdDev,
    string? MinText,
    string? MaxText,
    IReadOnlyList<ValueShare> TopValues,
    IReadOnlyList<HistogramBin> Histogram);

/// <summary>A value and its share.</summary>
/// <param name="Value">The value.</param>
/// <param name="Count">How often it occurs.</param>
/// <param name="Share">Its share, from 0 to 1.</param>
public sealed record ValueShare(string Value, long Count, double Share);

/// <summary>A histogram bin.</summary>
/// <param name="Label">The bin label.</param>
/// <param name="From">Lower bound.</param>
/// <param name="To">Upper bound.</param>
/// <param name="Count">Values in it.</param>
public sealed record HistogramBin(string Label, double From, double To, long Count);

/// <summary>The lineage graph around a table.</summary>
/// <param name="Table">The table asked about.</param>
/// <param name="Nodes">Tables and sources in the graph.</param>
/// <param name="Edges">Links from source to derived table, with the columns they carry.</param>
public sealed record Lineage(string Table, IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges)
{
    /// <summary>The tables <see cref="Table"/> is made from, directly.</summary>
    public IEnumerable<string> Upstream => Edges.Where(e => string.Equals(e.To, Table, StringComparison.OrdinalIgnoreCase)).Select(e => e.From);

    /// <summary>The tables made from <see cref="Table"/>, directly.</summary>
    public IEnumerable<string> Downstream => Edges.Where(e => string.Equals(e.From, Table, StringComparison.OrdinalIgnoreCase)).Select(e => e.To);
}

/// <summary>A node of a lineage graph.</summary>
/// <param name="Id">The table or source.</param>
/// <param name="Kind">table, source, ...</param>
/// <param name="Depth">Distance from the table asked about (negative upstream).</param>
public sealed record LineageNode(string Id, string Kind, int Depth);

/// <summary>An edge of a lineage graph.</summary>
/// <param name="From">The source table.</param>
/// <param name="To">The derived table.</param>
/// <param name="Kind">How (sql, sync, ...).</param>
/// <param name="Columns">Derived column to its source columns.</param>
public sealed record LineageEdge(string From, string To, string Kind, IReadOnlyDictionary<string, string[]>? Columns);

/// <summary>A saved query.</summary>
/// <param name="Name">The dotted name (<c>analytics.queries.churn_feature_set</c>).</param>
/// <param name="Sql">The SQL.</param>
/// <param name="Description">What it is for.</param>
/// <param name="UpdatedBy">Who saved it last.</param>
/// <param name="UpdatedAt">When.</param>
public sealed record SavedQuery(string Name, string Sql, string? Description, string? UpdatedBy, DateTimeOffset UpdatedAt);

/// <summary>A feature group of the feature store.</summary>
/// <param name="Name">The group name.</param>
/// <param name="SourceTable">The table it is synced from.</param>
/// <param name="EntityKey">The entity key column.</param>
/// <param name="TimestampColumn">The timestamp column.</param>
/// <param name="OfflineTable">The versioned offline table.</param>
/// <param name="Version">The latest version.</param>
/// <param name="Rows">Rows in the latest version.</param>
/// <param name="Entities">Distinct entities.</param>
/// <param name="SyncedAt">When it was last synced.</param>
/// <param name="OnlineLoaded">Whether the online index is loaded.</param>
public sealed record FeatureGroup(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("source_table")] string SourceTable,
    [property: JsonPropertyName("entity_key")] string EntityKey,
    [property: JsonPropertyName("timestamp_column")] string TimestampColumn,
    [property: JsonPropertyName("offline_table")] string OfflineTable,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("entities")] long Entities,
    [property: JsonPropertyName("synced_at")] DateTimeOffset? SyncedAt,
    [property: JsonPropertyName("online_loaded")] bool OnlineLoaded);

/// <summary>A new version of a feature group, written by a sync.</summary>
/// <param name="FeatureGroup">The group.</param>
/// <param name="Version">The version written.</param>
/// <param name="Rows">Rows.</param>
/// <param name="Entities">Distinct entities.</param>
/// <param name="NullKeyRows">Rows left out for a null key.</param>
/// <param name="SyncedAt">When.</param>
/// <param name="OfflineTable">The offline table.</param>
/// <param name="ElapsedMs">How long it took.</param>
public sealed record FeatureGroupVersion(
    [property: JsonPropertyName("feature_group")] string FeatureGroup,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("entities")] long Entities,
    [property: JsonPropertyName("null_key_rows")] long NullKeyRows,
    [property: JsonPropertyName("synced_at")] DateTimeOffset SyncedAt,
    [property: JsonPropertyName("offline_table")] string OfflineTable,
    [property: JsonPropertyName("elapsed_ms")] long ElapsedMs);

/// <summary>Helpers on run states.</summary>
public static class Runs
{
    /// <summary>True for succeeded, failed and cancelled.</summary>
    public static bool IsFinished(string? state) => state is "succeeded" or "failed" or "cancelled";
}
