using System.Text.Json;
using System.Text.Json.Nodes;

namespace Matih.Host.Components.Pipelines;

/// <summary>Where one task's box is drawn, in diagram coordinates (its top-left corner).</summary>
public readonly record struct NodePosition(double X, double Y);

/// <summary>
/// The designer's node positions, by task_id, stored beside the pipeline (never in its document) as
/// <c>{"nodes": {"extract_features": {"x": 40, "y": 60}}}</c>; and the automatic layered layout.
/// </summary>
public static class PipelineLayout
{
    /// <summary>Horizontal distance between layers.</summary>
    public const double LayerSpacing = 270;

    /// <summary>Vertical distance between tasks of one layer.</summary>
    public const double RowSpacing = 120;

    /// <summary>The margin of the first layer and row.</summary>
    public const double Margin = 40;

    /// <summary>Reads a stored layout; positions of tasks that no longer exist are ignored later, bad text gives none.</summary>
    public static IReadOnlyDictionary<string, NodePosition> Parse(string? layout)
    {
        var positions = new Dictionary<string, NodePosition>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(layout))
        {
            return positions;
        }

        try
        {
            if (JsonNode.Parse(layout)?["nodes"] is JsonObject nodes)
            {
                foreach (var (taskId, value) in nodes)
                {
                    if (value?["x"] is JsonValue x && value["y"] is JsonValue y && x.TryGetValue<double>(out var px) && y.TryGetValue<double>(out var py))
                    {
                        positions[taskId] = new NodePosition(px, py);
                    }
                }
            }
        }
        catch (JsonException)
        {
            // A layout is a convenience: an unreadable one is replaced by the automatic layout.
        }

        return positions;
    }

    /// <summary>Writes positions by task_id (rounded to whole pixels).</summary>
    public static string Format(IEnumerable<KeyValuePair<string, NodePosition>> positions)
    {
        var nodes = new JsonObject();
        foreach (var (taskId, position) in positions)
        {
            nodes[taskId] = new JsonObject { ["x"] = Math.Round(position.X), ["y"] = Math.Round(position.Y) };
        }

        return new JsonObject { ["nodes"] = nodes }.ToJsonString();
    }

    /// <summary>
    /// Layers by dependency depth, left to right; within a layer, tasks sit near the tasks they depend on (ordered by
    /// the mean row of their upstream tasks, document order among equals), so edges cross less.
    /// </summary>
    public static IReadOnlyDictionary<TaskDraft, NodePosition> Arrange(PipelineDraft draft)
    {
        var layers = draft.Layers();
        var rows = new Dictionary<TaskDraft, int>();
        var positions = new Dictionary<TaskDraft, NodePosition>();
        var documentOrder = draft.Tasks.Select((task, index) => (task, index)).ToDictionary(t => t.task, t => t.index);
        foreach (var layer in layers.GroupBy(l => l.Value).OrderBy(g => g.Key))
        {
            var ordered = layer.Select(l => l.Key)
                .Select(task => (task, weight: Barycentre(task, rows)))
                .OrderBy(t => t.weight)
                .ThenBy(t => documentOrder[t.task])
                .Select(t => t.task)
                .ToArray();
            for (var row = 0; row < ordered.Length; row++)
            {
                rows[ordered[row]] = row;
                positions[ordered[row]] = new NodePosition(Margin + (layer.Key * LayerSpacing), Margin + (row * RowSpacing));
            }
        }

        return positions;
    }

    /// <summary>A free spot for a new task: right of everything drawn, or at the margin of an empty canvas.</summary>
    public static NodePosition NextFree(IEnumerable<NodePosition> taken)
    {
        var all = taken.ToArray();
        return all.Length == 0
            ? new NodePosition(Margin, Margin)
            : new NodePosition(all.Max(p => p.X) + LayerSpacing, all.Min(p => p.Y));
    }

    private static double Barycentre(TaskDraft task, Dictionary<TaskDraft, int> rows)
    {
        var placed = task.Upstream.Where(rows.ContainsKey).Select(u => rows[u]).ToArray();
        return placed.Length == 0 ? double.MaxValue / 2 : placed.Average();
    }
}
