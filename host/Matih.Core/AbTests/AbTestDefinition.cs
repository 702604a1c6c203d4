using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Core.Connections;

namespace Matih.Core.AbTests;

/// <summary>One arm of an A/B test.</summary>
/// <param name="Name">control or treatment.</param>
/// <param name="Model">The model version it serves (<c>customer-churn-predictor/1.0.0</c>).</param>
/// <param name="Description">What it is, for people.</param>
/// <param name="Percentage">Its share of traffic.</param>
public sealed record AbVariant(string Name, string Model, string? Description, double Percentage);

/// <summary>A limit a metric must respect (<c>false_positive_rate</c> at most 0.30).</summary>
public sealed record Guardrail(string Metric, double? MaxValue, double? MinValue);

/// <summary>The seed's A/B test document (<c>churn-model-comparison-v1-v2</c>), parsed and checked.</summary>
/// <param name="Name">experiment_name.</param>
/// <param name="DurationDays">How long it runs.</param>
/// <param name="Variants">control first, then treatment.</param>
/// <param name="AssignmentMethod">How units are assigned: <c>customer_id_hash</c>.</param>
/// <param name="PrimaryMetric">The metric that decides.</param>
/// <param name="SecondaryMetrics">Metrics reported beside it.</param>
/// <param name="Guardrails">Limits that stop the test when crossed.</param>
/// <param name="Deployment">The deployment that routes the traffic, or null for the one serving the control's model.</param>
public sealed partial record AbTestDefinition(
    string Name,
    int DurationDays,
    IReadOnlyList<AbVariant> Variants,
    string AssignmentMethod,
    string PrimaryMetric,
    IReadOnlyList<string> SecondaryMetrics,
    IReadOnlyList<Guardrail> Guardrails,
    string? Deployment)
{
    /// <summary>Every metric the test reports, primary first.</summary>
    public IReadOnlyList<string> Metrics => new[] { PrimaryMetric }.Concat(SecondaryMetrics).Concat(Guardrails.Select(g => g.Metric)).Distinct().ToArray();

    /// <summary>Parses <paramref name="json"/>, listing every problem by JSON path.</summary>
    public static (AbTestDefinition? Definition, IReadOnlyList<DocumentProblem> Problems) Parse(string json)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException e)
        {
            return (null, [new DocumentProblem("$", $"Not valid JSON: {e.Message}")]);
        }

        if (root is null)
        {
            return (null, [new DocumentProblem("$", "An A/B test is a JSON object with experiment_name and traffic_split.")]);
        }

        var problems = new List<DocumentProblem>();
        foreach (var (key, _) in root)
        {
            if (key is not ("experiment_name" or "duration_days" or "traffic_split" or "assignment_method" or "primary_metric" or "secondary_metrics" or "guardrail_metrics" or "deployment" or "description"))
            {
                problems.Add(new DocumentProblem($"$.{key}", $"Unknown property '{key}'."));
            }
        }

        var name = Text(root, "experiment_name", "$", problems);
        if (name is not null && !NamePattern().IsMatch(name))
        {
            problems.Add(new DocumentProblem("$.experiment_name", "experiment_name is lower-case letters, digits, '-' and '_'."));
        }

        var days = root["duration_days"] is { } d && d.GetValueKind() == JsonValueKind.Number && d.GetValue<double>() is var dv && dv >= 1 && dv % 1 == 0 ? (int)dv : 0;
        if (days == 0)
        {
            problems.Add(new DocumentProblem("$.duration_days", "duration_days is a whole number of days, at least 1."));
        }

        var variants = new List<AbVariant>();
        if (root["traffic_split"] is JsonObject split)
        {
            foreach (var arm in new[] { "control", "treatment" })
            {
                if (split[arm] is not JsonObject v)
                {
                    problems.Add(new DocumentProblem($"$.traffic_split.{arm}", $"traffic_split needs a {arm} with model and traffic_percentage."));
                    continue;
                }

                var model = Text(v, "model", $"$.traffic_split.{arm}", problems);
                if (model is not null && !model.Contains('/', StringComparison.Ordinal))
                {
                    problems.Add(new DocumentProblem($"$.traffic_split.{arm}.model", "model is name/version, e.g. customer-churn-predictor/1.0.0."));
                }

                var share = v["traffic_percentage"] is { } p && p.GetValueKind() == JsonValueKind.Number ? p.GetValue<double>() : double.NaN;
                if (!(share > 0 && share < 100))
                {
                    problems.Add(new DocumentProblem($"$.traffic_split.{arm}.traffic_percentage", "traffic_percentage is a number between 0 and 100."));
                }

                var description = v["description"] is JsonValue dsc && dsc.TryGetValue<string>(out var text) ? text : null;
                if (model is not null)
                {
                    variants.Add(new AbVariant(arm, model, description, share));
                }
            }

            foreach (var (key, _) in split)
            {
                if (key is not ("control" or "treatment"))
                {
                    problems.Add(new DocumentProblem($"$.traffic_split.{key}", "traffic_split has exactly a control and a treatment."));
                }
            }

            if (variants.Count == 2 && Math.Abs(variants.Sum(v => v.Percentage) - 100) > 1e-9)
            {
                problems.Add(new DocumentProblem("$.traffic_split", $"The traffic percentages add up to {variants.Sum(v => v.Percentage)}, not 100."));
            }

            if (variants.Count == 2 && variants[0].Model == variants[1].Model)
            {
                problems.Add(new DocumentProblem("$.traffic_split.treatment.model", "Control and treatment serve the same model version."));
            }
        }
        else
        {
            problems.Add(new DocumentProblem("$.traffic_split", "traffic_split is required: {control: {...}, treatment: {...}}."));
        }

        var method = root["assignment_method"] is null ? "customer_id_hash" : Text(root, "assignment_method", "$", problems);
        if (method is not null && !method.EndsWith("_hash", StringComparison.Ordinal))
        {
            problems.Add(new DocumentProblem("$.assignment_method", "assignment_method is <unit>_hash, e.g. customer_id_hash: units are assigned by a stable hash of their id."));
        }

        var primary = Text(root, "primary_metric", "$", problems);
        var secondary = new List<string>();
        if (root["secondary_metrics"] is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is JsonValue v && v.TryGetValue<string>(out var metric) && !string.IsNullOrWhiteSpace(metric))
                {
                    secondary.Add(metric);
                }
                else
                {
                    problems.Add(new DocumentProblem($"$.secondary_metrics[{i}]", "A metric is named by a string."));
                }
            }
        }

        var guardrails = new List<Guardrail>();
        if (root["guardrail_metrics"] is JsonArray rails)
        {
            for (var i = 0; i < rails.Count; i++)
            {
                var at = $"$.guardrail_metrics[{i}]";
                if (rails[i] is not JsonObject rail)
                {
                    problems.Add(new DocumentProblem(at, "A guardrail is {metric, max_value} or {metric, min_value}."));
                    continue;
                }

                var metric = Text(rail, "metric", at, problems);
                double? max = rail["max_value"] is { } mx && mx.GetValueKind() == JsonValueKind.Number ? mx.GetValue<double>() : null;
                double? min = rail["min_value"] is { } mn && mn.GetValueKind() == JsonValueKind.Number ? mn.GetValue<double>() : null;
                if (max is null && min is null)
                {
                    problems.Add(new DocumentProblem(at, "A guardrail needs max_value or min_value."));
                }
                else if (metric is not null)
                {
                    guardrails.Add(new Guardrail(metric, max, min));
                }
            }
        }

        var deployment = root["deployment"] is null ? null : Text(root, "deployment", "$", problems);
        return problems.Count > 0 || name is null || primary is null || method is null
            ? (null, problems)
            : (new AbTestDefinition(name, days, variants, method, primary, secondary, guardrails, deployment), problems);
    }

    private static string? Text(JsonObject owner, string name, string at, List<DocumentProblem> problems)
    {
        if (owner[name] is JsonValue value && value.TryGetValue<string>(out var text) && !string.IsNullOrWhiteSpace(text))
        {
            return text;
        }

        problems.Add(new DocumentProblem($"{at}.{name}", $"{name} is required: a non-empty string."));
        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,99}$")]
    private static partial Regex NamePattern();
}
