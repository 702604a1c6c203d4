using System.Globalization;
using System.Text.Json;
using Matih.Sdk.Connectors;

namespace Matih.Plugins.SourceFaker.Tests.Support;

/// <summary>Shortcuts for reading the faker in tests.</summary>
internal static class Faker
{
    /// <summary>The seed walkthrough's quality report ran on 2025-12-15.</summary>
    public static readonly DateOnly AsOf = new(2025, 12, 15);

    public static readonly string[] AllStreams = ["customers", "orders", "order_items", "products", "returns", "clickstream"];

    public static JsonElement Config(double scale = 0.01, long seed = 42, DateOnly? asOf = null) =>
        Json(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"scale": {{scale}}, "seed": {{seed}}, "as_of": "{{(asOf ?? AsOf).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}}"}"""));

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static ReadRequest FullRefresh(params string[] streams) =>
        new((streams.Length == 0 ? AllStreams : streams)
            .Select(s => new ConfiguredStream(s, SyncMode.FullRefresh, null, []))
            .ToList(), State: null);

    public static async Task<CollectingSink> ReadAsync(
        JsonElement config,
        ReadRequest request,
        int parallelism = 2,
        int batchRows = 8_192,
        CancellationToken cancellationToken = default)
    {
        var connector = new FakerConnector(new FakerSettings { MaxParallelism = parallelism, BatchRows = batchRows });
        var sink = new CollectingSink();
        await connector.ReadAsync(config, request, sink, cancellationToken);
        return sink;
    }
}
