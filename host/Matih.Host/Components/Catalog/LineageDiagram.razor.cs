using System.Globalization;
using Matih.Core.Lineage;
using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Catalog;

/// <summary>
/// Draws a table's lineage as plain SVG: a column per depth, sources and files styled apart from warehouse tables,
/// each table a link to its catalog page; below, which columns each edge maps.
/// </summary>
public partial class LineageDiagram
{
    /// <summary>The graph from <see cref="LineageGraph.GetAsync"/>.</summary>
    [Parameter, EditorRequired]
    public LineageView View { get; set; } = default!;

    private LineageDrawing Drawing { get; set; } = new([], [], 0, 0);

    private IEnumerable<LineageLink> OrderedEdges
    {
        get
        {
            var depth = View.Nodes.ToDictionary(n => n.Id, n => n.Depth, StringComparer.Ordinal);
            return View.Edges.OrderBy(e => depth.GetValueOrDefault(e.To)).ThenBy(e => e.To, StringComparer.Ordinal).ThenBy(e => e.From, StringComparer.Ordinal);
        }
    }

    /// <inheritdoc />
    protected override void OnParametersSet() => Drawing = LineageLayout.Draw(View);

    /// <summary>An SVG coordinate.</summary>
    public static string Px(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string NoColumnsText(LineageLink edge) => edge.Kind switch
    {
        "sync" => "every column of the stream",
        "import" => "every column of the file",
        _ => "not derivable from the statement",
    };
}
