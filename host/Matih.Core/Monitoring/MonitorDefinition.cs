using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Core.Connections;
using Matih.Core.Notifications;
using Matih.Core.Pipelines;
using Matih.Sdk.Data;
using Matih.Sdk.Drift;
using Matih.Sdk.Notifications;

namespace Matih.Core.Monitoring;

/// <summary>One check of a monitor: what is compared, how, and when it alerts.</summary>
/// <param name="Key">Stable id within the monitor (<c>feature_drift:psi</c>), for alert state and history.</param>
/// <param name="Type">feature_drift | prediction_drift | accuracy_tracking.</param>
/// <param name="Method">The drift detector's method id (<c>psi</c>, <c>ks_test</c>, <c>precision_at_k</c>).</param>
/// <param name="Threshold">The value compared with the detector's statistic (or p-value).</param>
/// <param name="Window">How far back the current window reaches.</param>
public sealed record MonitorCheck(string Key, string Type, string Method, double Threshold, TimeSpan Window)
{
    /// <summary>Features compared (feature drift).</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>The column compared (prediction drift): <c>churn_probability</c>.</summary>
    public string? Column { get; init; }

    /// <summary>The table the current window is compared with (feature drift; prediction drift when given).</summary>
    public TableRef? ReferenceDataset { get; init; }

    /// <summary>Ground truth for accuracy tracking: one row per entity with the actual label.</summary>
    public TableRef? GroundTruthTable { get; init; }

    /// <summary>The ground truth's label column, when not the first boolean or 0/1 column after the key.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>k for precision@k.</summary>
    public int? K { get; init; }

    /// <summary>Cron for checks on their own schedule (accuracy), else null (evaluated with the monitor).</summary>
    public string? Schedule { get; init; }

    /// <summary>The detector's options from the document (bins, epsilon...), passed through.</summary>
    public IReadOnlyDictionary<string, JsonElement> Options { get; init; } = new Dictionary<string, JsonElement>();

    /// <summary>The alert name used in severity mapping: accuracy checks alert as <c>accuracy_drop</c>.</summary>
    public string AlertKind => Type == "accuracy_tracking" ? "accuracy_drop" : Type;
}

/// <summary>Where alerts go and how loud they are.</summary>
/// <param name="Channels">Channel references (<c>slack:#ml-alerts</c>, <c>email:priya@novamart.com</c>).</param>
/// <param name="Severity">Severity per alert kind (feature_drift, prediction_drift, accuracy_drop).</param>
/// <param name="Reminder">How long an alert stays quiet before it is repeated while it lasts.</param>
public sealed record MonitorAlerts(IReadOnlyList<ChannelReference> Channels, IReadOnlyDictionary<string, Severity> Severity, TimeSpan Reminder);

/// <summary>The seed's monitor document (<c>churn-predictor-drift</c>), parsed and checked.</summary>
public sealed partial record MonitorDefinition(string Name, string Deployment, IReadOnlyList<MonitorCheck> Checks, MonitorAlerts Alerts, string? Schedule)
{
    private static readonly string[] s_types = ["feature_drift", "prediction_drift", "accuracy_tracking"];

    /// <summary>The default wait before an ongoing alert is repeated.</summary>
    public static readonly TimeSpan DefaultReminder = TimeSpan.FromHours(24);

