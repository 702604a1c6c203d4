using System.Diagnostics;
using System.Text.Json;
using Matih.Core.Sync;
using Matih.Core.Warehouse;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Demo;

/// <summary>What the demo loader did.</summary>
/// <param name="Loaded">False when the demo was already there or the faker plugin is missing.</param>
/// <param name="Message">What happened, in words.</param>
/// <param name="Rows">Rows loaded per destination table.</param>
/// <param name="Elapsed">How long it took.</param>
public sealed record DemoLoadResult(bool Loaded, string Message, IReadOnlyDictionary<string, long> Rows, TimeSpan Elapsed);

/// <summary>
/// Loads the NovaMart demo through the <c>source-faker</c> connector, where the seed's SQL reads it:
/// <c>postgresql.novamart.*</c> and <c>snowflake.analytics.clickstream</c>.
/// </summary>
public sealed class NovaMartDemo(DuckDbWarehouse warehouse, IEnumerable<IConnector> connectors, Catalog.DatasetRegistry datasets, Lineage.LineageGraph lineage, ILogger<NovaMartDemo> log)
{
    /// <summary>The connector the demo reads from.</summary>
    public const string ConnectorId = "source-faker";

    /// <summary>Where the demo puts a stream.</summary>
    public static TableRef Destination(string stream) => stream == "clickstream"
        ? new TableRef("snowflake", "analytics", stream)
        : new TableRef("postgresql", "novamart", stream);

    /// <summary>Loads the demo at <paramref name="scale"/> unless <c>postgresql.novamart.customers</c> already exists.</summary>
    public async Task<DemoLoadResult> LoadAsync(double scale, int seed, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var connector = connectors.FirstOrDefault(c => c.Id == ConnectorId);
        if (connector is null)
        {
            return new DemoLoadResult(false, $"The demo needs the {ConnectorId} plugin, which is not loaded; see the Plugins page.", new Dictionary<string, long>(), clock.Elapsed);
        }

        if (await warehouse.GetSchemaAsync(Destination("customers"), cancellationToken).ConfigureAwait(false) is not null)
        {
            return new DemoLoadResult(false, "The NovaMart demo is already loaded.", new Dictionary<string, long>(), clock.Elapsed);
        }

        var config = JsonSerializer.SerializeToElement(new { scale, seed });
        var streams = await connector.DiscoverAsync(config, cancellationToken).ConfigureAwait(false);
        var request = new ReadRequest(
            streams.Select(s => new ConfiguredStream(s.Name, SyncMode.FullRefresh, null, s.Schema.PrimaryKey)).ToArray(),
            null);

        var targets = request.Streams.ToDictionary(s => s.Name, s => new StreamTarget(Destination(s.Name), SyncMode.FullRefresh, s.PrimaryKey));
        await using var sink = new WarehouseSink(warehouse, "demo", targets);
        await connector.ReadAsync(config, request, sink, cancellationToken).ConfigureAwait(false);
        var rows = sink.CommittedRows.ToDictionary(kv => Destination(kv.Key).ToString(), kv => kv.Value);
        foreach (var stream in streams)
        {
            var source = $"novamart.{stream.Namespace ?? "public"}.{stream.Name}";
            await datasets.RecordAsync(Destination(stream.Name), "demo", source, sink.CommittedRows.GetValueOrDefault(stream.Name), cancellationToken).ConfigureAwait(false);
            await lineage.RecordEdgeAsync($"source:demo:{source}", Destination(stream.Name).ToString(), "sync", new Dictionary<string, string[]>(), "NovaMart demo", cancellationToken).ConfigureAwait(false);
        }

        log.LogInformation("Loaded the NovaMart demo at scale {Scale} in {Seconds:F1} s: {Rows} rows", scale, clock.Elapsed.TotalSeconds, rows.Values.Sum());
        return new DemoLoadResult(true, $"Loaded {rows.Values.Sum():N0} rows into {rows.Count} tables.", rows, clock.Elapsed);
    }
}
