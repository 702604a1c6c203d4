using System.Diagnostics;
using Matih.Core.Metadata;
using Matih.Core.Warehouse;
using Matih.Sdk.Catalog;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Catalog;

/// <summary>A dataset as the catalog lists it (the seed's catalog table, plus what search needs).</summary>
/// <param name="Table">Its three-part name.</param>
/// <param name="Kind"><c>table</c> or <c>view</c>.</param>
/// <param name="Columns">Its columns.</param>
/// <param name="Rows">Rows: exact when Matih wrote it, else the engine's estimate.</param>
/// <param name="LastUpdated">When Matih last wrote it, when known.</param>
/// <param name="QualityScore">Share of expectations met in its latest validation (0..1), or null when never validated.</param>
/// <param name="SourceLocation">Where it came from (<c>novamart.public.customers</c>), when known.</param>
/// <param name="Origin">What wrote it: <c>sync:...</c>, <c>import</c>, <c>sql</c>, <c>demo</c>, or the provider id.</param>
/// <param name="Description">Searchable description.</param>
public sealed record CatalogEntry(
    TableRef Table,
    string Kind,
    IReadOnlyList<ColumnSchema> Columns,
    long? Rows,
    DateTimeOffset? LastUpdated,
    double? QualityScore,
    string? SourceLocation,
    string Origin,
    string? Description)
{
    /// <summary>The schema as the seed's catalog shows it: the source's <c>database.schema</c> when known, else <c>catalog.schema</c>.</summary>
    public string DisplaySchema => SourceLocation is { } source && source.Count(c => c == '.') == 2
        ? source[..source.LastIndexOf('.')]
        : $"{Table.Catalog}.{Table.Schema}";
}

/// <summary>One search result and why it matched.</summary>
public sealed record CatalogHit(CatalogEntry Entry, double Score, string MatchedOn);

/// <summary>A page of search results.</summary>
public sealed record CatalogPage(IReadOnlyList<CatalogHit> Items, int Total, int Page, int PageSize, long ElapsedMicroseconds);

/// <summary>
/// The catalog: every table of the warehouse and of catalog-provider plugins, with origin, rows and freshness from
/// the dataset registry, searchable by table name, column name, source and description. Built from one query over
/// DuckDB's catalog and cached briefly, so search stays fast with many thousands of tables.
/// </summary>
public sealed class CatalogService
{
    /// <summary>
    /// After this, a search still answers from the snapshot but refreshes it in the background (changes made
    /// outside Matih show up then; Matih's own writes invalidate it at once).
    /// </summary>
    public static readonly TimeSpan SnapshotLifetime = TimeSpan.FromSeconds(10);

    private readonly DuckDbWarehouse _warehouse;
    private readonly IDbContextFactory<MetadataDbContext> _contexts;
    private readonly IEnumerable<ICatalogProvider> _providers;
    private readonly Connections.Connections? _connections;
    private readonly Microsoft.Extensions.Logging.ILogger? _log;
    private readonly TimeProvider _clock;
    private static readonly TimeSpan LiveTimeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Snapshot? _snapshot;

    /// <summary>Creates the catalog; it refreshes whenever the registry records a write.</summary>
    /// <param name="warehouse">The warehouse whose tables are listed.</param>
    /// <param name="contexts">The metadata store (origins, rows, freshness).</param>
    /// <param name="datasets">Raises a change whenever Matih writes a table.</param>
    /// <param name="providers">Catalog-provider plugins.</param>
    /// <param name="clock">The time.</param>
    /// <param name="connections">Connections whose connectors list their source live (optional).</param>
    /// <param name="log">Where unreachable live sources are reported (optional).</param>
    public CatalogService(DuckDbWarehouse warehouse, IDbContextFactory<MetadataDbContext> contexts, DatasetRegistry datasets, IEnumerable<ICatalogProvider> providers, TimeProvider clock,
        Connections.Connections? connections = null, Microsoft.Extensions.Logging.ILogger<CatalogService>? log = null)
    {
        _connections = connections;
        _log = log;
        _warehouse = warehouse;
        _contexts = contexts;
        _providers = providers;
        _clock = clock;
        datasets.Changed += Invalidate;
    }

    /// <summary>Marks the snapshot wrong (after a write Matih made), so the next search waits for a fresh one.</summary>
    public void Invalidate()
    {
        if (_snapshot is { } current)
        {
            current.Stale = true;
        }
    }

