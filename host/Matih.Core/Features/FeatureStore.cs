using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Matih.Core.Catalog;
using Matih.Core.Lineage;
using Matih.Core.Metadata;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Features;

/// <summary>
/// The feature store. Each sync of a feature group copies its source table into the offline store and rebuilds
/// the online store from it.
/// </summary>
/// <remarks>
/// <para>
/// Offline store: one warehouse table per group, <c>analytics.features.{group}</c>, holding every version's rows with
/// two extra columns, <c>_version</c> (1, 2, ...) and <c>_synced_at</c>. One table (rather than one per version)
/// keeps the catalog and lineage to one node per group and makes "the rows a model was trained on" one filter
/// (<c>WHERE _version = 3</c>); versions are appended in order, so DuckDB's zone maps skip other versions cheaply.
/// Columns the source gains later are added to the table; earlier versions read NULL there.
/// </para>
/// <para>
/// Online store: the latest row per entity of the latest version (largest timestamp; ties broken by the other
/// columns in table order, largest first, so the same data always gives the same row), held in memory and read by
/// key without touching the warehouse. It is built at sync and, after a restart, on the first lookup.
/// </para>
/// </remarks>
public sealed partial class FeatureStore
{
    /// <summary>The catalog holding offline stores.</summary>
    public const string OfflineCatalog = "analytics";

    /// <summary>The schema holding offline stores.</summary>
    public const string OfflineSchema = "features";

    /// <summary>The offline table's version column.</summary>
    public const string VersionColumn = "_version";

    /// <summary>The offline table's sync time column.</summary>
    public const string SyncedAtColumn = "_synced_at";

    private static readonly JsonSerializerOptions s_json = new() { Converters = { new JsonStringEnumConverter() } };

    private readonly DuckDbWarehouse _warehouse;
    private readonly IDbContextFactory<MetadataDbContext> _contexts;
    private readonly DatasetRegistry _datasets;
    private readonly LineageGraph _lineage;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _syncLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<OnlineTable?>>> _online = new(StringComparer.Ordinal);

    /// <summary>Creates the store over the warehouse and the metadata store.</summary>
    public FeatureStore(DuckDbWarehouse warehouse, IDbContextFactory<MetadataDbContext> contexts, DatasetRegistry datasets, LineageGraph lineage, TimeProvider clock,
        ILogger<FeatureStore>? log = null)
    {
        _warehouse = warehouse;
        _contexts = contexts;
        _datasets = datasets;
        _lineage = lineage;
        _clock = clock;
        _log = (ILogger?)log ?? NullLogger.Instance;
    }

    /// <summary>The offline table of <paramref name="group"/>: <c>analytics.features.{group}</c>.</summary>
    public static TableRef OfflineTableOf(string group) => new(OfflineCatalog, OfflineSchema, group);

    /// <summary>Checks <paramref name="spec"/> against the warehouse without syncing; an empty list means it can run.</summary>
    public async Task<IReadOnlyList<FeatureSyncProblem>> ValidateAsync(FeatureGroupSync spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (problems, _, _) = await CheckAsync(spec, ct).ConfigureAwait(false);
        return problems;
    }

