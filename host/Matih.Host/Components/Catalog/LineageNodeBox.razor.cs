using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Catalog;

/// <summary>One box of the lineage drawing (SVG): rounded for sources and files, square for tables.</summary>
public partial class LineageNodeBox
{
    /// <summary>The box to draw.</summary>
    [Parameter, EditorRequired]
    public LineageBox Box { get; set; } = default!;

    private string Class => $"lineage-node lineage-{Box.Node.Kind}{(Box.IsCurrent ? " lineage-current" : "")}";

    // Long names are cut to fit the box; the whole name is in the tooltip.
    private static string Fit(string text, int characters) => text.Length <= characters ? text : text[..(characters - 1)] + "…";
}
