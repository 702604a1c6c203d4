using System.Text.Json;
using Matih.Sdk.Data;

namespace Matih.Core.Lineage;

/// <summary>
/// Follows each output column of a query back to base-table columns: through select-list aliases, FROM aliases,
/// CTEs (recursively) and <c>alias.*</c> over a CTE. Expressions map to every column they mention; what cannot be
/// attributed (an unqualified column over several relations that no CTE defines) is left out.
/// </summary>
internal sealed class ColumnTracer(LineageParser parser, JsonElement root)
{
    private readonly Dictionary<string, JsonElement> _ctes = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Dictionary<string, List<ColumnRef>>> _cteColumns = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<ColumnRef>> Trace()
    {
        IndexCtes(root);
        return TraceSelect(root, depth: 0);
    }

    private void IndexCtes(JsonElement node)
    {
        if (node.TryGetProperty("cte_map", out var map) && map.TryGetProperty("map", out var entries))
        {
            foreach (var entry in entries.EnumerateArray())
            {
                var query = entry.GetProperty("value").GetProperty("query").GetProperty("node");
                _ctes[entry.GetProperty("key").GetString()!] = query;
                IndexCtes(query);
            }
        }
    }

    private Dictionary<string, List<ColumnRef>> TraceSelect(JsonElement node, int depth)
    {
        var output = new Dictionary<string, List<ColumnRef>>(StringComparer.OrdinalIgnoreCase);
        if (depth > 16 || !node.TryGetProperty("select_list", out var list))
        {
            return output;
        }

        var relations = new Dictionary<string, Relation>(StringComparer.OrdinalIgnoreCase);
        if (node.TryGetProperty("from_table", out var from) && from.ValueKind == JsonValueKind.Object)
        {
            CollectRelations(from, relations, depth);
        }

        foreach (var item in list.EnumerateArray())
        {
            var cls = item.GetProperty("class").GetString();
            if (cls == "STAR")
            {
                var qualifier = item.TryGetProperty("relation_name", out var r) ? r.GetString() : null;
                var sources = string.IsNullOrEmpty(qualifier) ? relations.Values.Distinct() : relations.TryGetValue(qualifier, out var one) ? [one] : [];
                foreach (var relation in sources)
                {
                    foreach (var (name, refs) in relation.Columns())
                    {
                        output[name] = refs;
                    }
                }

                continue;
            }

            var alias = item.GetProperty("alias").GetString();
            var nameOf = !string.IsNullOrEmpty(alias) ? alias
                : cls == "COLUMN_REF" ? item.GetProperty("column_names").EnumerateArray().Last().GetString()!
                : null;
            if (nameOf is null)
            {
                continue;
            }

            var found = new List<ColumnRef>();
            foreach (var reference in ColumnRefs(item))
            {
                found.AddRange(Attribute(reference, relations));
            }

            output[nameOf] = found.Distinct().ToList();
        }

        return output;
    }

    private void CollectRelations(JsonElement from, Dictionary<string, Relation> relations, int depth)
    {
        switch (from.GetProperty("type").GetString())
        {
            case "BASE_TABLE":
            {
                var name = from.GetProperty("table_name").GetString()!;
                var alias = from.GetProperty("alias").GetString();
                var isCte = string.IsNullOrEmpty(from.GetProperty("schema_name").GetString()) && _ctes.ContainsKey(name);
                var relation = isCte ? Relation.Derived(() => CteColumns(name, depth)) : Relation.Table(parser.FromAst(from));
                relations[string.IsNullOrEmpty(alias) ? name : alias!] = relation;
                break;
            }

            case "SUBQUERY":
            {
                var alias = from.GetProperty("alias").GetString() ?? "";
                var inner = from.GetProperty("subquery").GetProperty("node");
                relations[alias] = Relation.Derived(() => TraceSelect(inner, depth + 1));
                break;
            }

            case "JOIN":
                CollectRelations(from.GetProperty("left"), relations, depth);
                CollectRelations(from.GetProperty("right"), relations, depth);
                break;
        }
    }

    private Dictionary<string, List<ColumnRef>> CteColumns(string name, int depth)
    {
        if (!_cteColumns.TryGetValue(name, out var columns))
        {
            _cteColumns[name] = columns = TraceSelect(_ctes[name], depth + 1);
        }

        return columns;
    }

    private static IEnumerable<ColumnRef> Attribute(string[] reference, Dictionary<string, Relation> relations)
    {
        if (reference.Length >= 2 && relations.TryGetValue(reference[^2], out var qualified))
        {
            return qualified.Column(reference[^1]);
        }

        if (relations.Count == 1)
        {
            return relations.Values.Single().Column(reference[^1]);
        }

        // Unqualified over several relations: attribute to the derived relations that define it.
        return relations.Values.Where(r => r.IsDerived).SelectMany(r => r.Column(reference[^1])).ToArray();
    }

    private static IEnumerable<string[]> ColumnRefs(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (element.TryGetProperty("class", out var cls) && cls.GetString() == "COLUMN_REF")
                {
                    yield return element.GetProperty("column_names").EnumerateArray().Select(n => n.GetString()!).ToArray();
                    yield break;
                }

                if (element.TryGetProperty("class", out var c2) && c2.GetString() == "SUBQUERY")
                {
                    yield break;
                }

                foreach (var property in element.EnumerateObject())
                {
                    foreach (var reference in ColumnRefs(property.Value))
                    {
                        yield return reference;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var reference in ColumnRefs(item))
                    {
                        yield return reference;
                    }
                }

                break;
        }
    }

    private sealed class Relation
    {
        private readonly TableRef? _table;
        private readonly Func<Dictionary<string, List<ColumnRef>>>? _derived;

        private Relation(TableRef? table, Func<Dictionary<string, List<ColumnRef>>>? derived)
        {
            _table = table;
            _derived = derived;
        }

        public bool IsDerived => _derived is not null;

        public static Relation Table(TableRef table) => new(table, null);

        public static Relation Derived(Func<Dictionary<string, List<ColumnRef>>> columns) => new(null, columns);

        public IEnumerable<ColumnRef> Column(string name) => _table is not null
            ? [new ColumnRef(_table, name)]
            : _derived!().TryGetValue(name, out var refs) ? refs : [];

        // A base table's full column list needs the catalog; only derived relations expand for "*".
        public IEnumerable<(string Name, List<ColumnRef> Refs)> Columns() =>
            _derived is null ? [] : _derived().Select(kv => (kv.Key, kv.Value));
    }
}
