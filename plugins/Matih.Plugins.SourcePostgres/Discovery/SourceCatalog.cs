using Matih.Plugins.SourcePostgres.Configuration;
using Npgsql;
using NpgsqlTypes;

namespace Matih.Plugins.SourcePostgres.Discovery;

/// <summary>Reads the tables and views of the configured schemas from PostgreSQL's catalog.</summary>
internal static class SourceCatalog
{
    private const string TablesSql = """
        SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind::text, c.reltuples::float8, c.relreplident::text
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY(@schemas)
          AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND NOT c.relispartition
          AND has_table_privilege(c.oid, 'SELECT')
        ORDER BY n.nspname, c.relname
        """;

    private const string ColumnsSql = """
        SELECT a.attrelid::int8, a.attname::text, format_type(a.atttypid, a.atttypmod),
               a.attnotnull, (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END)::int8,
               (CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END)::int4
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = ANY(@oids) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum
        """;

    private const string KeysSql = """
        SELECT i.indrelid::int8, a.attname::text
        FROM pg_catalog.pg_index i
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indisprimary AND i.indrelid = ANY(@oids)
        ORDER BY i.indrelid, k.ord
        """;

    /// <summary>Every readable table and view in <paramref name="config"/>'s schemas.</summary>
    public static async Task<IReadOnlyList<SourceTable>> ReadAsync(NpgsqlConnection connection, PostgresConfig config, CancellationToken cancellationToken)
    {
        var found = new List<(long Oid, string Schema, string Name, bool IsView, long? Rows, char Identity)>();
        await using (var command = new NpgsqlCommand(TablesSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter("schemas", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = config.Schemas.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var kind = reader.GetString(3);
                var tuples = reader.GetDouble(4);
                found.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), kind is "v" or "m",
                    tuples >= 0 && kind is not "v" ? (long)tuples : null, reader.GetString(5)[0]));
            }
        }

        var oids = found.Select(t => t.Oid).ToArray();
        var columns = new Dictionary<long, List<SourceColumn>>();
        await using (var command = new NpgsqlCommand(ColumnsSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter("oids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = oids });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var column = TypeMapping.Map(reader.GetString(1), (uint)reader.GetInt64(4), reader.GetInt32(5), reader.GetString(2), nullable: !reader.GetBoolean(3));
                Add(columns, reader.GetInt64(0), column);
            }
        }

        var keys = new Dictionary<long, List<string>>();
        await using (var command = new NpgsqlCommand(KeysSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter("oids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = oids });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                Add(keys, reader.GetInt64(0), reader.GetString(1));
            }
        }

        // A stream is named after its table; only when two selected schemas share a table name are both qualified.
        var shared = found.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return found
            .Select(t => new SourceTable(
                t.Schema,
                t.Name,
                shared.Contains(t.Name) ? $"{t.Schema}.{t.Name}" : t.Name,
                t.IsView,
                columns.GetValueOrDefault(t.Oid) ?? [],
                keys.GetValueOrDefault(t.Oid) ?? [],
                t.Rows,
                t.Identity))
            .ToList();
    }

    /// <summary>The table behind stream <paramref name="stream"/>: its stream name (exact, then ignoring case), or null.</summary>
    public static SourceTable? Find(IReadOnlyList<SourceTable> tables, string stream) =>
        tables.FirstOrDefault(t => string.Equals(t.StreamName, stream, StringComparison.Ordinal))
        ?? tables.FirstOrDefault(t => string.Equals($"{t.Namespace}.{t.Name}", stream, StringComparison.Ordinal))
        ?? tables.SingleOrDefaultIfUnique(t => string.Equals(t.StreamName, stream, StringComparison.OrdinalIgnoreCase));

    private static T? SingleOrDefaultIfUnique<T>(this IEnumerable<T> items, Func<T, bool> predicate)
        where T : class
    {
        var matches = items.Where(predicate).Take(2).ToList();
        return matches.Count == 1 ? matches[0] : null;
    }

    private static void Add<T>(Dictionary<long, List<T>> map, long key, T value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }
}
