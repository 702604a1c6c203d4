using System.Text.Json;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;

namespace Matih.Sdk.Connectors;

/// <summary>
/// Reads a source into the warehouse, the way an Airbyte source does: describe its config (spec), test it (check),
/// list its streams (discover) and read them (read) in full-refresh, incremental or CDC mode.
/// </summary>
/// <remarks>
/// Implementations are singletons and must be thread-safe: several connections may sync at once. All state a sync
/// needs between runs goes through <see cref="ReadRequest.State"/> and <see cref="IRecordSink.CheckpointAsync"/>.
/// The <c>config</c> object a connector receives has <c>${NAME}</c> secret references already resolved; never
/// log or echo it.
/// </remarks>
public interface IConnector
{
    /// <summary>The connector id used in connection documents (<c>source-postgres</c>).</summary>
    string Id { get; }

    /// <summary>Display name and config fields.</summary>
    ConnectorSpec Spec { get; }

    /// <summary>Tests the config: can the source be reached with these credentials and settings?</summary>
    Task<CheckResult> CheckAsync(JsonElement config, CancellationToken cancellationToken);

    /// <summary>Lists the streams the source offers, with their columns, primary keys and supported sync modes.</summary>
    Task<IReadOnlyList<StreamDescriptor>> DiscoverAsync(JsonElement config, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the requested streams into <paramref name="sink"/>. For each stream, write its rows with
    /// <see cref="IRecordSink.WriteAsync"/> and call <see cref="IRecordSink.CheckpointAsync"/> with the new state at
    /// safe points; rows are visible and the state saved together, atomically, at each checkpoint.
    /// </summary>
    Task ReadAsync(JsonElement config, ReadRequest request, IRecordSink sink, CancellationToken cancellationToken);
}

/// <summary>What a connector shows in the Add Connection form.</summary>
/// <param name="DisplayName">Name in the connector picker.</param>
/// <param name="Description">One sentence.</param>
/// <param name="Config">The fields of the connection's <c>config</c> object.</param>
public sealed record ConnectorSpec(string DisplayName, string Description, IReadOnlyList<ParameterSpec> Config)
{
    /// <summary>Whether the connector supports <see cref="SyncMode.Incremental"/>.</summary>
    public bool SupportsIncremental { get; init; }

    /// <summary>Whether the connector supports change data capture.</summary>
    public bool SupportsCdc { get; init; }
}

/// <summary>The outcome of <see cref="IConnector.CheckAsync"/>. A failure is a result, not an exception.</summary>
/// <param name="Succeeded">Whether the source is usable.</param>
/// <param name="Message">What was checked, or what failed and how to fix it.</param>
public sealed record CheckResult(bool Succeeded, string Message)
{
    /// <summary>A successful check.</summary>
    public static CheckResult Ok(string message = "Connection succeeded.") => new(true, message);

    /// <summary>A failed check with the reason in words.</summary>
    public static CheckResult Failed(string message) => new(false, message);
}

/// <summary>How a stream is read.</summary>
public enum SyncMode
{
    /// <summary>Every row every time; the destination table is replaced atomically.</summary>
    FullRefresh,
    /// <summary>Only rows whose cursor is past the saved state (or, with CDC, changes from the log); upserted by primary key.</summary>
    Incremental,
}

/// <summary>A stream the source offers.</summary>
/// <param name="Name">Stream name (<c>customers</c>).</param>
/// <param name="Namespace">Where it lives in the source (<c>public</c>), or null.</param>
/// <param name="Schema">Columns and primary key.</param>
/// <param name="SupportedSyncModes">Modes the stream can be read in.</param>
public sealed record StreamDescriptor(string Name, string? Namespace, TableSchema Schema, IReadOnlyList<SyncMode> SupportedSyncModes)
{
    /// <summary>Columns usable as an incremental cursor.</summary>
    public IReadOnlyList<string> CursorCandidates { get; init; } = Array.Empty<string>();

    /// <summary>Estimated number of rows, for progress, when the source knows it cheaply.</summary>
    public long? EstimatedRows { get; init; }
}

/// <summary>One stream a sync reads, as configured in the connection.</summary>
/// <param name="Name">Stream name.</param>
/// <param name="Mode">Sync mode.</param>
/// <param name="CursorField">Cursor column for incremental reads without CDC.</param>
/// <param name="PrimaryKey">Key columns for upserts and deletes.</param>
public sealed record ConfiguredStream(string Name, SyncMode Mode, string? CursorField, IReadOnlyList<string> PrimaryKey);

/// <summary>What to read in one sync.</summary>
/// <param name="Streams">The configured streams.</param>
/// <param name="State">The state saved at the last checkpoint of the previous sync (per stream and global), or null on the first sync.</param>
public sealed record ReadRequest(IReadOnlyList<ConfiguredStream> Streams, ConnectorState? State);

/// <summary>
/// Where a sync resumes from: a JSON value per stream (e.g. the max cursor) and one for the whole connection
/// (e.g. a replication LSN). Opaque to the host; saved in the same commit as the rows it covers.
/// </summary>
public sealed record ConnectorState(IReadOnlyDictionary<string, JsonElement> Streams, JsonElement? Global);
