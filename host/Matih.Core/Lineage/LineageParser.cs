using System.Text.Json;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;

namespace Matih.Core.Lineage;

/// <summary>
/// Works out which tables a statement reads and writes using DuckDB's own parser (<c>json_serialize_sql</c>) for the
/// query part and the statement's head for its target, so lineage matches what the engine runs. Column-level
/// lineage follows aliases, CTEs and <c>alias.*</c> through the final select list.
/// </summary>
public sealed partial class LineageParser(DuckDbWarehouse warehouse)
{
    /// <summary>The catalog unqualified names resolve to (the warehouse's default).</summary>
    public const string DefaultCatalog = DuckDbWarehouse.DefaultCatalog;

    private const string Name = @"(?:""(?:[^""]|"""")+""|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:""(?:[^""]|"""")+""|[A-Za-z_][\w$]*)){0,2}";

    /// <summary>Parses one statement. A statement DuckDB cannot parse gives a <see cref="DuckDBException"/>.</summary>
    public async Task<StatementLineage> ParseAsync(string statement, CancellationToken cancellationToken)
    {
        var text = SqlStatements.WithoutComments(statement).Trim();
        StatementKind kind;
        TableRef? target = null;
        string? query = null;
        Match match;
        if ((match = CreateTableAs().Match(text)).Success)
        {
            (kind, target, query) = (StatementKind.CreateTableAs, Resolve(match.Groups["name"].Value), match.Groups["query"].Value);
        }
        else if ((match = CreateView().Match(text)).Success)
        {
            (kind, target, query) = (StatementKind.CreateView, Resolve(match.Groups["name"].Value), match.Groups["query"].Value);
        }
        else if ((match = CreateTable().Match(text)).Success)
        {
            (kind, target) = (StatementKind.CreateTable, Resolve(match.Groups["name"].Value));
        }
        else if ((match = Insert().Match(text)).Success)
        {
            (kind, target) = (StatementKind.Insert, Resolve(match.Groups["name"].Value));
            var rest = match.Groups["query"].Value.TrimStart();
            query = rest.StartsWith("VALUES", StringComparison.OrdinalIgnoreCase) ? null : ByName().Replace(rest, "");
        }
        else if ((match = Modify().Match(text)).Success)
        {
            (kind, target) = (StatementKind.Modify, Resolve(match.Groups["name"].Value));
        }
        else if ((match = Ddl().Match(text)).Success)
        {
            (kind, target) = (StatementKind.Ddl, Resolve(match.Groups["name"].Value));
        }
        else if (QueryHead().IsMatch(text))
        {
            (kind, query) = (StatementKind.Query, text);
        }
        else
        {
            return new StatementLineage(StatementKind.Other, [], [], new Dictionary<string, IReadOnlyList<ColumnRef>>(), []);
        }

        var reads = new List<TableRef>();
        var functions = new List<string>();
        var columns = new Dictionary<string, IReadOnlyList<ColumnRef>>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrWhiteSpace(query))
        {
            using var ast = await SerializeAsync(query, cancellationToken).ConfigureAwait(false);
            var node = ast.RootElement.GetProperty("statements")[0].GetProperty("node");
            var ctes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            CollectCteNames(node, ctes);
            Walk(node, ctes, reads, functions);
            if (kind is StatementKind.CreateTableAs or StatementKind.CreateView or StatementKind.Insert)
            {
                foreach (var (column, sources) in new ColumnTracer(this, node).Trace())
                {
                    columns[column] = sources.Select(s => s with { Column = s.Column.ToLowerInvariant() }).ToArray();
                }
            }
        }

