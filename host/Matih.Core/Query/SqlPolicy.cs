using Matih.Core.Lineage;
using Matih.Core.Users;

namespace Matih.Core.Query;

/// <summary>
/// Who may run what: viewers read; analysts also write in the <c>analytics</c> catalog; admins anywhere — except
/// into catalogs that connector syncs fill, which nobody writes by hand. Reading files of the host (read_csv, ...)
/// and session statements (ATTACH, COPY, SET, ...) are for admins.
/// </summary>
public static class SqlPolicy
{
    /// <summary>The catalog analysts may write in.</summary>
    public const string AnalystCatalog = "analytics";

    private static readonly HashSet<string> s_safeTableFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "range", "generate_series", "unnest", "duckdb_tables", "duckdb_columns", "duckdb_schemas", "duckdb_views",
        "duckdb_databases", "duckdb_functions", "duckdb_types", "pragma_table_info", "summarize",
    };

    /// <summary>Why <paramref name="caller"/> may not run the statement, or null when it may.</summary>
    /// <param name="lineage">What the statement does.</param>
    /// <param name="caller">Who runs it.</param>
    /// <param name="connectorCatalogs">Catalogs filled by connector syncs, with what fills them.</param>
    public static string? Refusal(StatementLineage lineage, SqlCaller caller, IReadOnlyDictionary<string, string> connectorCatalogs)
    {
        if (lineage.Kind == StatementKind.Other && caller.Role != Role.Admin)
        {
            return "Session and file statements (ATTACH, COPY, SET, PRAGMA, INSTALL, ...) are for administrators.";
        }

        if (caller.Role != Role.Admin && lineage.TableFunctions.FirstOrDefault(f => !s_safeTableFunctions.Contains(f)) is { } function)
        {
            return $"{function}() reads files on the Matih host, which only administrators may do; import the file through File Import instead.";
        }

        // DuckDB reads FROM 'path/file.csv' as a file (a replacement scan): a table name that is not a name is a file.
        if (caller.Role != Role.Admin && lineage.Reads.FirstOrDefault(r => r.Table.IndexOfAny(['/', '\\', '.', ':', '*', '?']) >= 0) is { } file)
        {
            return $"'{file.Table}' is a file on the Matih host, which only administrators may read; import it through File Import instead.";
        }

        if (lineage.Kind == StatementKind.Query)
        {
            return null;
        }

        if (caller.Role == Role.Viewer)
        {
            return "Your role may only read: run a single SELECT query, or ask for the analyst role to write.";
        }

        foreach (var target in lineage.Writes)
        {
            if (connectorCatalogs.TryGetValue(target.Catalog, out var owner))
            {
                return $"{target} is in catalog {target.Catalog}, which {owner} fills; write your results to {AnalystCatalog} instead (e.g. {AnalystCatalog}.derived.{target.Table}).";
            }

            if (caller.Role == Role.Analyst && target.Catalog != AnalystCatalog)
            {
                return $"Analysts create and change tables in the {AnalystCatalog} catalog only; {target} is in {target.Catalog}.";
            }
        }

        return null;
    }
}
