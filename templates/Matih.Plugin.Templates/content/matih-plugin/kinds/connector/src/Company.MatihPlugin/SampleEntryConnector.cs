using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;

namespace Company.MatihPlugin;

/// <summary>
/// A connector with one stream, <c>greetings</c>, of <c>rows</c> generated rows. Replace the generator with reads from
/// your source; keep the shape: declare the schema, write batches, checkpoint with the state to resume from.
/// </summary>
public sealed class SampleEntryConnector : IConnector
{
    private const string Stream = "greetings";

    private static readonly TableSchema s_schema = new(
        [new ColumnSchema("id", ColumnType.Int64, Nullable: false), new ColumnSchema("message", ColumnType.String), new ColumnSchema("created_at", ColumnType.TimestampTz)],
        ["id"]);

    private readonly int _maxRows;

    /// <summary>Creates the connector.</summary>
    /// <param name="maxRows">The most rows one sync may read (the plugin's <c>max_rows</c> setting).</param>
    public SampleEntryConnector(int maxRows)
    {
        _maxRows = maxRows;
    }

    /// <inheritdoc />
    public string Id => "sample-plugin-id";

    /// <inheritdoc />
    public ConnectorSpec Spec { get; } = new(
        "Company.MatihPlugin",
        "Generated greetings, one row per number.",
        [new ParameterSpec("rows", ParameterType.Integer, "How many greetings the source holds.") { Default = JsonValue.Create(10), Minimum = 0 }])
    {
        SupportsIncremental = true,
    };

    /// <inheritdoc />
    public Task<CheckResult> CheckAsync(JsonElement config, CancellationToken cancellationToken)
    {
        // TODO: connect to the source and return CheckResult.Failed("what went wrong, and how to fix it") on failure.
        return Task.FromResult(Rows(config) is { } rows
            ? CheckResult.Ok($"The source holds {rows} greetings.")
            : CheckResult.Failed("config.rows: expected a whole number of at least 0."));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StreamDescriptor>> DiscoverAsync(JsonElement config, CancellationToken cancellationToken)
    {
        IReadOnlyList<StreamDescriptor> streams =
        [
            new StreamDescriptor(Stream, null, s_schema, [SyncMode.FullRefresh, SyncMode.Incremental])
            {
                CursorCandidates = ["id"],
                EstimatedRows = Rows(config),
            },
        ];
        return Task.FromResult(streams);
    }

    /// <inheritdoc />
    public async Task ReadAsync(JsonElement config, ReadRequest request, IRecordSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        var total = Math.Min(Rows(config) ?? throw new ArgumentException("config.rows: expected a whole number of at least 0."), _maxRows);
        foreach (var stream in request.Streams.Where(s => s.Name == Stream))
        {
            // Incremental syncs resume after the last id saved at the previous checkpoint.
            var after = stream.Mode == SyncMode.Incremental && request.State?.Streams.TryGetValue(Stream, out var saved) == true ? saved.GetInt64() : 0;
            await sink.BeginStreamAsync(Stream, s_schema, cancellationToken);
            var batch = new RowBatch(s_schema.Columns, capacity: 1024);
            for (var id = after + 1; id <= total; id++)
            {
                batch.AddRow(id, $"hello #{id}", DateTime.UnixEpoch.AddDays(id));
                if (batch.IsFull)
                {
                    await sink.WriteAsync(Stream, batch, RecordOperation.Upsert, cancellationToken);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                await sink.WriteAsync(Stream, batch, RecordOperation.Upsert, cancellationToken);
            }

            sink.ReportProgress(Stream, Math.Max(0, total - after), total);
            var state = new Dictionary<string, JsonElement>(request.State?.Streams ?? new Dictionary<string, JsonElement>())
            {
                [Stream] = JsonSerializer.SerializeToElement(Math.Max(after, total)),
            };
            await sink.CheckpointAsync(new ConnectorState(state, request.State?.Global), cancellationToken);
        }
    }

    private static long? Rows(JsonElement config)
    {
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("rows", out var rows))
        {
            return 10;
        }

        return rows.ValueKind == JsonValueKind.Number && rows.TryGetInt64(out var value) && value >= 0 ? value : null;
    }
}