    /// <summary>Searches the catalog; an empty query lists everything by name.</summary>
    public async Task<CatalogPage> SearchAsync(string? query, int page, int pageSize, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(cancellationToken).ConfigureAwait(false);
        var clockStart = Stopwatch.GetTimestamp();
        var terms = (query ?? "").ToLowerInvariant().Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries);
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 500);
        var skip = (int)Math.Min(int.MaxValue, (long)(page - 1) * pageSize);
        var entries = snapshot.Entries;
        if (terms.Length == 0)
        {
            // The snapshot is kept in name order: listing everything is a slice, not a sort of every table.
            var slice = entries.Skip(skip).Take(pageSize).Select(e => new CatalogHit(e.Entry, 1.0, "")).ToArray();
            return new CatalogPage(slice, entries.Count, page, pageSize, (long)Stopwatch.GetElapsedTime(clockStart).TotalMicroseconds);
        }

        // Rank by score, then by position in the (name-ordered) snapshot: no string compares, no hit objects for the misses.
        var scored = new List<(double Score, int Position, string Matched)>();
        for (var i = 0; i < entries.Count; i++)
        {
            var (score, matched) = Score(entries[i], terms);
            if (score > 0)
            {
                scored.Add((score, i, matched));
            }
        }

        scored.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Position.CompareTo(b.Position));
        var items = scored.Skip(skip).Take(pageSize).Select(h => new CatalogHit(entries[h.Position].Entry, h.Score, h.Matched)).ToArray();
        return new CatalogPage(items, scored.Count, page, pageSize, (long)Stopwatch.GetElapsedTime(clockStart).TotalMicroseconds);
    }

    /// <summary>One dataset, freshly read, or null.</summary>
    public async Task<CatalogEntry?> GetAsync(TableRef table, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(cancellationToken).ConfigureAwait(false);
        var found = snapshot.Entries.FirstOrDefault(e => e.Entry.Table == table);
        if (found is not null)
        {
            return found.Entry;
        }

        snapshot = await RefreshAsync(cancellationToken).ConfigureAwait(false);
        return snapshot.Entries.FirstOrDefault(e => e.Entry.Table == table)?.Entry;
    }

    private static (double Score, string Matched) Score(IndexedEntry indexed, string[] terms)
    {
        double total = 0;
        var matched = new List<string>();
        foreach (var term in terms)
        {
            double best = 0;
            string? on = null;
            void Consider(double score, string what)
            {
                if (score > best)
                {
                    (best, on) = (score, what);
                }
            }

            if (indexed.Name == term)
            {
                Consider(100, "table name");
            }
            else if (indexed.Name.StartsWith(term, StringComparison.Ordinal))
            {
                // The closer the name is to the term, the higher: "customers" before "customer_segments".
                Consider(70 + (10.0 * term.Length / indexed.Name.Length), "table name");
            }
            else if (indexed.Name.Contains(term, StringComparison.Ordinal))
            {
                Consider(50 + (10.0 * term.Length / indexed.Name.Length), "table name");
            }

            if (indexed.Path.Contains(term, StringComparison.Ordinal))
            {
                Consider(20, "catalog or schema");
            }

            var columnHits = indexed.ColumnNames.Count(c => c.Contains(term, StringComparison.Ordinal));
            if (columnHits > 0)
            {
                Consider(25 + Math.Min(columnHits, 5), "column name");
            }

            if (indexed.Text.Contains(term, StringComparison.Ordinal))
            {
                Consider(10, "description or source");
            }

            if (best == 0)
            {
                return (0, "");
            }

            total += best;
            matched.Add(on!);
        }

        return (total, string.Join(", ", matched.Distinct()));
    }

    private async Task<Snapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var current = _snapshot;
        if (current is not null && !current.Stale)
        {
            if (_clock.GetUtcNow() - current.TakenAt >= current.Lifetime && _refresh.CurrentCount > 0)
            {
                // Old but not known to be wrong: answer from it and refresh in the background, so no search waits.
                _ = Task.Run(() => RefreshAsync(CancellationToken.None), CancellationToken.None);
            }

            return current;
        }

        return await RefreshAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<Snapshot> RefreshAsync(CancellationToken cancellationToken)
    {
        var before = _snapshot;
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _snapshot;
            if (current is not null && !current.Stale && !ReferenceEquals(current, before))
            {
                return current;
            }

            _snapshot = current = await BuildAsync(cancellationToken).ConfigureAwait(false);
            return current;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<Snapshot> BuildAsync(CancellationToken cancellationToken)
    {
        var takenAt = _clock.GetUtcNow();
        Dictionary<string, DatasetRecord> records;
        IReadOnlyDictionary<string, double> scores;
        await using (var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false))
        {
            records = await db.Datasets.AsNoTracking().ToDictionaryAsync(d => d.Id, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
            scores = await Quality.QualityValidations.LatestScoresAsync(db, cancellationToken).ConfigureAwait(false);
        }

        var columns = new Dictionary<string, List<ColumnSchema>>(StringComparer.Ordinal);
        var result = await _warehouse.QueryAsync("""
            SELECT database_name, schema_name, table_name, column_name, data_type, is_nullable, comment
            FROM duckdb_columns()
            WHERE database_name NOT IN ('system', 'temp', 'memory') AND schema_name <> '_matih' AND NOT table_name LIKE '\_matih\_%' ESCAPE '\'
            ORDER BY database_name, schema_name, table_name, column_index
            """, cancellationToken).ConfigureAwait(false);
        foreach (var row in result.Rows)
        {
            var key = $"{row[0]}.{row[1]}.{row[2]}";
            if (!columns.TryGetValue(key, out var list))
            {
                columns[key] = list = [];
            }

            list.Add(DuckDbTypes.FromSql((string)row[3]!, (string)row[4]!, (bool)row[5]!) with { Description = row[6] as string });
        }

        var tables = await _warehouse.QueryAsync("""
            SELECT database_name, schema_name, table_name, 'table' AS kind, estimated_size, comment FROM duckdb_tables()
            WHERE database_name NOT IN ('system', 'temp', 'memory') AND schema_name <> '_matih' AND NOT table_name LIKE '\_matih\_%' ESCAPE '\'
            UNION ALL
            SELECT database_name, schema_name, view_name, 'view', NULL, comment FROM duckdb_views()
            WHERE NOT internal AND database_name NOT IN ('system', 'temp', 'memory')
            """, cancellationToken).ConfigureAwait(false);
        var entries = new List<IndexedEntry>(tables.Rows.Count);
        foreach (var row in tables.Rows)
        {
            var table = new TableRef((string)row[0]!, (string)row[1]!, (string)row[2]!);
            var id = table.ToString();
            records.TryGetValue(id, out var record);
            var estimated = row[4] is null ? (long?)null : Convert.ToInt64(row[4], System.Globalization.CultureInfo.InvariantCulture);
            entries.Add(Index(new CatalogEntry(
                table,
                (string)row[3]!,
                columns.GetValueOrDefault(id) ?? [],
                record?.RowCount ?? estimated,
                record?.LastUpdated,
                scores.TryGetValue(id, out var score) ? score : null,
                record?.SourceLocation,
                record?.Origin ?? "warehouse",
                record?.Description ?? row[5] as string)));
        }

        foreach (var provider in _providers)
        {
            await foreach (var dataset in provider.ListDatasetsAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(Index(new CatalogEntry(dataset.Table, dataset.Kind, dataset.Columns, dataset.RowCount, dataset.LastUpdated, null,
                    dataset.SourceLocation, provider.Id, dataset.Description)));
            }
        }

        if (_connections is not null)
        {
            foreach (var (connection, datasetsOfSource) in await _connections.LiveDatasetsAsync(LiveTimeout, cancellationToken).ConfigureAwait(false))
            {
                if (datasetsOfSource.Error is { } error)
                {
                    Microsoft.Extensions.Logging.LoggerExtensions.LogWarning(_log!, "The live catalog of connection {Connection} is unavailable: {Error}", connection, error);
                    continue;
                }

                foreach (var dataset in datasetsOfSource.Datasets)
                {
                    entries.Add(Index(new CatalogEntry(dataset.Table, "source " + dataset.Kind, dataset.Columns, dataset.RowCount, null, null,
                        dataset.SourceLocation, $"live:{connection}", dataset.Description)));
                }
            }
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return new Snapshot(entries, takenAt) { BuildTime = _clock.GetUtcNow() - takenAt };
    }

    private static IndexedEntry Index(CatalogEntry entry) => new(
        entry,
        entry.Table.Table.ToLowerInvariant(),
        $"{entry.Table.Catalog}.{entry.Table.Schema} {entry.DisplaySchema}".ToLowerInvariant(),
        entry.Columns.Select(c => c.Name.ToLowerInvariant()).ToArray(),
        $"{entry.Description} {entry.SourceLocation} {string.Join(' ', entry.Columns.Select(c => c.Description))}".ToLowerInvariant());

    private sealed record IndexedEntry(CatalogEntry Entry, string Name, string Path, string[] ColumnNames, string Text)
    {
        public string Id { get; } = Entry.Table.ToString();
    }

    private sealed record Snapshot(IReadOnlyList<IndexedEntry> Entries, DateTimeOffset TakenAt)
    {
        public volatile bool Stale;

        /// <summary>How long building it took.</summary>
        public TimeSpan BuildTime { get; init; }

        /// <summary>
        /// When a background refresh is due: after <see cref="SnapshotLifetime"/>, or after ten times the build time when
        /// building is slow (100,000 tables take seconds), so refreshes never keep a core busy.
        /// </summary>
        public TimeSpan Lifetime => BuildTime * 10 > SnapshotLifetime ? BuildTime * 10 : SnapshotLifetime;
    }
}
