using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Plugins;

namespace Matih.Core.Connections;

/// <summary>Checks a JSON object against <see cref="ParameterSpec"/>s, naming the JSON path of every problem.</summary>
public static class ParameterValidation
{
    /// <summary>Adds a problem for each missing, mistyped, out-of-range or unknown-value entry.</summary>
    public static void Check(JsonObject values, IReadOnlyList<ParameterSpec> specs, string at, List<DocumentProblem> problems)
    {
        foreach (var spec in specs)
        {
            var path = $"{at}.{spec.Name}";
            var node = values[spec.Name];
            if (node is null)
            {
                if (spec.Required)
                {
                    problems.Add(new DocumentProblem(path, $"{spec.Name} is required: {spec.Description}"));
                }

                continue;
            }

            // A ${NAME} reference is resolved at run time; its type is checked then.
            if (node is JsonValue v && v.TryGetValue<string>(out var text) && SecretValues.IsReference(text) && spec.Type != ParameterType.String)
            {
                continue;
            }

            if (!CheckTyped(node, spec, path, problems))
            {
                continue;
            }

            if (spec.Type == ParameterType.Object && spec.Properties is { } nested)
            {
                Check((JsonObject)node, nested, path, problems);
            }
        }
    }

    /// <summary>
    /// Checks a present value that is not a <c>${NAME}</c> reference: its type, range, allowed values and cron or
    /// duration syntax. Returns false when the type is wrong (nothing more can be said about it).
    /// </summary>
    public static bool CheckTyped(JsonNode node, ParameterSpec spec, string path, List<DocumentProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(problems);
        var kind = node.GetValueKind();
        var ok = spec.Type switch
        {
            ParameterType.String or ParameterType.Sql or ParameterType.Duration or ParameterType.Cron => kind == JsonValueKind.String,
            ParameterType.Integer => kind == JsonValueKind.Number && node.GetValue<double>() % 1 == 0,
            ParameterType.Number => kind == JsonValueKind.Number,
            ParameterType.Boolean => kind is JsonValueKind.True or JsonValueKind.False,
            ParameterType.Array => kind == JsonValueKind.Array,
            ParameterType.Object => kind == JsonValueKind.Object,
            _ => true,
        };
        if (!ok)
        {
            problems.Add(new DocumentProblem(path, $"{spec.Name} must be {Describe(spec.Type)}."));
            return false;
        }

        if (kind == JsonValueKind.Number)
        {
            var number = node.GetValue<double>();
            if (spec.Minimum is { } min && number < min)
            {
                problems.Add(new DocumentProblem(path, $"{spec.Name} must be at least {min}."));
            }

            if (spec.Maximum is { } max && number > max)
            {
                problems.Add(new DocumentProblem(path, $"{spec.Name} must be at most {max}."));
            }
        }

        if (spec.AllowedValues is { Count: > 0 } allowed && kind == JsonValueKind.String
            && !allowed.Contains(node.GetValue<string>(), StringComparer.OrdinalIgnoreCase))
        {
            problems.Add(new DocumentProblem(path, $"'{node.GetValue<string>()}' is not allowed; use one of {string.Join(", ", allowed)}."));
        }

        if (spec.Type == ParameterType.Cron && ConnectionDefinition.CronProblem(node.GetValue<string>()) is { } cron)
        {
            problems.Add(new DocumentProblem(path, cron));
        }

        if (spec.Type == ParameterType.Duration && Pipelines.Durations.Parse(node.GetValue<string>()) is null)
        {
            problems.Add(new DocumentProblem(path, $"'{node.GetValue<string>()}' is not a duration; write e.g. 30s, 5m, 1h or PT30S."));
        }

        return true;
    }

    private static string Describe(ParameterType type) => type switch
    {
        ParameterType.Integer => "a whole number",
        ParameterType.Number => "a number",
        ParameterType.Boolean => "true or false",
        ParameterType.Array => "a list",
        ParameterType.Object => "an object",
        ParameterType.Cron => "a cron expression string",
        ParameterType.Duration => "a duration string such as 30s",
        _ => "a string",
    };
}
