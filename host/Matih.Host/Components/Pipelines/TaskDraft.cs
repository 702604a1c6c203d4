using System.Text.Json.Nodes;

namespace Matih.Host.Components.Pipelines;

/// <summary>
/// One task of a <see cref="PipelineDraft"/>: its JSON object as written, plus its dependencies as references to other
/// tasks (a dependency on a task the document does not have is kept by name, for validation to report).
/// </summary>
public sealed class TaskDraft
{
    private readonly PipelineDraft _owner;
    private readonly JsonObject _node;
    private readonly List<Dependency> _dependencies = [];
    private JsonObject _config;

    // A depends_on that is not a list of strings is written back as it was until the user changes the edges.
    private bool _keepRawDependsOn;

    internal TaskDraft(PipelineDraft owner, JsonObject node)
    {
        _owner = owner;
        _node = node;
        _config = node["config"] as JsonObject ?? [];
    }

    /// <summary>A name for this task that survives renames: the designer's node id.</summary>
    public string Key { get; } = Guid.NewGuid().ToString("N");

    /// <summary><c>task_id</c>; empty when not set. Edges follow a rename.</summary>
    public string TaskId
    {
        get => PipelineDraft.TextOf(_node, "task_id") ?? "";
        set => PipelineDraft.SetText(_node, "task_id", value);
    }

    /// <summary><c>type</c>; empty when not set.</summary>
    public string Type => PipelineDraft.TextOf(_node, "type") ?? "";

    /// <summary>The tasks of this pipeline this one depends on, in <c>depends_on</c> order.</summary>
    public IReadOnlyList<TaskDraft> Upstream => _dependencies.Where(d => d.Task is not null).Select(d => d.Task!).ToArray();

    /// <summary>The <c>depends_on</c> names as they will be written.</summary>
    public IReadOnlyList<string> DependsOn => _dependencies.Select(d => d.Task?.TaskId ?? d.Name!).ToArray();

    /// <summary>
    /// The <c>config</c> object; forms write into it directly. Values stay as the document had them (numbers,
    /// booleans, nested objects), so nothing is lost on the way back.
    /// </summary>
    public JsonObject Config => _config;

    /// <summary><c>timeout</c> (a duration such as <c>10m</c>), or null.</summary>
    public string? Timeout
    {
        get => PipelineDraft.TextOf(_node, "timeout");
        set => PipelineDraft.SetText(_node, "timeout", value);
    }

    /// <summary><c>description</c>, or null.</summary>
    public string? Description
    {
        get => PipelineDraft.TextOf(_node, "description");
        set => PipelineDraft.SetText(_node, "description", value);
    }

    /// <summary>One entry of <c>retry_policy</c> (<c>max_attempts</c>, <c>initial_interval</c>...), or null.</summary>
    public JsonNode? Retry(string name) => (_node["retry_policy"] as JsonObject)?[name];

    /// <summary>Sets or (with null) removes one entry of <c>retry_policy</c>; an empty policy is removed.</summary>
    public void SetRetry(string name, JsonNode? value)
    {
        var policy = _node["retry_policy"] as JsonObject;
        if (value is null)
        {
            policy?.Remove(name);
            if (policy is { Count: 0 })
            {
                _node.Remove("retry_policy");
            }

            return;
        }

        if (policy is null)
        {
            policy = [];
            _node["retry_policy"] = policy;
        }

        policy[name] = value;
    }

    /// <summary>The task as it is written in the document: a copy, with <c>depends_on</c> from the current edges.</summary>
    public JsonObject ToJson()
    {
        var json = (JsonObject)_node.DeepClone();
        if (!_keepRawDependsOn)
        {
            var names = DependsOn;
            var index = json.IndexOf("depends_on");
            var list = new JsonArray(names.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray());
            if (index >= 0)
            {
                json.SetAt(index, list);
            }
            else if (names.Count > 0)
            {
                // Where people write it: after type.
                json.Insert(InsertionPoint(json, "type", "task_id"), "depends_on", list);
            }
        }

        if (!json.ContainsKey("config") && _config.Count > 0)
        {
            json.Insert(InsertionPoint(json, "depends_on", "type", "task_id"), "config", _config.DeepClone());
        }
        else if (json["config"] is not JsonObject && _config.Count > 0)
        {
            json["config"] = _config.DeepClone();
        }

        return json;
    }

    internal void ResolveDependencies()
    {
        _dependencies.Clear();
        switch (_node["depends_on"])
        {
            case null:
                break;
            case JsonArray array when array.All(d => d is JsonValue v && v.TryGetValue<string>(out _)):
                foreach (var name in array.Select(d => d!.GetValue<string>()))
                {
                    _dependencies.Add(_owner.AllTasks.FirstOrDefault(t => t.TaskId == name) is { } task ? new Dependency(task, null) : new Dependency(null, name));
                }

                break;
            default:
                _keepRawDependsOn = true;
                break;
        }

        // Forms write into the config object; a config that is not an object is replaced on the first edit.
        if (_node["config"] is JsonObject attached)
        {
            _config = attached;
        }
    }

    internal void AddDependency(TaskDraft upstream)
    {
        _keepRawDependsOn = false;
        _dependencies.Add(new Dependency(upstream, null));
    }

    internal void RemoveDependency(TaskDraft upstream)
    {
        if (_dependencies.RemoveAll(d => d.Task == upstream) > 0)
        {
            _keepRawDependsOn = false;
        }
    }

    private static int InsertionPoint(JsonObject json, params string[] after)
    {
        foreach (var key in after)
        {
            var index = json.IndexOf(key);
            if (index >= 0)
            {
                return index + 1;
            }
        }

        return json.Count;
    }

    private sealed record Dependency(TaskDraft? Task, string? Name);
}
