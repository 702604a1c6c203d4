using System.Globalization;
using System.Text.Json;
using Matih.Plugins.SourceFaker.Generation;
using Matih.Plugins.SourceFaker.NovaMart;
using Matih.Sdk.Connectors;

namespace Matih.Plugins.SourceFaker;

/// <summary>
/// The <c>source-faker</c> connector: generates NovaMart (customers, orders, order_items, products, returns,
/// clickstream) as a source would deliver it, seeded and reproducible, shaped like the seed walkthrough's data
/// and carrying a churn signal a model can learn.
/// </summary>
/// <remarks>
/// Every date is relative to the config's <c>as_of</c>, so the seed's churn SQL (which uses CURRENT_DATE) run on
/// that day sees the seed's profile. Incremental reads deliver rows whose cursor is past the saved state of a
/// previous read with the same seed and scale.
/// </remarks>
public sealed class FakerConnector : IConnector
{
    /// <summary>The id connection documents use.</summary>
    public const string ConnectorId = "source-faker";

    private readonly FakerSettings _settings;
    private readonly TimeProvider _time;

    /// <summary>Creates the connector with the plugin's settings.</summary>
    public FakerConnector(FakerSettings settings)
        : this(settings, TimeProvider.System)
    {
    }

    internal FakerConnector(FakerSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _time = time;
        Spec = new ConnectorSpec(
            "Sample data (NovaMart)",
            "Generates the NovaMart retail dataset: customers, orders, order items, products, returns and clickstream, reproducible from a seed.",
            FakerConfig.Spec(settings))
        {
            SupportsIncremental = true,
        };
    }

    /// <inheritdoc />
    public string Id => ConnectorId;

    /// <inheritdoc />
    public ConnectorSpec Spec { get; }

    /// <inheritdoc />
    public Task<CheckResult> CheckAsync(JsonElement config, CancellationToken cancellationToken)
    {
        if (!FakerConfig.TryParse(config, _settings, Today(), out var parsed, out var error))
        {
            return Task.FromResult(CheckResult.Failed(error));
        }

        var rows = NovaMartStream.All.Sum(s => s.EstimateRows(parsed.Scale));
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"Ready to generate NovaMart at scale {parsed.Scale} ({NovaMartShape.CustomerCount(parsed.Scale):N0} customers, about {rows:N0} rows) with seed {parsed.Seed} as of {FakerConfig.Format(parsed.AsOf)}.");
        return Task.FromResult(CheckResult.Ok(message));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StreamDescriptor>> DiscoverAsync(JsonElement config, CancellationToken cancellationToken)
    {
        var parsed = Parse(config);
        IReadOnlyList<StreamDescriptor> streams = NovaMartStream.All
            .Select(s => new StreamDescriptor(s.Name, s.Namespace, s.Schema, [SyncMode.FullRefresh, SyncMode.Incremental])
            {
                CursorCandidates = [s.CursorField],
                EstimatedRows = s.EstimateRows(parsed.Scale),
            })
            .ToList();
        return Task.FromResult(streams);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The config is invalid, or a stream or cursor field does not exist.</exception>
    public async Task ReadAsync(JsonElement config, ReadRequest request, IRecordSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        var parsed = Parse(config);

        // Check every stream before writing anything, so a typo does not leave a half-finished sync.
        var plan = request.Streams.Select(configured => (Configured: configured, Stream: Resolve(configured))).ToList();

        var data = new NovaMartDataset(parsed.Seed, parsed.Scale, parsed.AsOf);
        var states = request.State?.Streams.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
            ?? new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (configured, stream) in plan)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var previous = states.TryGetValue(stream.Name, out var saved) ? StreamCursor.Read(saved, stream, parsed) : null;
            var filter = configured.Mode == SyncMode.Incremental && previous is { } cursor
                ? new CursorFilter(cursor, stream.CursorIsDate)
                : CursorFilter.All;

            await sink.BeginStreamAsync(stream.Name, stream.Schema, cancellationToken).ConfigureAwait(false);
            var result = await StreamPump.RunAsync(
                stream, data, filter, sink, _settings.MaxParallelism, _settings.BatchRows, cancellationToken).ConfigureAwait(false);

            var maxCursor = Math.Max(result.MaxCursorTicks, previous ?? long.MinValue);
            states[stream.Name] = StreamCursor.Write(stream, parsed, maxCursor);
            // A snapshot: the sink may keep the state while later streams add theirs.
            var snapshot = new Dictionary<string, JsonElement>(states, StringComparer.Ordinal);
            await sink.CheckpointAsync(new ConnectorState(snapshot, request.State?.Global), cancellationToken).ConfigureAwait(false);
        }
    }

    private FakerConfig Parse(JsonElement config) =>
        FakerConfig.TryParse(config, _settings, Today(), out var parsed, out var error)
            ? parsed
            : throw new ArgumentException(error, nameof(config));

    private DateOnly Today() => DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);

    private static NovaMartStream Resolve(ConfiguredStream configured)
    {
        var stream = NovaMartStream.Find(configured.Name)
            ?? throw new ArgumentException(
                $"streams: '{configured.Name}' is not a source-faker stream; choose from {string.Join(", ", NovaMartStream.All.Select(s => s.Name))}.",
                nameof(configured));
        if (configured.Mode == SyncMode.Incremental && configured.CursorField is { } field
            && !string.Equals(field, stream.CursorField, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"streams.{stream.Name}.cursor_field: '{field}' cannot be a cursor; use '{stream.CursorField}'.",
                nameof(configured));
        }

        return stream;
    }
}
