using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Matih.Host.Components.Pipelines;

/// <summary>
/// The pipeline the designer edits: the document's own JSON objects, changed only where the user changes something,
/// so a document loaded and saved without edits comes out with the same keys and values (config values stay
/// <see cref="JsonNode"/>s, unknown entries stay where they were). Edges are references between tasks, so renaming a
/// task renames it in every <c>depends_on</c>.
/// </summary>
public sealed partial class PipelineDraft
{
    private static readonly JsonSerializerOptions s_indented = new()
    {
        WriteIndented = true,
        // Keep '#', '<', '>' and non-ASCII as written (#data-alerts), not as \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonDocumentOptions s_lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private readonly JsonObject _root;
    private readonly List<TaskDraft> _tasks = [];

    private PipelineDraft(JsonObject root)
    {
        _root = root;
    }

    /// <summary>The tasks in document order: <c>$.tasks[i]</c> is <c>Tasks[i]</c>.</summary>
    public IReadOnlyList<TaskDraft> Tasks => _tasks;

    /// <summary><c>pipeline_id</c>, or null when not set.</summary>
    public string? PipelineId
    {
        get => TextOf(_root, "pipeline_id");
        set => SetRootText("pipeline_id", value);
    }

    /// <summary><c>name</c>, or null when not set.</summary>
    public string? Name
    {
        get => TextOf(_root, "name");
        set => SetRootText("name", value);
    }

    /// <summary><c>description</c>, or null when not set.</summary>
    public string? Description
    {
        get => TextOf(_root, "description");
        set => SetRootText("description", value);
    }

    /// <summary><c>schedule</c> (cron, UTC), or null for runs by hand only.</summary>
    public string? Schedule
    {
        get => TextOf(_root, "schedule");
        set => SetRootText("schedule", value);
    }

    /// <summary>A new, empty pipeline.</summary>
    public static PipelineDraft New() => new(new JsonObject { ["pipeline_id"] = "", ["name"] = "", ["tasks"] = new JsonArray() });

    /// <summary>
    /// Reads a pipeline document as written. Returns null with the reason when the text is not a JSON object; anything
    /// else (unknown task types, missing fields, cycles) loads as it is, for validation to name.
    /// </summary>
    public static PipelineDraft? Parse(string json, out string? problem)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: s_lenient);
        }
        catch (JsonException e)
        {
            problem = $"Not valid JSON: {e.Message}";
            return null;
        }

        if (node is not JsonObject root)
        {
            problem = "A pipeline is a JSON object with pipeline_id, name and tasks.";
            return null;
        }

        if (root["tasks"] is not null and not JsonArray)
        {
            problem = "$.tasks must be a list of tasks to be drawn.";
            return null;
        }

        var draft = new PipelineDraft(root);
        var array = root["tasks"] as JsonArray ?? [];
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject task)
            {
                problem = $"$.tasks[{i}] is not an object, so it cannot be drawn as a task.";
                return null;
            }

            draft._tasks.Add(new TaskDraft(draft, (JsonObject)task.DeepClone()));
        }

        foreach (var task in draft._tasks)
        {
            task.ResolveDependencies();
        }

        problem = null;
        return draft;
    }

    /// <summary>The document as the API takes it.</summary>
    public JsonObject ToDocument()
    {
        var document = new JsonObject();
        foreach (var (key, value) in _root)
        {
            document[key] = key == "tasks"
                ? new JsonArray(_tasks.Select(t => (JsonNode?)t.ToJson()).ToArray())
                : value?.DeepClone();
        }

        if (!document.ContainsKey("tasks"))
        {
            document["tasks"] = new JsonArray(_tasks.Select(t => (JsonNode?)t.ToJson()).ToArray());
        }

        return document;
    }

    /// <summary>The document as indented JSON text.</summary>
    public string ToJson() => ToDocument().ToJsonString(s_indented);

    /// <summary>A copy that shares nothing with this one (for the undo history and the clipboard).</summary>
    public PipelineDraft Clone() => Parse(ToJson(), out _)!;

    /// <summary>The channel and target of <c>notifications.on_failure</c> or <c>on_success</c> (<paramref name="when"/>).</summary>
    public (string? Channel, string? Target) Notification(string when) =>
        _root["notifications"] is JsonObject n && n[when] is JsonObject target
            ? (TextOf(target, "channel"), TextOf(target, "target"))
            : (null, null);

    /// <summary>
    /// Sets <c>notifications.<paramref name="when"/></c>; both empty removes it, and an empty <c>notifications</c> goes too.
    /// </summary>
    public void SetNotification(string when, string? channel, string? target)
    {
        var notifications = _root["notifications"] as JsonObject;
        if (string.IsNullOrWhiteSpace(channel) && string.IsNullOrWhiteSpace(target))
        {
            notifications?.Remove(when);
            if (notifications is { Count: 0 })
            {
                _root.Remove("notifications");
            }

            return;
        }

        if (notifications is null)
        {
            notifications = [];
            _root["notifications"] = notifications;
        }

        if (notifications[when] is not JsonObject entry)
        {
            entry = [];
            notifications[when] = entry;
        }

        SetText(entry, "channel", channel);
        SetText(entry, "target", target);
    }

    /// <summary>The task with <paramref name="key"/> (its designer node), or null.</summary>
    public TaskDraft? Find(string key) => _tasks.Find(t => t.Key == key);

    /// <summary>The first task named <paramref name="taskId"/>, or null.</summary>
    public TaskDraft? FindByTaskId(string taskId) => _tasks.Find(t => t.TaskId == taskId);

    /// <summary>Adds a task of <paramref name="type"/> with a task_id not yet used (<c>sql_execute_1</c>) and an empty config.</summary>
    public TaskDraft AddTask(string type, string? preferredId = null)
    {
        var node = new JsonObject
        {
            ["task_id"] = UniqueTaskId(preferredId ?? BaseIdFor(type)),
            ["type"] = type,
            ["config"] = new JsonObject(),
        };
        var task = new TaskDraft(this, node);
        _tasks.Add(task);
        return task;
    }

    /// <summary>Removes a task and every edge to or from it.</summary>
    public void RemoveTask(TaskDraft task)
    {
        if (!_tasks.Remove(task))
        {
            return;
        }

        foreach (var other in _tasks)
        {
            other.RemoveDependency(task);
        }
    }

    /// <summary>
    /// Makes <paramref name="downstream"/> depend on <paramref name="upstream"/>. Returns why not when it would be a
    /// self-loop, a duplicate or a cycle; null when the edge was added.
    /// </summary>
    public string? Connect(TaskDraft upstream, TaskDraft downstream)
    {
        if (upstream == downstream)
        {
            return $"A task cannot depend on itself ({upstream.TaskId}).";
        }

        if (downstream.Upstream.Contains(upstream))
        {
            return $"{downstream.TaskId} already depends on {upstream.TaskId}.";
        }

        if (DependsOnTransitively(upstream, downstream))
        {
            return $"{upstream.TaskId} already runs after {downstream.TaskId}; this edge would make a cycle.";
        }

        downstream.AddDependency(upstream);
        return null;
    }

    /// <summary>Removes the edge <paramref name="upstream"/> → <paramref name="downstream"/>.</summary>
    public void Disconnect(TaskDraft upstream, TaskDraft downstream) => downstream.RemoveDependency(upstream);

    /// <summary>The edges as (upstream, downstream) pairs between tasks of this pipeline.</summary>
    public IEnumerable<(TaskDraft Upstream, TaskDraft Downstream)> Edges() =>
        _tasks.SelectMany(t => t.Upstream.Select(u => (u, t)));

    /// <summary>
    /// Copies <paramref name="copies"/> (tasks as JSON, e.g. from another draft) into this pipeline with new unique
    /// task ids; dependencies among the copies follow the new ids, dependencies on tasks outside the copy are dropped.
    /// Returns the new tasks in order.
    /// </summary>
    public IReadOnlyList<TaskDraft> Paste(IReadOnlyList<JsonObject> copies)
    {
        var renamed = new Dictionary<string, TaskDraft>();
        var added = new List<(TaskDraft Task, IReadOnlyList<string> Deps)>();
        foreach (var copy in copies)
        {
            var node = (JsonObject)copy.DeepClone();
            var oldId = TextOf(node, "task_id") ?? "task";
            var deps = (node["depends_on"] as JsonArray)?.Select(d => d is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)
                .OfType<string>().ToArray() ?? [];
            node.Remove("depends_on");
            node["task_id"] = UniqueTaskId(CopyIdFor(oldId));
            var task = new TaskDraft(this, node);
            _tasks.Add(task);
            renamed.TryAdd(oldId, task);
            added.Add((task, deps));
        }

        foreach (var (task, deps) in added)
        {
            foreach (var dep in deps)
            {
                if (renamed.TryGetValue(dep, out var upstream))
                {
                    task.AddDependency(upstream);
                }
            }
        }

        return added.Select(a => a.Task).ToArray();
    }

    /// <summary><paramref name="wanted"/>, or <paramref name="wanted"/> with the lowest free <c>_2</c>, <c>_3</c>... suffix.</summary>
    public string UniqueTaskId(string wanted)
    {
        if (_tasks.TrueForAll(t => t.TaskId != wanted))
        {
            return wanted;
        }

        var stem = TrailingNumber().Replace(wanted, "");
        for (var n = 2; ; n++)
        {
            var candidate = $"{stem}_{n}";
            if (_tasks.TrueForAll(t => t.TaskId != candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>
    /// Each task's layer for a left-to-right layout: 0 for tasks without dependencies, otherwise one more than the
    /// deepest task it depends on (cycles, which validation refuses, are cut where they close).
    /// </summary>
    public IReadOnlyDictionary<TaskDraft, int> Layers()
    {
        var layers = new Dictionary<TaskDraft, int>();
        var visiting = new HashSet<TaskDraft>();
        foreach (var task in _tasks)
        {
            LayerOf(task);
        }

        return layers;

        int LayerOf(TaskDraft task)
        {
            if (layers.TryGetValue(task, out var known))
            {
                return known;
            }

            if (!visiting.Add(task))
            {
                return -1;
            }

            var layer = task.Upstream.Where(_tasks.Contains).Select(LayerOf).DefaultIfEmpty(-1).Max() + 1;
            visiting.Remove(task);
            layers[task] = layer;
            return layer;
        }
    }

    /// <summary>The task a problem's JSON path points into (<c>$.tasks[2].config.suite</c> → <c>Tasks[2]</c>), or null.</summary>
    public TaskDraft? TaskAt(string path)
    {
        var match = TaskIndex().Match(path);
        return match.Success && int.TryParse(match.Groups[1].Value, out var index) && index < _tasks.Count ? _tasks[index] : null;
    }

    internal IReadOnlyList<TaskDraft> AllTasks => _tasks;

    internal static string? TextOf(JsonObject owner, string name) =>
        owner[name] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Sets a string property; null or blank removes it, so a cleared optional field leaves no trace.</summary>
    internal static void SetText(JsonObject owner, string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            owner.Remove(name);
        }
        else if (TextOf(owner, name) != value)
        {
            owner[name] = value;
        }
    }

    // A new top-level entry goes before tasks, where people look for it.
    private void SetRootText(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || _root.ContainsKey(name))
        {
            SetText(_root, name, value);
            return;
        }

        var tasks = _root.IndexOf("tasks");
        _root.Insert(tasks >= 0 ? tasks : _root.Count, name, value);
    }

    private bool DependsOnTransitively(TaskDraft task, TaskDraft on)
    {
        var seen = new HashSet<TaskDraft>();
        var stack = new Stack<TaskDraft>([task]);
        while (stack.TryPop(out var current))
        {
            foreach (var upstream in current.Upstream)
            {
                if (upstream == on)
                {
                    return true;
                }

                if (seen.Add(upstream))
                {
                    stack.Push(upstream);
                }
            }
        }

        return false;
    }

    private static string BaseIdFor(string type) => $"{type}_1";

    private static string CopyIdFor(string id) => id.EndsWith("_copy", StringComparison.Ordinal) ? id : $"{id}_copy";

    [GeneratedRegex(@"_\d+$")]
    private static partial Regex TrailingNumber();

    [GeneratedRegex(@"^\$\.tasks\[(\d+)\]")]
    private static partial Regex TaskIndex();
}
