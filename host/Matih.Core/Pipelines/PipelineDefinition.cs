using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Core.Connections;
using Matih.Sdk.Pipelines;

namespace Matih.Core.Pipelines;

/// <summary>One task of a pipeline: a node of the DAG.</summary>
/// <param name="TaskId">Unique within the pipeline.</param>
/// <param name="Type">The task type (<c>sql_execute</c>).</param>
/// <param name="DependsOn">Tasks that must succeed first: the DAG's edges.</param>
/// <param name="Config">The task type's config object.</param>
/// <param name="Retry">The retry policy.</param>
/// <param name="Timeout">Longest an attempt may take, or null for no limit.</param>
public sealed record PipelineTask(string TaskId, string Type, IReadOnlyList<string> DependsOn, JsonObject Config, RetryPolicy Retry, TimeSpan? Timeout);

/// <summary>Where a run report goes (<c>{"channel": "slack", "target": "#data-alerts"}</c>).</summary>
public sealed record NotificationTarget(string Channel, string Target);

/// <summary>A pipeline document (the seed's "Daily Churn Feature Refresh"), parsed and checked.</summary>
/// <param name="Id">pipeline_id.</param>
/// <param name="Name">Display name.</param>
/// <param name="Description">What it is for, or null.</param>
/// <param name="Schedule">Cron (UTC), or null for runs by hand only.</param>
/// <param name="Tasks">Tasks in document order.</param>
/// <param name="OnFailure">Where failure reports go.</param>
/// <param name="OnSuccess">Where success reports go.</param>
public sealed partial record PipelineDefinition(
    string Id,
    string Name,
    string? Description,
    string? Schedule,
    IReadOnlyList<PipelineTask> Tasks,
    NotificationTarget? OnFailure,
    NotificationTarget? OnSuccess)
{
    private static readonly string[] s_rootProperties = ["pipeline_id", "name", "description", "schedule", "tasks", "notifications"];
    private static readonly string[] s_taskProperties = ["task_id", "type", "depends_on", "config", "retry_policy", "timeout", "description"];
    private static readonly string[] s_retryProperties = ["max_attempts", "backoff_coefficient", "initial_interval", "maximum_interval"];

    /// <summary>The task with <paramref name="taskId"/>.</summary>
    public PipelineTask Task(string taskId) => Tasks.Single(t => t.TaskId == taskId);

    /// <summary>
    /// Parses <paramref name="json"/> and checks its shape against the known <paramref name="taskTypes"/>: every
    /// problem is listed with its JSON path, not just the first.
    /// </summary>
    public static (PipelineDefinition? Definition, IReadOnlyList<DocumentProblem> Problems) Parse(string json, IReadOnlyDictionary<string, IPipelineTaskType> taskTypes)
    {
        var problems = new List<DocumentProblem>();
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            return (null, [new DocumentProblem("$", $"Not valid JSON: {e.Message}")]);
        }

        if (node is not JsonObject root)
        {
            return (null, [new DocumentProblem("$", "A pipeline is a JSON object with pipeline_id, name and tasks.")]);
        }

        Unknown(root, s_rootProperties, "$", problems);
        var id = Text(root, "pipeline_id", "$", problems, required: true);
        if (id is not null && !PipelineId().IsMatch(id))
        {
            problems.Add(new DocumentProblem("$.pipeline_id", "pipeline_id is lower-case letters, digits, '-' and '_', starting with a letter or digit (e.g. churn-feature-refresh)."));
        }

        var name = Text(root, "name", "$", problems, required: true);
        var description = Text(root, "description", "$", problems, required: false);
        var schedule = Text(root, "schedule", "$", problems, required: false);
        if (schedule is not null && ConnectionDefinition.CronProblem(schedule) is { } cronProblem)
        {
            problems.Add(new DocumentProblem("$.schedule", cronProblem));
        }

        var tasks = new List<PipelineTask>();
        if (root["tasks"] is JsonArray array)
        {
            if (array.Count == 0)
            {
                problems.Add(new DocumentProblem("$.tasks", "A pipeline needs at least one task."));
            }

            for (var i = 0; i < array.Count; i++)
            {
                if (ParseTask(array[i], $"$.tasks[{i}]", taskTypes, problems) is { } task)
                {
                    tasks.Add(task);
                }
            }
        }
        else
        {
            problems.Add(new DocumentProblem("$.tasks", "tasks is required: a list of tasks, each with task_id and type."));
        }

        CheckGraph(root["tasks"] as JsonArray, problems);
        NotificationTarget? onFailure = null, onSuccess = null;
        if (root["notifications"] is { } notifications)
        {
            if (notifications is JsonObject n)
            {
                Unknown(n, ["on_failure", "on_success"], "$.notifications", problems);
                onFailure = Target(n, "on_failure", problems);
                onSuccess = Target(n, "on_success", problems);
            }
            else
            {
                problems.Add(new DocumentProblem("$.notifications", "notifications is an object with on_failure and/or on_success."));
            }
        }

        return problems.Count > 0 || id is null || name is null
            ? (null, problems)
            : (new PipelineDefinition(id, name, description, schedule, tasks, onFailure, onSuccess), problems);
    }

    /// <summary>The tasks in an order where each comes after its dependencies (document order among equals).</summary>
    public IReadOnlyList<PipelineTask> TopologicalOrder()
    {
        var done = new HashSet<string>();
        var order = new List<PipelineTask>();
        while (order.Count < Tasks.Count)
        {
            var next = Tasks.First(t => !done.Contains(t.TaskId) && t.DependsOn.All(done.Contains));
            done.Add(next.TaskId);
            order.Add(next);
        }

        return order;
    }

    private static PipelineTask? ParseTask(JsonNode? node, string at, IReadOnlyDictionary<string, IPipelineTaskType> taskTypes, List<DocumentProblem> problems)
    {
        if (node is not JsonObject task)
        {
            problems.Add(new DocumentProblem(at, "Each task is an object with task_id and type."));
            return null;
        }

        var before = problems.Count;
        Unknown(task, s_taskProperties, at, problems);
        var taskId = Text(task, "task_id", at, problems, required: true);
        if (taskId is not null && !TaskId().IsMatch(taskId))
        {
            problems.Add(new DocumentProblem($"{at}.task_id", "task_id is letters, digits, '-' and '_' (e.g. extract_features)."));
        }

        var type = Text(task, "type", at, problems, required: true);
        IPipelineTaskType? taskType = null;
        if (type is not null && !taskTypes.TryGetValue(type, out taskType))
        {
            problems.Add(new DocumentProblem($"{at}.type", $"Unknown task type '{type}'. Known types: {string.Join(", ", taskTypes.Keys.Order(StringComparer.Ordinal))}."));
        }

        var dependsOn = new List<string>();
        if (task["depends_on"] is { } deps)
        {
            if (deps is JsonArray list)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is JsonValue v && v.TryGetValue<string>(out var dep))
                    {
                        dependsOn.Add(dep);
                    }
                    else
                    {
                        problems.Add(new DocumentProblem($"{at}.depends_on[{i}]", "depends_on lists task ids as strings."));
                    }
                }
            }
            else
            {
                problems.Add(new DocumentProblem($"{at}.depends_on", "depends_on is a list of task ids, e.g. [\"extract_features\"]."));
            }
        }

        var config = new JsonObject();
        if (task["config"] is { } configNode)
        {
            if (configNode is JsonObject c)
            {
                config = c;
            }
            else
            {
                problems.Add(new DocumentProblem($"{at}.config", "config is an object."));
            }
        }

        if (taskType is not null)
        {
            ParameterValidation.Check(config, taskType.Config, $"{at}.config", problems);
            var known = taskType.Config.Select(s => s.Name).ToArray();
            Unknown(config, known, $"{at}.config", problems, what: $"{type} config entry");
        }

        var retry = RetryPolicy.None;
        if (task["retry_policy"] is { } retryNode)
        {
            retry = ParseRetry(retryNode, $"{at}.retry_policy", problems) ?? retry;
        }

        TimeSpan? timeout = null;
        if (Text(task, "timeout", at, problems, required: false) is { } timeoutText)
        {
            timeout = Durations.Parse(timeoutText);
            if (timeout is null || timeout <= TimeSpan.Zero)
            {
                problems.Add(new DocumentProblem($"{at}.timeout", $"'{timeoutText}' is not a duration; write e.g. 30s, 5m, 1h or PT30S."));
            }
        }

        return problems.Count > before || taskId is null || type is null
            ? null
            : new PipelineTask(taskId, type, dependsOn, config, retry, timeout);
    }

    private static RetryPolicy? ParseRetry(JsonNode node, string at, List<DocumentProblem> problems)
    {
        if (node is not JsonObject retry)
        {
            problems.Add(new DocumentProblem(at, "retry_policy is an object with max_attempts, backoff_coefficient, initial_interval and maximum_interval."));
            return null;
        }

        var before = problems.Count;
        Unknown(retry, s_retryProperties, at, problems);
        var attempts = 1;
        if (retry["max_attempts"] is { } a)
        {
            if (a.GetValueKind() == JsonValueKind.Number && a.GetValue<double>() is var n && n % 1 == 0 && n >= 1 && n <= 100)
            {
                attempts = (int)n;
            }
            else
            {
                problems.Add(new DocumentProblem($"{at}.max_attempts", "max_attempts is a whole number from 1 to 100 (attempts in all, the first included)."));
            }
        }

        var coefficient = 2.0;
        if (retry["backoff_coefficient"] is { } b)
        {
            if (b.GetValueKind() == JsonValueKind.Number && b.GetValue<double>() >= 1)
            {
                coefficient = b.GetValue<double>();
            }
            else
            {
                problems.Add(new DocumentProblem($"{at}.backoff_coefficient", "backoff_coefficient is a number of at least 1."));
            }
        }

        var initial = Duration(retry, "initial_interval", at, problems) ?? TimeSpan.FromSeconds(1);
        var maximum = Duration(retry, "maximum_interval", at, problems) ?? RetryPolicy.DefaultMaximum(initial);
        if (maximum < initial)
        {
            problems.Add(new DocumentProblem($"{at}.maximum_interval", $"maximum_interval ({Durations.Format(maximum)}) is shorter than initial_interval ({Durations.Format(initial)})."));
        }

        return problems.Count > before ? null : new RetryPolicy(attempts, coefficient, initial, maximum);
    }

    private static TimeSpan? Duration(JsonObject owner, string name, string at, List<DocumentProblem> problems)
    {
        if (Text(owner, name, at, problems, required: false) is not { } text)
        {
            return null;
        }

        var value = Durations.Parse(text);
        if (value is null || value <= TimeSpan.Zero)
        {
            problems.Add(new DocumentProblem($"{at}.{name}", $"'{text}' is not a duration; write e.g. 30s, 5m, 1h or PT30S."));
            return null;
        }

        return value;
    }

    private static void CheckGraph(JsonArray? array, List<DocumentProblem> problems)
    {
        // Read ids and edges from the raw document, so a task with a problem elsewhere still has its edges checked.
        var indexOf = new Dictionary<string, int>();
        var edges = new Dictionary<string, List<string>>();
        for (var i = 0; i < (array?.Count ?? 0); i++)
        {
            if ((array![i] as JsonObject)?["task_id"] is not JsonValue v || !v.TryGetValue<string>(out var id))
            {
                continue;
            }

            if (!indexOf.TryAdd(id, i))
            {
                problems.Add(new DocumentProblem($"$.tasks[{i}].task_id", $"Task id '{id}' is used twice (also at $.tasks[{indexOf[id]}])."));
                continue;
            }

            edges[id] = ((array[i] as JsonObject)?["depends_on"] as JsonArray)?
                .Select(d => d is JsonValue dv && dv.TryGetValue<string>(out var dep) ? dep : null).OfType<string>().ToList() ?? [];
        }

        foreach (var (id, deps) in edges)
        {
            var at = $"$.tasks[{indexOf[id]}].depends_on";
            for (var i = 0; i < deps.Count; i++)
            {
                if (deps[i] == id)
                {
                    problems.Add(new DocumentProblem($"{at}[{i}]", $"Task '{id}' depends on itself."));
                }
                else if (!indexOf.ContainsKey(deps[i]))
                {
                    problems.Add(new DocumentProblem($"{at}[{i}]", $"Task '{id}' depends on '{deps[i]}', which is not a task of this pipeline."));
                }
            }
        }

        // A cycle: report it once, as the path round it.
        var state = new Dictionary<string, int>();
        var stack = new List<string>();
        foreach (var id in edges.Keys)
        {
            if (Visit(id) is { } cycle)
            {
                var first = cycle[0];
                problems.Add(new DocumentProblem($"$.tasks[{indexOf[first]}].depends_on",
                    $"The tasks form a cycle: {string.Join(" -> ", cycle.Append(first))}. A pipeline is a DAG: remove one of these dependencies."));
                break;
            }
        }

        List<string>? Visit(string id)
        {
            if (state.GetValueOrDefault(id) == 2 || !edges.TryGetValue(id, out var deps))
            {
                return null;
            }

            if (state.GetValueOrDefault(id) == 1)
            {
                return stack.SkipWhile(s => s != id).ToList();
            }

            state[id] = 1;
            stack.Add(id);
            foreach (var dep in deps.Where(d => d != id))
            {
                if (Visit(dep) is { } cycle)
                {
                    return cycle;
                }
            }

            stack.RemoveAt(stack.Count - 1);
            state[id] = 2;
            return null;
        }
    }

    private static NotificationTarget? Target(JsonObject notifications, string name, List<DocumentProblem> problems)
    {
        if (notifications[name] is not { } node)
        {
            return null;
        }

        var at = $"$.notifications.{name}";
        if (node is not JsonObject target)
        {
            problems.Add(new DocumentProblem(at, $"{name} is an object like {{\"channel\": \"slack\", \"target\": \"#data-alerts\"}}."));
            return null;
        }

        Unknown(target, ["channel", "target"], at, problems);
        var channel = Text(target, "channel", at, problems, required: true);
        var to = Text(target, "target", at, problems, required: true);
        return channel is null || to is null ? null : new NotificationTarget(channel, to);
    }

    private static string? Text(JsonObject owner, string name, string at, List<DocumentProblem> problems, bool required)
    {
        var node = owner[name];
        if (node is null)
        {
            if (required)
            {
                problems.Add(new DocumentProblem($"{at}.{name}", $"{name} is required."));
            }

            return null;
        }

        if (node is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text))
        {
            return text;
        }

        problems.Add(new DocumentProblem($"{at}.{name}", $"{name} must be a non-empty string."));
        return null;
    }

    private static void Unknown(JsonObject owner, IReadOnlyCollection<string> known, string at, List<DocumentProblem> problems, string what = "property")
    {
        foreach (var (key, _) in owner)
        {
            if (!known.Contains(key))
            {
                problems.Add(new DocumentProblem($"{at}.{key}", $"Unknown {what} '{key}'. Known: {string.Join(", ", known)}."));
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,99}$")]
    private static partial Regex PipelineId();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")]
    private static partial Regex TaskId();
}
