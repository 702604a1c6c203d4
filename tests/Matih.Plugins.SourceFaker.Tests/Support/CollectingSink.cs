using System.Security.Cryptography;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.Tests.Support;

/// <summary>
/// An in-memory <see cref="IRecordSink"/> that copies every batch (the connector may reuse it after WriteAsync)
/// into typed columns per stream, and keeps the checkpoints it was given.
/// </summary>
internal sealed class CollectingSink : IRecordSink
{
    private readonly Dictionary<string, CollectedTable> _tables = new(StringComparer.Ordinal);

    /// <summary>Called after each batch is copied, with the rows collected so far in that stream.</summary>
    public Action<string, long>? AfterWrite { get; init; }

    public IReadOnlyDictionary<string, CollectedTable> Tables => _tables;

    public List<ConnectorState> Checkpoints { get; } = [];

    public List<string> BegunStreams { get; } = [];

    public long ProgressReports { get; private set; }

    public CollectedTable this[string stream] => _tables[stream];

    public Task BeginStreamAsync(string stream, TableSchema schema, CancellationToken cancellationToken)
    {
        BegunStreams.Add(stream);
        _tables[stream] = new CollectedTable(schema);
        return Task.CompletedTask;
    }

    public Task WriteAsync(string stream, RowBatch batch, RecordOperation operation, CancellationToken cancellationToken)
    {
        Assert.Equal(RecordOperation.Upsert, operation);
        var table = _tables[stream];
        table.Append(batch);
        AfterWrite?.Invoke(stream, table.RowCount);
        return Task.CompletedTask;
    }

    public Task TruncateAsync(string stream, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CheckpointAsync(ConnectorState state, CancellationToken cancellationToken)
    {
        Checkpoints.Add(state);
        return Task.CompletedTask;
    }

    public void ReportProgress(string stream, long rowsRead, long? rowsEstimated) => ProgressReports++;

    /// <summary>A SHA-256 over every stream's rows in order: equal hashes mean identical data.</summary>
    public string ContentHash()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, table) in _tables.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            table.HashInto(hash);
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
