using System.Text.Json;
using Matih.Sdk.Connectors;
using NpgsqlTypes;

namespace Matih.Plugins.SourcePostgres;

/// <summary>
/// The connection's state as one sync builds it up: per stream (<c>{"cursor_field", "cursor"}</c> for Standard
/// incremental streams, <c>{"snapshot_lsn"}</c> for CDC streams whose initial snapshot is done) and global
/// (<c>{"lsn"}</c>: the replication position every CDC stream is complete up to). Each checkpoint sends all of it.
/// </summary>
internal sealed class SyncState
{
    private readonly Dictionary<string, JsonElement> _streams;

    public SyncState(ConnectorState? previous)
    {
        _streams = previous?.Streams.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
            ?? new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        Global = previous?.Global;
    }

    /// <summary>The global state, or null.</summary>
    public JsonElement? Global { get; private set; }

    /// <summary>The saved replication position, or null before the first CDC snapshot.</summary>
    public NpgsqlLogSequenceNumber? Lsn =>
        Global is { ValueKind: JsonValueKind.Object } global && global.TryGetProperty("lsn", out var lsn)
        && lsn.ValueKind == JsonValueKind.String && NpgsqlLogSequenceNumber.TryParse(lsn.GetString()!, out var parsed)
            ? parsed
            : null;

    /// <summary>The state of <paramref name="stream"/>, or null.</summary>
    public JsonElement? Stream(string stream) => _streams.TryGetValue(stream, out var value) ? value : null;

    /// <summary>Replaces the state of <paramref name="stream"/>.</summary>
    public void SetStream(string stream, JsonElement value) => _streams[stream] = value;

    /// <summary>Records the replication position every CDC stream is complete up to.</summary>
    public void SetLsn(NpgsqlLogSequenceNumber lsn) =>
        Global = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["lsn"] = lsn.ToString() });

    /// <summary>Whether CDC stream <paramref name="stream"/> has had its initial snapshot.</summary>
    public bool HasSnapshot(string stream) =>
        Stream(stream) is { ValueKind: JsonValueKind.Object } saved && saved.TryGetProperty("snapshot_lsn", out _);

    /// <summary>Marks CDC stream <paramref name="stream"/> as snapshotted at <paramref name="lsn"/>.</summary>
    public void SetSnapshot(string stream, NpgsqlLogSequenceNumber lsn) =>
        SetStream(stream, JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["snapshot_lsn"] = lsn.ToString() }));

    /// <summary>A copy to hand to <see cref="IRecordSink.CheckpointAsync"/>.</summary>
    public ConnectorState ToConnectorState() => new(new Dictionary<string, JsonElement>(_streams, StringComparer.Ordinal), Global);
}