        return new StatementLineage(kind, reads.Distinct().ToArray(), target is null ? [] : [target], columns, functions.Distinct().ToArray());
    }

    /// <summary>A dotted name as the warehouse resolves it: catalog.schema.table, schema.table or table.</summary>
    public TableRef Resolve(string dotted)
    {
        var parts = SplitName(dotted);
        return parts.Count switch
        {
            3 => new TableRef(parts[0], parts[1], parts[2]),
            2 when warehouse.Catalogs.Contains(parts[0], StringComparer.Ordinal) => new TableRef(parts[0], "main", parts[1]),
            2 => new TableRef(DefaultCatalog, parts[0], parts[1]),
            _ => new TableRef(DefaultCatalog, "main", parts[0]),
        };
    }

    internal TableRef FromAst(JsonElement baseTable)
    {
        var catalog = baseTable.GetProperty("catalog_name").GetString();
        var schema = baseTable.GetProperty("schema_name").GetString();
        var table = baseTable.GetProperty("table_name").GetString()!;
        return (string.IsNullOrEmpty(catalog), string.IsNullOrEmpty(schema)) switch
        {
            (false, false) => new TableRef(catalog!, schema!, table),
            (true, false) => Resolve($"\"{schema}\".\"{table}\""),
            (false, true) => new TableRef(catalog!, "main", table),
            _ => new TableRef(DefaultCatalog, "main", table),
        };
    }

    private async Task<JsonDocument> SerializeAsync(string query, CancellationToken cancellationToken)
    {
        using var connection = warehouse.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json_serialize_sql($q::VARCHAR)";
        command.Parameters.Add(new DuckDBParameter("q", query));
        var json = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        var document = JsonDocument.Parse(json);
        if (document.RootElement.GetProperty("error").GetBoolean())
        {
            var message = document.RootElement.TryGetProperty("error_message", out var m) ? m.GetString() : "The statement cannot be parsed.";
            document.Dispose();
            throw new LineageException(message ?? "The statement cannot be parsed.");
        }

        return document;
    }

    private static void CollectCteNames(JsonElement element, HashSet<string> names)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (element.TryGetProperty("cte_map", out var map) && map.TryGetProperty("map", out var entries))
                {
                    foreach (var entry in entries.EnumerateArray())
                    {
                        names.Add(entry.GetProperty("key").GetString()!);
                    }
                }

                foreach (var property in element.EnumerateObject())
                {
                    CollectCteNames(property.Value, names);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CollectCteNames(item, names);
                }

                break;
        }
    }

    private void Walk(JsonElement element, HashSet<string> ctes, List<TableRef> reads, List<string> functions)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
                {
                    if (type.GetString() == "BASE_TABLE")
                    {
                        var isCte = string.IsNullOrEmpty(element.GetProperty("catalog_name").GetString())
                            && string.IsNullOrEmpty(element.GetProperty("schema_name").GetString())
                            && ctes.Contains(element.GetProperty("table_name").GetString()!);
                        if (!isCte)
                        {
                            reads.Add(FromAst(element));
                        }
                    }
                    else if (type.GetString() == "TABLE_FUNCTION" && element.TryGetProperty("function", out var function)
                        && function.TryGetProperty("function_name", out var functionName))
                    {
                        functions.Add(functionName.GetString()!.ToLowerInvariant());
                    }
                }

                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, ctes, reads, functions);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, ctes, reads, functions);
                }

                break;
        }
    }

    private static List<string> SplitName(string dotted)
    {
        var parts = new List<string>();
        var i = 0;
        while (i < dotted.Length)
        {
            while (i < dotted.Length && (char.IsWhiteSpace(dotted[i]) || dotted[i] == '.'))
            {
                i++;
            }

            if (i >= dotted.Length)
            {
                break;
            }

            if (dotted[i] == '"')
            {
                var text = new System.Text.StringBuilder();
                i++;
                while (i < dotted.Length)
                {
                    if (dotted[i] == '"' && i + 1 < dotted.Length && dotted[i + 1] == '"')
                    {
                        text.Append('"');
                        i += 2;
                    }
                    else if (dotted[i] == '"')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        text.Append(dotted[i++]);
                    }
                }

                parts.Add(text.ToString());
            }
            else
            {
                var start = i;
                while (i < dotted.Length && dotted[i] != '.' && !char.IsWhiteSpace(dotted[i]))
                {
                    i++;
                }

                parts.Add(dotted[start..i].ToLowerInvariant());
            }
        }

        return parts;
    }

    [GeneratedRegex(@"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<name>" + Name + @")\s+AS\s+(?<query>.*)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex CreateTableAs();

    [GeneratedRegex(@"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<name>" + Name + @")(?:\s*\([^)]*\))?\s+AS\s+(?<query>.*)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex CreateView();

    [GeneratedRegex(@"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<name>" + Name + @")", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex CreateTable();

    [GeneratedRegex(@"^INSERT\s+(?:OR\s+(?:REPLACE|IGNORE)\s+)?INTO\s+(?<name>" + Name + @")(?:\s*\((?!\s*SELECT)[^)]*\))?(?<query>.*)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Insert();

    [GeneratedRegex(@"^(?:UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?<name>" + Name + ")", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Modify();

    [GeneratedRegex(@"^(?:DROP|ALTER)\s+(?:TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?(?<name>" + Name + ")", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Ddl();

    [GeneratedRegex(@"^\(*\s*(?:SELECT|WITH|FROM|VALUES|TABLE|SUMMARIZE|DESCRIBE|SHOW)\b", RegexOptions.IgnoreCase)]
    private static partial Regex QueryHead();

    [GeneratedRegex(@"^BY\s+(?:NAME|POSITION)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex ByName();
}

/// <summary>A statement DuckDB's parser refused.</summary>
public sealed class LineageException(string message) : Exception(message);
