using Matih.Core.Catalog;
using Matih.Host.Components.Files;

namespace Matih.Host.Components.Query;

/// <summary>A column the editor completes, with its type.</summary>
public sealed record SqlColumnName(string Name, string Type);

/// <summary>A table the editor completes: its three name parts and its columns.</summary>
public sealed record SqlTableName(string Catalog, string Schema, string Table, string Kind, IReadOnlyList<SqlColumnName> Columns);

/// <summary>The names the Query Editor offers as completions, read from the catalog.</summary>
public static class SqlNames
{
    /// <summary>Tables offered at most; beyond this a user types the name (the catalog search finds it).</summary>
    public const int MaxTables = 5_000;

    private const int PageSize = 500;

    /// <summary>Every catalog table (up to <see cref="MaxTables"/>) with its columns, by name.</summary>
    public static async Task<IReadOnlyList<SqlTableName>> LoadAsync(CatalogService catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var names = new List<SqlTableName>();
        for (var page = 1; names.Count < MaxTables; page++)
        {
            var found = await catalog.SearchAsync(null, page, PageSize, cancellationToken);
            // Live listings of a connection's source describe tables the warehouse cannot query (until synced).
            names.AddRange(found.Items.Where(hit => !hit.Entry.Origin.StartsWith("live:", StringComparison.Ordinal)).Select(hit => new SqlTableName(
                hit.Entry.Table.Catalog,
                hit.Entry.Table.Schema,
                hit.Entry.Table.Table,
                hit.Entry.Kind,
                hit.Entry.Columns.Select(c => new SqlColumnName(c.Name, ColumnTypeText.Warehouse(c))).ToArray())));
            if (found.Items.Count < PageSize || page * PageSize >= found.Total)
            {
                break;
            }
        }

        return names;
    }
}