    /// <summary>Parses <paramref name="json"/>, listing every problem by JSON path.</summary>
    public static (MonitorDefinition? Definition, IReadOnlyList<DocumentProblem> Problems) Parse(string json, IReadOnlyCollection<IDriftDetector> detectors)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject;
        }
        catch (JsonException e)
        {
            return (null, [new DocumentProblem("$", $"Not valid JSON: {e.Message}")]);
        }

        if (root is null)
        {
            return (null, [new DocumentProblem("$", "A monitor is a JSON object with monitor_name, deployment and monitors.")]);
        }

        var problems = new List<DocumentProblem>();
        Unknown(root, ["monitor_name", "deployment", "monitors", "alerts", "schedule", "description"], "$", problems);
        var name = Text(root, "monitor_name", "$", problems, required: true);
        if (name is not null && !NamePattern().IsMatch(name))
        {
            problems.Add(new DocumentProblem("$.monitor_name", "monitor_name is lower-case letters, digits, '-' and '_' (e.g. churn-predictor-drift)."));
        }

        var deployment = Text(root, "deployment", "$", problems, required: true);
        var schedule = Text(root, "schedule", "$", problems, required: false);
        if (schedule is not null && ConnectionDefinition.CronProblem(schedule) is { } cronProblem)
        {
            problems.Add(new DocumentProblem("$.schedule", cronProblem));
        }

        var checks = new List<MonitorCheck>();
        if (root["monitors"] is JsonArray monitors && monitors.Count > 0)
        {
            for (var i = 0; i < monitors.Count; i++)
            {
                if (ParseCheck(monitors[i] as JsonObject, $"$.monitors[{i}]", detectors, problems) is { } check)
                {
                    var key = check.Key;
                    for (var n = 2; checks.Any(c => c.Key == key); n++)
                    {
                        key = $"{check.Key}:{n}";
                    }

                    checks.Add(check with { Key = key });
                }
            }
        }
        else
        {
            problems.Add(new DocumentProblem("$.monitors", "monitors is a non-empty list of checks (feature_drift, prediction_drift, accuracy_tracking)."));
        }

        var alerts = ParseAlerts(root["alerts"], problems);
        return problems.Count > 0 || name is null || deployment is null
            ? (null, problems)
            : (new MonitorDefinition(name, deployment, checks, alerts, schedule), problems);
    }

    private static MonitorCheck? ParseCheck(JsonObject? node, string at, IReadOnlyCollection<IDriftDetector> detectors, List<DocumentProblem> problems)
    {
        if (node is null)
        {
            problems.Add(new DocumentProblem(at, "Each monitor entry is an object with a type."));
            return null;
        }

        var before = problems.Count;
        var type = Text(node, "type", at, problems, required: true);
        if (type is not null && !s_types.Contains(type))
        {
            problems.Add(new DocumentProblem($"{at}.type", $"Unknown monitor type '{type}'; use one of {string.Join(", ", s_types)}."));
            return null;
        }

        var methodField = type == "accuracy_tracking" ? "metric" : "method";
        var method = Text(node, methodField, at, problems, required: true);
        var detector = method is null ? null : detectors.FirstOrDefault(d => d.Method == method);
        if (method is not null && detector is null)
        {
            problems.Add(new DocumentProblem($"{at}.{methodField}", $"No drift detector has the method '{method}'. Installed: {string.Join(", ", detectors.Select(d => d.Method).Order(StringComparer.Ordinal))}."));
        }

        var known = type switch
        {
            "feature_drift" => new[] { "type", "method", "features", "threshold", "window", "reference_dataset" },
            "prediction_drift" => ["type", "method", "column", "threshold", "window", "reference_dataset"],
            _ => ["type", "metric", "k", "ground_truth_table", "label_column", "evaluation_schedule", "alert_threshold", "window"],
        };
        var options = new Dictionary<string, JsonElement>();
        foreach (var (key, value) in node)
        {
            if (known.Contains(key))
            {
                continue;
            }

            if (detector?.Options.Any(o => o.Name == key) == true)
            {
                options[key] = JsonSerializer.SerializeToElement(value);
            }
            else
            {
                problems.Add(new DocumentProblem($"{at}.{key}", $"Unknown entry '{key}'. Known: {string.Join(", ", known.Concat(detector?.Options.Select(o => o.Name) ?? []))}."));
            }
        }

        var windowText = Text(node, "window", at, problems, required: false) ?? "7d";
        var window = Durations.Parse(windowText);
        if (window is null || window <= TimeSpan.Zero)
        {
            problems.Add(new DocumentProblem($"{at}.window", $"'{windowText}' is not a duration; write e.g. 7d, 24h."));
        }

        var thresholdField = type == "accuracy_tracking" ? "alert_threshold" : "threshold";
        var threshold = Number(node, thresholdField, at, problems);
        MonitorCheck? check = null;
        switch (type)
        {
            case "feature_drift":
                var features = (node["features"] as JsonArray)?.Select(f => f is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).ToList();
                if (features is null || features.Count == 0 || features.Any(f => string.IsNullOrWhiteSpace(f)))
                {
                    problems.Add(new DocumentProblem($"{at}.features", "features is a non-empty list of feature names."));
                }

                var reference = Table(node, "reference_dataset", at, problems, required: true);
                if (detector is not null && !detector.Accepts.Contains(DriftInputKind.Numeric) && !detector.Accepts.Contains(DriftInputKind.Categorical))
                {
                    problems.Add(new DocumentProblem($"{at}.method", $"'{method}' does not compare feature values."));
                }

                check = new MonitorCheck($"feature_drift:{method}", type, method ?? "", threshold ?? 0, window ?? TimeSpan.Zero)
                {
                    Features = features?.OfType<string>().ToArray() ?? [],
                    ReferenceDataset = reference,
                    Options = options,
                };
                break;
            case "prediction_drift":
                var column = Text(node, "column", at, problems, required: false) ?? "churn_probability";
                if (detector is not null && !detector.Accepts.Contains(DriftInputKind.Numeric))
                {
                    problems.Add(new DocumentProblem($"{at}.method", $"'{method}' does not compare numeric predictions."));
                }

                check = new MonitorCheck($"prediction_drift:{method}", type, method ?? "", threshold ?? 0, window ?? TimeSpan.Zero)
                {
                    Column = column,
                    ReferenceDataset = Table(node, "reference_dataset", at, problems, required: false),
                    Options = options,
                };
                break;
            default:
                var ground = Table(node, "ground_truth_table", at, problems, required: true);
                var schedule = Text(node, "evaluation_schedule", at, problems, required: false);
                if (schedule is not null && ConnectionDefinition.CronProblem(schedule) is { } cronProblem)
                {
                    problems.Add(new DocumentProblem($"{at}.evaluation_schedule", cronProblem));
                }

                int? k = null;
                if (node["k"] is { } kNode)
                {
                    if (kNode.GetValueKind() == JsonValueKind.Number && kNode.GetValue<double>() is var kv && kv >= 1 && kv % 1 == 0)
                    {
                        k = (int)kv;
                        options["k"] = JsonSerializer.SerializeToElement(k);
                    }
                    else
                    {
                        problems.Add(new DocumentProblem($"{at}.k", "k is a whole number of at least 1."));
                    }
                }

                if (detector is not null && !detector.Accepts.Contains(DriftInputKind.Labelled))
                {
                    problems.Add(new DocumentProblem($"{at}.metric", $"'{method}' is not an accuracy metric."));
                }

                check = new MonitorCheck($"accuracy_tracking:{method}", type!, method ?? "", threshold ?? 0, window ?? TimeSpan.FromDays(7))
                {
                    GroundTruthTable = ground,
                    LabelColumn = Text(node, "label_column", at, problems, required: false),
                    K = k,
                    Schedule = schedule,
                    Options = options,
                };
                break;
        }

        return problems.Count > before ? null : check;
    }

    private static MonitorAlerts ParseAlerts(JsonNode? node, List<DocumentProblem> problems)
    {
        var channels = new List<ChannelReference>();
        var severity = new Dictionary<string, Severity>
        {
            ["feature_drift"] = Severity.Warning,
            ["prediction_drift"] = Severity.Critical,
            ["accuracy_drop"] = Severity.Critical,
        };
        var reminder = DefaultReminder;
        if (node is null)
        {
            return new MonitorAlerts(channels, severity, reminder);
        }

        if (node is not JsonObject alerts)
        {
            problems.Add(new DocumentProblem("$.alerts", "alerts is an object with channels and severity_mapping."));
            return new MonitorAlerts(channels, severity, reminder);
        }

        Unknown(alerts, ["channels", "severity_mapping", "reminder_interval"], "$.alerts", problems);
        if (alerts["channels"] is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                var text = list[i] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                if (ChannelReference.TryParse(text, out var reference, out var error))
                {
                    channels.Add(reference);
                }
                else
                {
                    problems.Add(new DocumentProblem($"$.alerts.channels[{i}]", error ?? "A channel is written channel:target, e.g. slack:#ml-alerts."));
                }
            }
        }
        else if (alerts["channels"] is not null)
        {
            problems.Add(new DocumentProblem("$.alerts.channels", "channels is a list like [\"slack:#ml-alerts\"]."));
        }

        if (alerts["severity_mapping"] is JsonObject mapping)
        {
            foreach (var (kind, value) in mapping)
            {
                var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
                if (!severity.ContainsKey(kind))
                {
                    problems.Add(new DocumentProblem($"$.alerts.severity_mapping.{kind}", $"Unknown alert kind '{kind}'; use feature_drift, prediction_drift or accuracy_drop."));
                }
                else if (text?.ToLowerInvariant() switch { "info" => Severity.Info, "warning" => Severity.Warning, "critical" => Severity.Critical, _ => (Severity?)null } is { } level)
                {
                    severity[kind] = level;
                }
                else
                {
                    problems.Add(new DocumentProblem($"$.alerts.severity_mapping.{kind}", "Severity is info, warning or critical."));
                }
            }
        }

        if (Text(alerts, "reminder_interval", "$.alerts", problems, required: false) is { } r)
        {
            reminder = Durations.Parse(r) ?? reminder;
            if (Durations.Parse(r) is null)
            {
                problems.Add(new DocumentProblem("$.alerts.reminder_interval", $"'{r}' is not a duration; write e.g. 24h."));
            }
        }

        return new MonitorAlerts(channels, severity, reminder);
    }

    private static TableRef? Table(JsonObject node, string name, string at, List<DocumentProblem> problems, bool required)
    {
        var text = Text(node, name, at, problems, required);
        if (text is null)
        {
            return null;
        }

        if (TableRef.TryParse(text, out var table))
        {
            return table;
        }

        problems.Add(new DocumentProblem($"{at}.{name}", $"'{text}' is not a table name; write catalog.schema.table."));
        return null;
    }

    private static double? Number(JsonObject node, string name, string at, List<DocumentProblem> problems)
    {
        if (node[name] is { } value && value.GetValueKind() == JsonValueKind.Number)
        {
            return value.GetValue<double>();
        }

        problems.Add(new DocumentProblem($"{at}.{name}", $"{name} is required: a number."));
        return null;
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

    private static void Unknown(JsonObject owner, IReadOnlyCollection<string> known, string at, List<DocumentProblem> problems)
    {
        foreach (var (key, _) in owner)
        {
            if (!known.Contains(key))
            {
                problems.Add(new DocumentProblem($"{at}.{key}", $"Unknown property '{key}'. Known: {string.Join(", ", known)}."));
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,99}$")]
    private static partial Regex NamePattern();
}
