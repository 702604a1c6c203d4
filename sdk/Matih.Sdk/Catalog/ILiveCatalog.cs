using System.Text.Json;

namespace Matih.Sdk.Catalog;

/// <summary>
/// Optional: a connector whose source can list its tables live — the source's own schema, before (or beside) a
/// sync. Implement it on the same class as <see cref="Connectors.IConnector"/>; the catalog then shows every
/// connection's live tables (as <c>database.schema.table</c>) next to the warehouse tables.
/// </summary>
public interface ILiveCatalog
{
    /// <summary>The source's datasets now, with columns and row estimates. Keep it to catalog queries: it runs often.</summary>
    Task<IReadOnlyList<DatasetInfo>> ListLiveDatasetsAsync(JsonElement config, CancellationToken cancellationToken);
}
