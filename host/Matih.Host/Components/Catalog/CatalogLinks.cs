using Matih.Sdk.Data;

namespace Matih.Host.Components.Catalog;

/// <summary>Where the catalog's pages are.</summary>
public static class CatalogLinks
{
    /// <summary>The table page: <c>/catalog/postgresql.novamart.customers</c>.</summary>
    public static string Table(TableRef table, string? tab = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var page = "/catalog/" + Uri.EscapeDataString(table.ToString());
        return tab is null ? page : $"{page}?tab={tab}";
    }

    /// <summary>The Query Editor with <paramref name="sql"/> in it.</summary>
    public static string Query(string sql) => "/query?sql=" + Uri.EscapeDataString(sql);

    /// <summary>The statement the table page offers to start a query with.</summary>
    public static string SelectFrom(TableRef table) => $"SELECT * FROM {table} LIMIT 100";
}
