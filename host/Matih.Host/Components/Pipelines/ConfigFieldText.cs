using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Plugins;

namespace Matih.Host.Components.Pipelines;

/// <summary>The kinds of input the generated config form uses.</summary>
public enum ConfigFieldKind
{
    /// <summary>One line of text (strings, durations, crons).</summary>
    Text,

    /// <summary>Several lines of SQL.</summary>
    Sql,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>Any number.</summary>
    Number,

    /// <summary>A check box.</summary>
    Boolean,

    /// <summary>One of the allowed values.</summary>
    Choice,

    /// <summary>An array or object, written as JSON.</summary>
    Json,
}

/// <summary>
/// Between a config value (<see cref="JsonNode"/>) and the text in its form field, for each <see cref="ParameterSpec"/>
/// type. A value the form did not touch is never rewritten, so numbers keep their form and objects their keys.
/// </summary>
public static class ConfigFieldText
{
    /// <summary>The input used for <paramref name="spec"/>.</summary>
    public static ConfigFieldKind KindOf(ParameterSpec spec) => spec switch
    {
        { AllowedValues.Count: > 0 } => ConfigFieldKind.Choice,
        { Type: ParameterType.Boolean } => ConfigFieldKind.Boolean,
        { Type: ParameterType.Integer } => ConfigFieldKind.Integer,
        { Type: ParameterType.Number } => ConfigFieldKind.Number,
        { Type: ParameterType.Sql } => ConfigFieldKind.Sql,
        { Type: ParameterType.Array or ParameterType.Object } => ConfigFieldKind.Json,
        _ => ConfigFieldKind.Text,
    };

    /// <summary>The text a field shows for <paramref name="value"/>: strings as they are, anything else as JSON.</summary>
    public static string Show(JsonNode? value) => value switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        JsonArray or JsonObject => value.ToJsonString(new JsonSerializerOptions { WriteIndented = true }),
        _ => value.ToJsonString(),
    };

    /// <summary>
    /// The value for what the user typed into the field of <paramref name="spec"/>: null (remove the entry) for an
    /// empty field; otherwise the value, or an error saying what the field takes.
    /// </summary>
    public static (JsonNode? Value, string? Error) Read(ParameterSpec spec, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        var trimmed = text.Trim();
        switch (KindOf(spec))
        {
            case ConfigFieldKind.Integer:
                return long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)
                    ? (JsonValue.Create(whole), null)
                    : (null, $"{spec.Name} is a whole number, e.g. 3.");
            case ConfigFieldKind.Number:
                // Parsed as JSON so 2 stays 2 and 0.1 stays 0.1 in the document.
                return double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && TryJson(trimmed) is { } number
                    ? (number, null)
                    : (null, $"{spec.Name} is a number, e.g. 0.5.");
            case ConfigFieldKind.Json:
                var parsed = TryJson(trimmed);
                var wanted = spec.Type == ParameterType.Array ? "a JSON list, e.g. [\"a\", \"b\"]" : "a JSON object, e.g. {\"key\": \"value\"}";
                return parsed switch
                {
                    JsonArray when spec.Type == ParameterType.Array => (parsed, null),
                    JsonObject when spec.Type == ParameterType.Object => (parsed, null),
                    _ => (null, $"{spec.Name} is {wanted}."),
                };
            case ConfigFieldKind.Sql:
                // SQL keeps its line breaks and indentation.
                return (JsonValue.Create(text), null);
            default:
                return (JsonValue.Create(trimmed), null);
        }
    }

    /// <summary>The field's help: the description, plus the default when there is one.</summary>
    public static string Help(ParameterSpec spec) =>
        spec.Default is { } fallback ? $"{spec.Description} Default: {Show(fallback)}." : spec.Description;

    private static JsonNode? TryJson(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
