using Matih.Sdk.Data;

namespace Matih.Sdk.Connectors;

/// <summary>How rows in a batch change the destination table.</summary>
public enum RecordOperation
{
    /// <summary>
    /// Insert the rows; for incremental streams, replace rows with the same primary key (dedupe). Writes apply in call
    /// order: a later row with the same key wins, within a batch and across batches, and a delete followed by an
    /// upsert of the same key leaves the upserted row.
    /// </summary>
    Upsert,
    /// <summary>Delete the rows with these primary keys (CDC). The batch needs only the key columns.</summary>
    Delete,
}

/// <summary>
/// The warehouse side of a sync. Everything written between two checkpoints becomes visible at the second one,
/// together with its state, in one transaction; a sync that fails between checkpoints leaves no partial rows.
/// </summary>
/// <remarks>
/// A full-refresh stream replaces its table at the first checkpoint after its rows were written, so checkpoint it
/// once it is complete. The sink copies what it needs before a call returns: batches and states may be reused.
/// </remarks>
public interface IRecordSink
{
    /// <summary>Declares a stream's schema before its first batch (creates or evolves the destination table).</summary>
    Task BeginStreamAsync(string stream, TableSchema schema, CancellationToken cancellationToken);

    /// <summary>Writes a batch of rows of <paramref name="stream"/>. The batch may be reused once this returns.</summary>
    Task WriteAsync(string stream, RowBatch batch, RecordOperation operation, CancellationToken cancellationToken);

    /// <summary>Removes every row of <paramref name="stream"/> (a CDC truncate).</summary>
    Task TruncateAsync(string stream, CancellationToken cancellationToken);

    /// <summary>Commits everything written so far with <paramref name="state"/>. Returns once durable.</summary>
    Task CheckpointAsync(ConnectorState state, CancellationToken cancellationToken);

    /// <summary>Reports progress for the run's progress bar; cheap, call it as often as you like.</summary>
    void ReportProgress(string stream, long rowsRead, long? rowsEstimated);
}
