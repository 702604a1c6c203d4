using System.Text.Json;
using Matih.Core.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Lineage;

/// <summary>A node of a lineage graph.</summary>
/// <param name="Id">Its name (<c>postgresql.novamart.orders</c>, <c>source:...</c>).</param>
/// <param name="Kind"><c>table</c>, <c>source</c> or <c>file</c>.</param>
/// <param name="Depth">Hops from the table asked about: negative upstream, positive downstream, 0 itself.</param>
public sealed record LineageNode(string Id, string Kind, int Depth);

/// <summary>An edge of a lineage graph, with its column mappings.</summary>
public sealed record LineageLink(string From, string To, string Kind, IReadOnlyDictionary<string, string[]> Columns);

/// <summary>Upstream and downstream of one table.</summary>
public sealed record LineageView(string Table, IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageLink> Edges);

/// <summary>Records lineage edges and answers upstream/downstream graphs.</summary>
public sealed class LineageGraph(IDbContextFactory<MetadataDbContext> contexts, TimeProvider clock)
{
    /// <summary>Records what <paramref name="lineage"/> says: each written table depends on each table read.</summary>
    public async Task RecordAsync(StatementLineage lineage, string kind, string statement, CancellationToken cancellationToken)
    {
        if (lineage.Writes.Count == 0 || lineage.Reads.Count == 0)
        {
            return;
        }

        foreach (var target in lineage.Writes)
        {
            foreach (var source in lineage.Reads.Where(r => r != target))
            {
                var columns = lineage.Columns
                    .Select(kv => (kv.Key, From: kv.Value.Where(c => c.Table == source).Select(c => c.Column).ToArray()))
                    .Where(x => x.From.Length > 0)
                    .ToDictionary(x => x.Key, x => x.From);
                await RecordEdgeAsync(source.ToString(), target.ToString(), kind, columns, statement, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Records one edge (replacing the previous edge between the same two nodes).</summary>
    public async Task RecordEdgeAsync(string upstream, string downstream, string kind, IReadOnlyDictionary<string, string[]> columns, string? statement, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var edge = await db.LineageEdges.SingleOrDefaultAsync(e => e.Upstream == upstream && e.Downstream == downstream, cancellationToken).ConfigureAwait(false);
        if (edge is null)
        {
            edge = new LineageEdge { Upstream = upstream, Downstream = downstream, Kind = kind };
            db.LineageEdges.Add(edge);
        }

        edge.Kind = kind;
        edge.ColumnsJson = JsonSerializer.Serialize(columns);
        edge.Statement = statement is { Length: > 2000 } ? statement[..2000] : statement;
        edge.RecordedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The graph around <paramref name="table"/>, up to <paramref name="depth"/> hops each way.</summary>
    public async Task<LineageView> GetAsync(string table, int depth, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var edges = await db.LineageEdges.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var nodes = new Dictionary<string, int>(StringComparer.Ordinal) { [table] = 0 };
        var links = new HashSet<LineageEdge>();
        Walk(table, 0, -1, e => e.Downstream, e => e.Upstream);
        Walk(table, 0, +1, e => e.Upstream, e => e.Downstream);
        return new LineageView(
            table,
            nodes.Select(n => new LineageNode(n.Key, KindOf(n.Key), n.Value)).OrderBy(n => n.Depth).ThenBy(n => n.Id, StringComparer.Ordinal).ToArray(),
            links.Select(e => new LineageLink(e.Upstream, e.Downstream, e.Kind, JsonSerializer.Deserialize<Dictionary<string, string[]>>(e.ColumnsJson) ?? [])).ToArray());

        void Walk(string from, int level, int step, Func<LineageEdge, string> near, Func<LineageEdge, string> far)
        {
            if (Math.Abs(level) >= depth)
            {
                return;
            }

            foreach (var edge in edges.Where(e => near(e) == from))
            {
                links.Add(edge);
                var next = far(edge);
                if (nodes.TryAdd(next, level + step))
                {
                    Walk(next, level + step, step, near, far);
                }
            }
        }
    }

    private static string KindOf(string id) =>
        id.StartsWith("source:", StringComparison.Ordinal) ? "source" : id.StartsWith("file:", StringComparison.Ordinal) ? "file" : "table";
}
