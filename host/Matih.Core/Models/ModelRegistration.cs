using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Core.Experiments;

namespace Matih.Core.Models;

/// <summary>The type of one model input as a registration declares it.</summary>
public enum InputFeatureType
{
    /// <summary><c>int</c>: a whole number.</summary>
    Int,

    /// <summary><c>float</c>: any number.</summary>
    Float,

    /// <summary><c>string</c>: text, one-hot encoded by the model.</summary>
    String,

    /// <summary><c>bool</c>: true or false, a number (1/0) to the model.</summary>
    Bool,
}

/// <summary>One model input.</summary>
/// <param name="Name">The feature's name (<c>days_since_last_order</c>).</param>
/// <param name="Type">Its declared type.</param>
public sealed record InputFeature(string Name, InputFeatureType Type)
{
    /// <summary>The type as written in documents: int, float, string or bool.</summary>
    public string TypeName => Names.InputTypeName(Type);

    /// <summary>True when the model reads it as a number (int, float, bool); false for categories (string).</summary>
    public bool IsNumeric => Type != InputFeatureType.String;
}

/// <summary>The registration document (the seed's model registration JSON), read and checked for form.</summary>
/// <param name="ModelName">model_name.</param>
/// <param name="Version">version: a semantic version.</param>
/// <param name="SourceExperiment">source_experiment: the run's name, or <c>experiment/run</c>.</param>
/// <param name="Framework">framework.</param>
/// <param name="Metrics">metrics as given.</param>
/// <param name="FeatureSet">feature_set: the feature group the inputs come from.</param>
/// <param name="InputSchema">input_schema, in the order given.</param>
/// <param name="Tags">tags.</param>
/// <param name="Description">description (optional).</param>
public sealed record ModelRegistrationRequest(
    string ModelName,
    string Version,
    string SourceExperiment,
    string Framework,
    IReadOnlyDictionary<string, double> Metrics,
    string? FeatureSet,
    IReadOnlyList<InputFeature> InputSchema,
    IReadOnlyDictionary<string, string> Tags,
    string? Description);

/// <summary>Reads registration documents, naming the JSON path of each problem.</summary>
public static class ModelRegistrations
{
    private static readonly string[] s_fields =
        ["model_name", "version", "source_experiment", "framework", "metrics", "feature_set", "input_schema", "tags", "description"];

