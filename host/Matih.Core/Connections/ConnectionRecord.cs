namespace Matih.Core.Connections;

/// <summary>A stored connection. Its config holds <c>${NAME}</c> references or encrypted values, never clear secrets.</summary>
public sealed class ConnectionRecord
{
    /// <summary>Id used in URLs.</summary>
    public required string Id { get; set; }

    /// <summary>Display name.</summary>
    public required string Name { get; set; }

    /// <summary>Connector id (<c>source-postgres</c>).</summary>
    public required string Connector { get; set; }

    /// <summary>The config object as JSON, secrets protected.</summary>
    public required string ConfigJson { get; set; }

    /// <summary>The configured streams as JSON.</summary>
    public required string StreamsJson { get; set; }

    /// <summary>Cron schedule, or null for manual syncs only.</summary>
    public string? Cron { get; set; }

    /// <summary>Warehouse catalog the streams land in.</summary>
    public required string DestinationCatalog { get; set; }

    /// <summary>Warehouse schema the streams land in.</summary>
    public required string DestinationSchema { get; set; }

    /// <summary>Who created it.</summary>
    public string? CreatedBy { get; set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One sync of a connection.</summary>
public sealed class SyncRunRecord
{
    /// <summary>Run id.</summary>
    public Guid Id { get; set; }

    /// <summary>The connection synced.</summary>
    public required string ConnectionId { get; set; }

    /// <summary>queued, running, retrying, succeeded, failed or cancelled.</summary>
    public required string State { get; set; }

    /// <summary>manual or schedule.</summary>
    public required string Trigger { get; set; }

    /// <summary>The current attempt, from 1.</summary>
    public int Attempt { get; set; }

    /// <summary>When it was asked for.</summary>
    public DateTimeOffset QueuedAt { get; set; }

    /// <summary>When its first attempt started.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Rows committed per stream, as JSON.</summary>
    public string RowsJson { get; set; } = "{}";

    /// <summary>Rows read and estimated per stream, as JSON, for the progress bar.</summary>
    public string ProgressJson { get; set; } = "{}";

    /// <summary>What went wrong, in words.</summary>
    public string? Error { get; set; }
}