    /// <summary>
    /// Registers or refreshes a feature group: appends the source's rows to the offline store as the next version,
    /// rebuilds the online store, records the version, the catalog entry and lineage from the source.
    /// </summary>
    /// <exception cref="FeatureStoreException">The spec is wrong (missing table or column, bad name); every problem is named.</exception>
    public async Task<FeatureGroupVersion> SyncAsync(FeatureGroupSync spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var clock = Stopwatch.StartNew();
        var (problems, source, sourceSchema) = await CheckAsync(spec, ct).ConfigureAwait(false);
        if (problems.Count > 0)
        {
            throw new FeatureStoreException(problems);
        }

        var group = spec.FeatureGroup;
        var gate = _syncLocks.GetOrAdd(group, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var key = sourceSchema!.Find(spec.EntityKey)!.Name;
            var timestamp = sourceSchema.Find(spec.TimestampColumn)!.Name;
            var offline = OfflineTableOf(group);
            FeatureGroupRecord? record;
            await using (var db = await _contexts.CreateDbContextAsync(ct).ConfigureAwait(false))
            {
                record = await db.Set<FeatureGroupRecord>().AsNoTracking().SingleOrDefaultAsync(g => g.Name == group, ct).ConfigureAwait(false);
            }

            var previous = record?.LatestVersion ?? 0;
            var version = previous + 1;
            var syncedAt = _clock.GetUtcNow();
            await PrepareOfflineTableAsync(offline, source!, sourceSchema, ct).ConfigureAwait(false);
            var stats = await WriteVersionAsync(offline, source!, previous, version, syncedAt, key, timestamp, ct).ConfigureAwait(false);

            var unique = stats.DistinctKeys == stats.Rows - stats.NullKeys;
            var online = await Task.Run(() => LoadOnline(offline, version, key, timestamp, unique, (int)Math.Min(stats.Rows, int.MaxValue), ct), ct).ConfigureAwait(false);
            var schemaJson = JsonSerializer.Serialize(sourceSchema.Columns, s_json);
            var result = new FeatureGroupVersion(group, version, stats.Rows, online.Count, syncedAt)
            {
                SourceTable = source!,
                OfflineTable = offline,
                EntityKey = key,
                TimestampColumn = timestamp,
                Schema = sourceSchema.Columns,
                NullKeyRows = stats.NullKeys,
                NewestTimestamp = stats.Newest,
                Elapsed = clock.Elapsed,
            };
            await RecordAsync(result, schemaJson, ct).ConfigureAwait(false);

            // Lookups see the new version only once it is recorded, so a restart serves the same one.
            _online[group] = new Lazy<Task<OnlineTable?>>(Task.FromResult<OnlineTable?>(online));
            await RegisterInCatalogAsync(result, stats.TotalRows, ct).ConfigureAwait(false);
            _log.LogInformation("Feature group {Group} v{Version} synced from {Source}: {Rows} rows, {Entities} entities in {Milliseconds} ms",
                group, version, source, stats.Rows, online.Count, (long)clock.Elapsed.TotalMilliseconds);
            return result with { Elapsed = clock.Elapsed };
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Every feature group, by name.</summary>
    public async Task<IReadOnlyList<FeatureGroup>> ListAsync(CancellationToken ct)
    {
        await using var db = await _contexts.CreateDbContextAsync(ct).ConfigureAwait(false);
        var records = await db.Set<FeatureGroupRecord>().AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        return records.OrderBy(r => r.Name, StringComparer.Ordinal).Select(ToGroup).ToArray();
    }

    /// <summary>The group a stored record describes; for pages read from the database.</summary>
    public static FeatureGroup FromRecord(FeatureGroupRecord record) => ToGroup(record);

    /// <summary>One feature group, or null.</summary>
    public async Task<FeatureGroup?> GetAsync(string group, CancellationToken ct)
    {
        await using var db = await _contexts.CreateDbContextAsync(ct).ConfigureAwait(false);
        var record = await db.Set<FeatureGroupRecord>().AsNoTracking().SingleOrDefaultAsync(g => g.Name == group, ct).ConfigureAwait(false);
        return record is null ? null : ToGroup(record);
    }

    /// <summary>The versions of <paramref name="group"/>, newest first (empty when it does not exist).</summary>
    public async Task<IReadOnlyList<FeatureGroupVersion>> VersionsAsync(string group, CancellationToken ct)
    {
        await using var db = await _contexts.CreateDbContextAsync(ct).ConfigureAwait(false);
        var records = await db.Set<FeatureGroupVersionRecord>().AsNoTracking().Where(v => v.Group == group).ToListAsync(ct).ConfigureAwait(false);
        return records.OrderByDescending(v => v.Version).Select(v => new FeatureGroupVersion(v.Group, v.Version, v.Rows, v.Entities, v.SyncedAt)
        {
            SourceTable = TableRef.Parse(v.SourceTable),
            OfflineTable = OfflineTableOf(v.Group),
            EntityKey = v.EntityKey,
            TimestampColumn = v.TimestampColumn,
            Schema = ReadSchema(v.SchemaJson),
            NullKeyRows = v.NullKeyRows,
            NewestTimestamp = v.NewestTimestamp,
            Elapsed = TimeSpan.FromMilliseconds(v.ElapsedMilliseconds),
        }).ToArray();
    }

    /// <summary>
    /// The latest features of the entity whose key reads as <paramref name="key"/> (<c>"48213"</c>), or null when the
    /// group or the entity is unknown. After a restart the first lookup of a group loads its online store from the
    /// warehouse (seconds for millions of entities); every later lookup is an in-memory probe.
    /// </summary>
    public IReadOnlyDictionary<string, object?>? GetOnline(string group, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var table = OnlineTableTask(group);
        var loaded = table.IsCompletedSuccessfully ? table.Result : table.GetAwaiter().GetResult();
        return loaded?.Find(key);
    }

    /// <summary>As <see cref="GetOnline"/>, without blocking a thread while a group's online store loads.</summary>
    public async ValueTask<IReadOnlyDictionary<string, object?>?> GetOnlineAsync(string group, string key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        var table = OnlineTableTask(group);
        var loaded = table.IsCompletedSuccessfully ? table.Result : await table.WaitAsync(ct).ConfigureAwait(false);
        return loaded?.Find(key);
    }

    /// <summary>Loads the online stores of every group now (e.g. at start), instead of on their first lookups.</summary>
    public async Task WarmUpAsync(CancellationToken ct)
    {
        foreach (var group in await ListAsync(ct).ConfigureAwait(false))
        {
            await OnlineTableTask(group.Name).WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>True when <paramref name="group"/>'s online store is in memory.</summary>
    public bool IsOnlineLoaded(string group) =>
        _online.TryGetValue(group, out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully && lazy.Value.Result is not null;

    private Task<OnlineTable?> OnlineTableTask(string group) =>
        _online.GetOrAdd(group, static (name, store) => store.CreateLoader(name), this).Value;

    private Lazy<Task<OnlineTable?>> CreateLoader(string group)
    {
        Lazy<Task<OnlineTable?>>? self = null;
        self = new Lazy<Task<OnlineTable?>>(async () =>
        {
            try
            {
                var table = await Task.Run(() => LoadLatestOnline(group)).ConfigureAwait(false);
                if (table is null)
                {
                    // Unknown groups are not cached: the group may be synced later.
                    _online.TryRemove(KeyValuePair.Create(group, self!));
                }

                return table;
            }
            catch
            {
                // A failed load is retried by the next lookup.
                _online.TryRemove(KeyValuePair.Create(group, self!));
                throw;
            }
        });
        return self;
    }

    private OnlineTable? LoadLatestOnline(string group)
    {
        FeatureGroupRecord? record;
        using (var db = _contexts.CreateDbContext())
        {
            record = db.Set<FeatureGroupRecord>().AsNoTracking().SingleOrDefault(g => g.Name == group);
        }

        if (record is null)
        {
            return null;
        }

        var clock = Stopwatch.StartNew();
        var unique = record.Entities == record.Rows - record.NullKeyRows;
        var table = LoadOnline(TableRef.Parse(record.OfflineTable), record.LatestVersion, record.EntityKey, record.TimestampColumn, unique,
            (int)Math.Min(record.Entities, int.MaxValue), CancellationToken.None);
        _log.LogInformation("Loaded the online store of feature group {Group} v{Version}: {Entities} entities in {Milliseconds} ms",
            group, record.LatestVersion, table.Count, clock.ElapsedMilliseconds);
        return table;
    }

    private OnlineTable LoadOnline(TableRef offline, int version, string key, string timestamp, bool uniqueKeys, int capacity, CancellationToken ct)
    {
        using var connection = _warehouse.OpenConnection();
        var columns = ColumnNames(connection, offline).Where(c => c != VersionColumn && c != SyncedAtColumn).ToArray();
        var tieBreak = columns.Where(c => !c.Equals(key, StringComparison.OrdinalIgnoreCase) && !c.Equals(timestamp, StringComparison.OrdinalIgnoreCase))
            .Select(c => $", {TableRef.Quote(c)} DESC NULLS LAST");
        // With one row per entity (the usual feature table) there is nothing to choose, and the window's sort is skipped.
        var latest = uniqueKeys
            ? ""
            : $"QUALIFY row_number() OVER (PARTITION BY {TableRef.Quote(key)} ORDER BY {TableRef.Quote(timestamp)} DESC NULLS LAST{string.Concat(tieBreak)}) = 1";
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {string.Join(", ", columns.Select(TableRef.Quote))}
            FROM {offline.ToSql()}
            WHERE {VersionColumn} = {version.ToString(CultureInfo.InvariantCulture)} AND {TableRef.Quote(key)} IS NOT NULL
            {latest}
            """;
        using var registration = ct.Register(() => command.Cancel());
        using var reader = command.ExecuteReader();
        return OnlineTable.Load(reader, version, key, capacity);
    }

    private async Task<(IReadOnlyList<FeatureSyncProblem> Problems, TableRef? Source, TableSchema? Schema)> CheckAsync(FeatureGroupSync spec, CancellationToken ct)
    {
        var problems = new List<FeatureSyncProblem>();
        if (string.IsNullOrWhiteSpace(spec.FeatureGroup))
        {
            problems.Add(new(FeatureGroupSync.FeatureGroupField, "is required: the feature group's name, e.g. customer_churn_features."));
        }
        else if (!GroupName().IsMatch(spec.FeatureGroup))
        {
            problems.Add(new(FeatureGroupSync.FeatureGroupField,
                $"'{spec.FeatureGroup}' is not a feature group name: use lower-case letters, digits and underscores, starting with a letter (at most 63 characters)."));
        }

        if (string.IsNullOrWhiteSpace(spec.EntityKey))
        {
            problems.Add(new(FeatureGroupSync.EntityKeyField, "is required: the column identifying an entity, e.g. customer_id."));
        }

        if (string.IsNullOrWhiteSpace(spec.TimestampColumn))
        {
            problems.Add(new(FeatureGroupSync.TimestampColumnField, "is required: the column saying how recent a row is, e.g. last_order_date."));
        }

        if (string.IsNullOrWhiteSpace(spec.SourceTable))
        {
            problems.Add(new(FeatureGroupSync.SourceTableField, "is required: the warehouse table to read, e.g. analytics.derived.churn_features."));
            return (problems, null, null);
        }

        if (!TableRef.TryParse(spec.SourceTable, out var source))
        {
            problems.Add(new(FeatureGroupSync.SourceTableField, $"'{spec.SourceTable}' is not a three-part table name (catalog.schema.table)."));
            return (problems, null, null);
        }

        if (GroupName().IsMatch(spec.FeatureGroup ?? "") && source == OfflineTableOf(spec.FeatureGroup!))
        {
            problems.Add(new(FeatureGroupSync.SourceTableField, $"{source} is the feature group's own offline store; sync from the table the features are computed in."));
            return (problems, source, null);
        }

        var schema = await _warehouse.GetSchemaAsync(source, ct).ConfigureAwait(false);
        if (schema is null)
        {
            problems.Add(new(FeatureGroupSync.SourceTableField, $"The source table {source} does not exist in the warehouse."));
            return (problems, source, null);
        }

        var names = string.Join(", ", schema.Columns.Select(c => c.Name));
        if (!string.IsNullOrWhiteSpace(spec.EntityKey) && schema.Find(spec.EntityKey) is null)
        {
            problems.Add(new(FeatureGroupSync.EntityKeyField, $"The entity key column '{spec.EntityKey}' is not a column of {source} (columns: {names})."));
        }

        if (!string.IsNullOrWhiteSpace(spec.TimestampColumn) && schema.Find(spec.TimestampColumn) is null)
        {
            problems.Add(new(FeatureGroupSync.TimestampColumnField, $"The timestamp column '{spec.TimestampColumn}' is not a column of {source} (columns: {names})."));
        }

        foreach (var reserved in new[] { VersionColumn, SyncedAtColumn })
        {
            if (schema.Find(reserved) is not null)
            {
                problems.Add(new(FeatureGroupSync.SourceTableField, $"{source} has a column named {reserved}, which the offline store uses for itself; rename it in the source."));
            }
        }

        return (problems, source, schema);
    }

    private async Task PrepareOfflineTableAsync(TableRef offline, TableRef source, TableSchema sourceSchema, CancellationToken ct)
    {
        _warehouse.EnsureCatalog(OfflineCatalog);
        await _warehouse.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {TableRef.Quote(OfflineCatalog)}.{TableRef.Quote(OfflineSchema)}", ct).ConfigureAwait(false);
        var existing = await _warehouse.GetSchemaAsync(offline, ct).ConfigureAwait(false);
        if (existing is null)
        {
            await _warehouse.ExecuteAsync(
                $"CREATE TABLE {offline.ToSql()} AS SELECT CAST(NULL AS INTEGER) AS {VersionColumn}, CAST(NULL AS TIMESTAMPTZ) AS {SyncedAtColumn}, * FROM {source.ToSql()} LIMIT 0",
                ct).ConfigureAwait(false);
            return;
        }

        foreach (var column in sourceSchema.Columns)
        {
            var current = existing.Find(column.Name);
            if (current is null)
            {
                // A column the source gained: earlier versions read NULL there.
                await _warehouse.ExecuteAsync($"ALTER TABLE {offline.ToSql()} ADD COLUMN {TableRef.Quote(column.Name)} {column.SourceType}", ct).ConfigureAwait(false);
            }
            else if (!string.Equals(current.SourceType, column.SourceType, StringComparison.OrdinalIgnoreCase))
            {
                throw new FeatureStoreException(FeatureGroupSync.SourceTableField,
                    $"Column '{column.Name}' of {source} is {column.SourceType} now but {current.SourceType} in earlier versions of {offline}. " +
                    "Cast it back to the old type in the source, or sync under a new feature group name.");
            }
        }
    }

    private async Task<VersionStats> WriteVersionAsync(TableRef offline, TableRef source, int previous, int version, DateTimeOffset syncedAt, string key, string timestamp, CancellationToken ct)
    {
        var at = syncedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        var v = version.ToString(CultureInfo.InvariantCulture);
        // Rows above the recorded version were written by a sync that died before recording them: replace them.
        await _warehouse.ExecuteAsync($"""
            BEGIN TRANSACTION;
            DELETE FROM {offline.ToSql()} WHERE {VersionColumn} > {previous.ToString(CultureInfo.InvariantCulture)};
            INSERT INTO {offline.ToSql()} BY NAME SELECT {v} AS {VersionColumn}, TIMESTAMPTZ '{at}+00' AS {SyncedAtColumn}, * FROM {source.ToSql()};
            COMMIT;
            """, ct).ConfigureAwait(false);

        var stats = await _warehouse.QueryAsync($"""
            SELECT count(*) FILTER (WHERE {VersionColumn} = {v}),
                   count(*) FILTER (WHERE {VersionColumn} = {v} AND {TableRef.Quote(key)} IS NULL),
                   CAST(max({TableRef.Quote(timestamp)}) FILTER (WHERE {VersionColumn} = {v}) AS VARCHAR),
                   count(*),
                   count(DISTINCT {TableRef.Quote(key)}) FILTER (WHERE {VersionColumn} = {v})
            FROM {offline.ToSql()}
            """, ct).ConfigureAwait(false);
        var row = stats.Rows[0];
        return new VersionStats(Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToInt64(row[1], CultureInfo.InvariantCulture),
            row[2] as string, Convert.ToInt64(row[3], CultureInfo.InvariantCulture), Convert.ToInt64(row[4], CultureInfo.InvariantCulture));
    }

    private async Task RecordAsync(FeatureGroupVersion version, string schemaJson, CancellationToken ct)
    {
        await using var db = await _contexts.CreateDbContextAsync(ct).ConfigureAwait(false);
        var record = await db.Set<FeatureGroupRecord>().SingleOrDefaultAsync(g => g.Name == version.Group, ct).ConfigureAwait(false);
        if (record is null)
        {
            record = new FeatureGroupRecord
            {
                Name = version.Group,
                SourceTable = version.SourceTable.ToString(),
                EntityKey = version.EntityKey,
                TimestampColumn = version.TimestampColumn,
                OfflineTable = version.OfflineTable.ToString(),
                CreatedAt = version.SyncedAt,
            };
            db.Add(record);
        }

        record.SourceTable = version.SourceTable.ToString();
        record.EntityKey = version.EntityKey;
        record.TimestampColumn = version.TimestampColumn;
        record.OfflineTable = version.OfflineTable.ToString();
        record.LatestVersion = version.Version;
        record.Rows = version.Rows;
        record.Entities = version.Entities;
        record.NullKeyRows = version.NullKeyRows;
        record.SchemaJson = schemaJson;
        record.SyncedAt = version.SyncedAt;
        record.NewestTimestamp = version.NewestTimestamp;

        // A version row left by a sync that died before its group was recorded is replaced.
        var stale = await db.Set<FeatureGroupVersionRecord>().Where(v => v.Group == version.Group && v.Version >= version.Version).ToListAsync(ct).ConfigureAwait(false);
        db.RemoveRange(stale);
        db.Add(new FeatureGroupVersionRecord
        {
            Group = version.Group,
            Version = version.Version,
            SourceTable = version.SourceTable.ToString(),
            EntityKey = version.EntityKey,
            TimestampColumn = version.TimestampColumn,
            Rows = version.Rows,
            Entities = version.Entities,
            NullKeyRows = version.NullKeyRows,
            SchemaJson = schemaJson,
            SyncedAt = version.SyncedAt,
            NewestTimestamp = version.NewestTimestamp,
            ElapsedMilliseconds = (long)version.Elapsed.TotalMilliseconds,
        });
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    private async Task RegisterInCatalogAsync(FeatureGroupVersion version, long totalRows, CancellationToken ct)
    {
        var offline = version.OfflineTable.ToString();
        await using (var db = await _contexts.CreateDbContextAsync(ct).ConfigureAwait(false))
        {
            // The description makes the offline store findable as a feature group in catalog search.
            var dataset = await db.Datasets.SingleOrDefaultAsync(d => d.Id == offline, ct).ConfigureAwait(false);
            if (dataset is null)
            {
                dataset = new DatasetRecord { Id = offline, Origin = "feature_store" };
                db.Datasets.Add(dataset);
            }

            dataset.Description = $"Feature group {version.Group} (offline store, all versions; latest v{version.Version}): " +
                $"entity key {version.EntityKey}, timestamp {version.TimestampColumn}, from {version.SourceTable}.";
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
        }

        await _datasets.RecordAsync(version.OfflineTable, "feature_store", version.SourceTable.ToString(), totalRows, ct).ConfigureAwait(false);
        var columns = version.Schema.ToDictionary(c => c.Name, c => new[] { c.Name }, StringComparer.Ordinal);
        await _lineage.RecordEdgeAsync(version.SourceTable.ToString(), offline, "feature_store", columns,
            $"feature_store_sync {version.Group} v{version.Version} (entity_key {version.EntityKey}, timestamp_column {version.TimestampColumn})", ct).ConfigureAwait(false);
    }

    private static FeatureGroup ToGroup(FeatureGroupRecord r) => new(
        r.Name, TableRef.Parse(r.SourceTable), r.EntityKey, r.TimestampColumn, TableRef.Parse(r.OfflineTable), r.LatestVersion, r.Rows, r.Entities,
        r.SyncedAt, r.NewestTimestamp, ReadSchema(r.SchemaJson), r.CreatedAt);

    private static IReadOnlyList<ColumnSchema> ReadSchema(string json) => JsonSerializer.Deserialize<ColumnSchema[]>(json, s_json) ?? [];

    private static List<string> ColumnNames(DuckDB.NET.Data.DuckDBConnection connection, TableRef table)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT column_name FROM information_schema.columns WHERE table_catalog = $c AND table_schema = $s AND table_name = $t ORDER BY ordinal_position";
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("c", table.Catalog));
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("s", table.Schema));
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("t", table.Table));
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read())
        {
            names.Add(reader.GetString(0));
        }

        return names.Count > 0 ? names : throw new InvalidOperationException($"The offline store {table} is missing from the warehouse.");
    }

    private readonly record struct VersionStats(long Rows, long NullKeys, string? Newest, long TotalRows, long DistinctKeys);

    [GeneratedRegex("^[a-z][a-z0-9_]{0,62}$")]
    private static partial Regex GroupName();
}