    /// <summary>Reads <paramref name="document"/>; returns the request or every problem found.</summary>
    public static (ModelRegistrationRequest? Request, IReadOnlyList<DocumentProblem> Problems) Parse(JsonNode? document)
    {
        if (document is not JsonObject body)
        {
            return (null, [new DocumentProblem("$", "Expected a JSON object: model_name, version, source_experiment, framework, metrics, feature_set, input_schema, tags.")]);
        }

        var problems = new List<DocumentProblem>();
        foreach (var (key, _) in body)
        {
            if (!s_fields.Contains(key, StringComparer.Ordinal))
            {
                problems.Add(new DocumentProblem(key, $"is not a registration field; the fields are {string.Join(", ", s_fields)}."));
            }
        }

        var name = Text(body, "model_name", problems, required: true);
        if (name is not null && !ExperimentRunRequests.IsValidName(name))
        {
            problems.Add(new DocumentProblem("model_name", $"'{name}' is not a model name: use {ExperimentRunRequests.NameRule}."));
        }

        var version = Text(body, "version", problems, required: true);
        if (version is not null && !SemanticVersion.TryParse(version, out _))
        {
            problems.Add(new DocumentProblem("version", $"'{version}' is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.0.0; see semver.org)."));
        }

        var source = Text(body, "source_experiment", problems, required: true);
        var framework = Text(body, "framework", problems, required: true);
        var featureSet = Text(body, "feature_set", problems, required: false);
        var description = Text(body, "description", problems, required: false);

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (body["metrics"] is { } metricsNode)
        {
            if (metricsNode is not JsonObject metricsObject)
            {
                problems.Add(new DocumentProblem("metrics", "must be an object of numbers, e.g. {\"auc\": 0.871}."));
            }
            else
            {
                foreach (var (key, value) in metricsObject)
                {
                    if (JsonNumbers.TryGetDouble(value, out var number))
                    {
                        metrics[key] = number;
                    }
                    else
                    {
                        problems.Add(new DocumentProblem($"metrics.{key}", "must be a number."));
                    }
                }
            }
        }

        var schema = new List<InputFeature>();
        if (body["input_schema"] is not JsonObject inputs)
        {
            problems.Add(new DocumentProblem("input_schema", body.ContainsKey("input_schema")
                ? "must be an object of feature: type, e.g. {\"total_orders\": \"int\", \"segment\": \"string\"}."
                : "is required: the model's inputs and their types (int, float, string, bool)."));
        }
        else if (inputs.Count == 0)
        {
            problems.Add(new DocumentProblem("input_schema", "lists no inputs; a model needs at least one."));
        }
        else
        {
            foreach (var (feature, value) in inputs)
            {
                var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
                if (Names.TryParseInputType(text, out var type))
                {
                    schema.Add(new InputFeature(feature, type));
                }
                else
                {
                    problems.Add(new DocumentProblem($"input_schema.{feature}", $"{(text is null ? "must be a type name" : $"'{text}' is not a type")}: use int, float, string or bool."));
                }
            }
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body["tags"] is { } tagsNode)
        {
            if (tagsNode is not JsonObject tagsObject)
            {
                problems.Add(new DocumentProblem("tags", "must be an object of strings, e.g. {\"team\": \"data-science\"}."));
            }
            else
            {
                foreach (var (key, value) in tagsObject)
                {
                    if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                    {
                        tags[key] = v.GetValue<string>();
                    }
                    else
                    {
                        problems.Add(new DocumentProblem($"tags.{key}", "must be a string."));
                    }
                }
            }
        }

        if (problems.Count > 0)
        {
            return (null, problems);
        }

        return (new ModelRegistrationRequest(name!, version!, source!, framework!, metrics, featureSet, schema, tags, description), problems);
    }

    private static string? Text(JsonObject body, string field, List<DocumentProblem> problems, bool required)
    {
        var node = body[field];
        if (node is null)
        {
            if (required)
            {
                problems.Add(new DocumentProblem(field, "is required."));
            }

            return null;
        }

        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text)
        {
            return text;
        }

        problems.Add(new DocumentProblem(field, "must be a non-empty string."));
        return null;
    }
}

/// <summary>Names of stages and input types as documents write them.</summary>
public static class Names
{
    /// <summary>A version in no stage.</summary>
    public const string NoStage = "none";

    /// <summary>The staging stage.</summary>
    public const string Staging = "staging";

    /// <summary>The production stage: at most one version of a model at a time.</summary>
    public const string Production = "production";

    /// <summary>The archived stage.</summary>
    public const string Archived = "archived";

    /// <summary>Every stage.</summary>
    public static IReadOnlyList<string> Stages { get; } = [NoStage, Staging, Production, Archived];

    /// <summary>int, float, string or bool.</summary>
    public static string InputTypeName(InputFeatureType type) => type switch
    {
        InputFeatureType.Int => "int",
        InputFeatureType.Float => "float",
        InputFeatureType.String => "string",
        InputFeatureType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    /// <summary>Reads int, float, string or bool.</summary>
    public static bool TryParseInputType(string? text, out InputFeatureType type)
    {
        switch (text)
        {
            case "int":
                type = InputFeatureType.Int;
                return true;
            case "float":
                type = InputFeatureType.Float;
                return true;
            case "string":
                type = InputFeatureType.String;
                return true;
            case "bool":
                type = InputFeatureType.Bool;
                return true;
            default:
                type = default;
                return false;
        }
    }
}
