using Matih.Sdk.Connectors;

namespace Matih.Plugins.SourcePostgres.Tests.Support;

/// <summary>Short ways to write the streams of a read request.</summary>
internal static class Streams
{
    public static ConfiguredStream FullRefresh(string name) => new(name, SyncMode.FullRefresh, null, []);

    public static ConfiguredStream Incremental(string name, string? cursor = null) => new(name, SyncMode.Incremental, cursor, []);

    public static ReadRequest Request(MemoryWarehouse warehouse, params ConfiguredStream[] streams) => new(streams, warehouse.State);
}
