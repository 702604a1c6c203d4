using System.Globalization;
using Matih.Core.Lineage;
using Matih.Sdk.Data;

namespace Matih.Host.Components.Catalog;

/// <summary>A node of the lineage drawing: its box and how it is labelled.</summary>
/// <param name="Node">The graph's node.</param>
/// <param name="Title">The main label: a table's name, a source's location, a file's name.</param>
/// <param name="Subtitle">Where it lives: <c>postgresql.novamart</c>, <c>source · demo</c>, <c>file</c>.</param>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="IsCurrent">True for the table the page shows.</param>
/// <param name="Href">Its catalog page (tables only).</param>
public sealed record LineageBox(LineageNode Node, string Title, string Subtitle, double X, double Y, bool IsCurrent, string? Href);

/// <summary>An arrow of the lineage drawing, as an SVG path.</summary>
public sealed record LineageArrow(LineageLink Link, string Path);

/// <summary>A lineage graph laid out for SVG: columns by depth (upstream left), boxes connected by arrows.</summary>
public sealed record LineageDrawing(IReadOnlyList<LineageBox> Boxes, IReadOnlyList<LineageArrow> Arrows, double Width, double Height);

/// <summary>
/// Lays out a lineage graph like the seed's diagram: one column per depth, upstream on the left and downstream on the
/// right, each column ordered by the neighbours it connects to so arrows cross as little as possible.
/// </summary>
public static class LineageLayout
{
    /// <summary>A box's width.</summary>
    public const double BoxWidth = 230;

    /// <summary>A box's height.</summary>
    public const double BoxHeight = 46;

    private const double ColumnGap = 90;
    private const double RowGap = 18;
    private const double Margin = 8;

    /// <summary>Lays out <paramref name="view"/>.</summary>
    public static LineageDrawing Draw(LineageView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var depths = view.Nodes.Select(n => n.Depth).Distinct().Order().ToArray();
        if (depths.Length == 0)
        {
            return new LineageDrawing([], [], 0, 0);
        }

        var columns = depths.ToDictionary(d => d, d => view.Nodes.Where(n => n.Depth == d).OrderBy(n => n.Id, StringComparer.Ordinal).ToList());
        var rowOf = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var node in columns[depths.Contains(0) ? 0 : depths[0]])
        {
            rowOf[node.Id] = rowOf.Count;
        }

        // Outward from the table: each column sorted by where its neighbours nearer the table sit.
        foreach (var depth in depths.Where(d => d < 0).OrderDescending().Concat(depths.Where(d => d > 0).Order()))
        {
            var nearer = depth < 0 ? depth + 1 : depth - 1;
            var ordered = columns[depth]
                .Select((node, index) => (node, index, at: Barycentre(view, node.Id, rowOf, columns.GetValueOrDefault(nearer) ?? [])))
                .OrderBy(x => x.at ?? double.MaxValue).ThenBy(x => x.index).Select(x => x.node).ToList();
            columns[depth] = ordered;
            for (var i = 0; i < ordered.Count; i++)
            {
                rowOf[ordered[i].Id] = i;
            }
        }

        var tallest = columns.Values.Max(c => c.Count);
        var height = (2 * Margin) + (tallest * BoxHeight) + ((tallest - 1) * RowGap);
        var boxes = new Dictionary<string, LineageBox>(StringComparer.Ordinal);
        for (var c = 0; c < depths.Length; c++)
        {
            var column = columns[depths[c]];
            var columnHeight = (column.Count * BoxHeight) + ((column.Count - 1) * RowGap);
            var top = (height - columnHeight) / 2;
            for (var r = 0; r < column.Count; r++)
            {
                var node = column[r];
                var (title, subtitle, href) = Label(node);
                boxes[node.Id] = new LineageBox(node, title, subtitle, Margin + (c * (BoxWidth + ColumnGap)), top + (r * (BoxHeight + RowGap)),
                    node.Id == view.Table, href);
            }
        }

        var arrows = view.Edges
            .Where(e => boxes.ContainsKey(e.From) && boxes.ContainsKey(e.To))
            .Select(e => new LineageArrow(e, Path(boxes[e.From], boxes[e.To])))
            .ToArray();
        var width = (2 * Margin) + (depths.Length * BoxWidth) + ((depths.Length - 1) * ColumnGap);
        return new LineageDrawing(boxes.Values.ToArray(), arrows, width, height);
    }

    /// <summary>How a node is labelled, and its catalog page when it is a table.</summary>
    public static (string Title, string Subtitle, string? Href) Label(LineageNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        switch (node.Kind)
        {
            case "source":
                // source:{connection}:{location}
                var parts = node.Id.Split(':', 3);
                return parts.Length == 3 ? (parts[2], $"source · {parts[1]}", null) : (node.Id, "source", null);
            case "file":
                return (node.Id["file:".Length..], "file", null);
            default:
                return TableRef.TryParse(node.Id, out var table)
                    ? (table.Table, $"{table.Catalog}.{table.Schema}", CatalogLinks.Table(table, "lineage"))
                    : (node.Id, "table", null);
        }
    }

    private static double? Barycentre(LineageView view, string id, Dictionary<string, double> rowOf, List<LineageNode> nearer)
    {
        var neighbours = view.Edges
            .Select(e => e.From == id ? e.To : e.To == id ? e.From : null)
            .Where(n => n is not null && nearer.Any(x => x.Id == n) && rowOf.ContainsKey(n))
            .Select(n => rowOf[n!])
            .ToArray();
        return neighbours.Length == 0 ? null : neighbours.Average();
    }

    private static string Path(LineageBox from, LineageBox to)
    {
        var (x1, y1) = (from.X + BoxWidth, from.Y + (BoxHeight / 2));
        var (x2, y2) = (to.X, to.Y + (BoxHeight / 2));
        if (x2 <= x1)
        {
            // Between boxes of one column (or backwards): a loop out to the right.
            (x1, x2) = (from.X + BoxWidth, to.X + BoxWidth);
            var bulge = Math.Max(x1, x2) + (ColumnGap / 2);
            return string.Create(CultureInfo.InvariantCulture, $"M {x1:0.#} {y1:0.#} C {bulge:0.#} {y1:0.#}, {bulge:0.#} {y2:0.#}, {x2 + 4:0.#} {y2:0.#}");
        }

        var middle = (x1 + x2) / 2;
        return string.Create(CultureInfo.InvariantCulture, $"M {x1:0.#} {y1:0.#} C {middle:0.#} {y1:0.#}, {middle:0.#} {y2:0.#}, {x2 - 4:0.#} {y2:0.#}");
    }
}
