using Matih.Sdk.Data;

namespace Matih.Core.Features;

/// <summary>A feature group as listed: its definition, schema, freshness and where its stores are.</summary>
/// <param name="Name">The group's name.</param>
/// <param name="SourceTable">The table it is synced from.</param>
/// <param name="EntityKey">The entity key column.</param>
/// <param name="TimestampColumn">The column choosing the latest row per entity.</param>
/// <param name="OfflineTable">The versioned warehouse table (<c>analytics.features.{name}</c>).</param>
/// <param name="LatestVersion">The version the online store serves.</param>
/// <param name="Rows">Rows in the latest version.</param>
/// <param name="Entities">Entities in the online store (distinct non-null keys of the latest version).</param>
/// <param name="SyncedAt">When the latest version was written.</param>
/// <param name="NewestTimestamp">The largest value of the timestamp column in the latest version, as text, or null.</param>
/// <param name="Schema">The feature columns (the source's columns, without the offline table's <c>_version</c> and <c>_synced_at</c>).</param>
/// <param name="CreatedAt">When the group was first synced.</param>
public sealed record FeatureGroup(
    string Name,
    TableRef SourceTable,
    string EntityKey,
    string TimestampColumn,
    TableRef OfflineTable,
    int LatestVersion,
    long Rows,
    long Entities,
    DateTimeOffset SyncedAt,
    string? NewestTimestamp,
    IReadOnlyList<ColumnSchema> Schema,
    DateTimeOffset CreatedAt);

/// <summary>One sync of a feature group: what it wrote and when.</summary>
/// <param name="Group">The group's name.</param>
/// <param name="Version">1 for the first sync, one more for each later sync.</param>
/// <param name="Rows">Rows copied from the source into the offline store.</param>
/// <param name="Entities">Entities the online store serves from this version.</param>
/// <param name="SyncedAt">When it was written.</param>
public sealed record FeatureGroupVersion(string Group, int Version, long Rows, long Entities, DateTimeOffset SyncedAt)
{
    /// <summary>The table it was synced from.</summary>
    public required TableRef SourceTable { get; init; }

    /// <summary>The versioned warehouse table holding it (rows where <c>_version</c> = <see cref="Version"/>).</summary>
    public required TableRef OfflineTable { get; init; }

    /// <summary>The entity key column.</summary>
    public required string EntityKey { get; init; }

    /// <summary>The timestamp column.</summary>
    public required string TimestampColumn { get; init; }

    /// <summary>The feature columns of this version.</summary>
    public required IReadOnlyList<ColumnSchema> Schema { get; init; }

    /// <summary>Rows whose entity key was NULL: kept offline, not served online.</summary>
    public long NullKeyRows { get; init; }

    /// <summary>The largest value of the timestamp column, as text, or null when all were NULL.</summary>
    public string? NewestTimestamp { get; init; }

    /// <summary>How long the sync took (offline write and online load).</summary>
    public TimeSpan Elapsed { get; init; }
}
