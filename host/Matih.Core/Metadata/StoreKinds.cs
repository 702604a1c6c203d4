namespace Matih.Core.Metadata;

/// <summary>Where the metadata store lives (<c>Matih:MetadataStore</c>).</summary>
public enum MetadataStoreKind
{
    /// <summary>A SQLite file in the data directory: one host, no server needed (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (<c>Matih:MetadataConnectionString</c>): server mode, several hosts.</summary>
    PostgreSql,
}

/// <summary>Where Hangfire keeps queues and schedules (<c>Matih:JobStorage</c>).</summary>
public enum JobStorageKind
{
    /// <summary>Follows the metadata store: in memory beside SQLite, PostgreSQL beside PostgreSQL.</summary>
    Default,

    /// <summary>In the host's memory: jobs are this host's alone (run state that matters is in the metadata store).</summary>
    Embedded,

    /// <summary>PostgreSQL, shared by every host pointing at it.</summary>
    PostgreSql,
}
