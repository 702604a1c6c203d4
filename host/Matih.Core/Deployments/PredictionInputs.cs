using System.Globalization;
using System.Text.Json;
using Matih.Core.Connections;
using Matih.Core.Models;
using Matih.Sdk.Serving;

namespace Matih.Core.Deployments;

/// <summary>One instance of a prediction request, checked.</summary>
/// <param name="Features">The inputs; null when they are to come from the online store.</param>
/// <param name="Key">The entity key as sent (echoed as is), if any.</param>
/// <param name="KeyText">The entity key as text (<c>1042587</c>), if any.</param>
/// <param name="KeyName">The entity key's field (<c>customer_id</c>), if any.</param>
internal readonly record struct RequestInstance(FeatureVector? Features, JsonElement? Key, string? KeyText, string? KeyName);

/// <summary>
/// Reads prediction request bodies against a model's input schema, naming the field (and the instance of a batch) of
/// every problem: a missing input, an unknown field, a value of the wrong type.
/// </summary>
/// <remarks>
/// The entity key: the field that is not an input and names the entity. When the registration's feature_set names a
/// feature group, its entity key column (<c>customer_id</c>) is that field; otherwise the one field ending in
/// <c>_id</c> that is not an input. It is optional, echoed in the answer and logged; a request carrying only the key
/// gets its inputs from the feature group's online store. <c>null</c> for an input means "unknown" (NaN for numbers,
/// a missing category), which the model was trained to handle.
/// </remarks>
internal static class PredictionInputs
{
    public static RequestInstance? Read(JsonElement element, ServingModel model, string at, List<DocumentProblem> problems)
    {
        var path = at.Length == 0 ? "$" : at.TrimEnd('.');
        if (element.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new DocumentProblem(path, $"must be an object of the model's inputs ({string.Join(", ", model.Inputs.Select(i => i.Name))}), not {Describe(element)}."));
            return null;
        }

        var before = problems.Count;
        var numeric = new Dictionary<string, float>(model.NumericCount, StringComparer.Ordinal);
        var categorical = new Dictionary<string, string?>(model.Inputs.Count - model.NumericCount, StringComparer.Ordinal);
        Span<bool> seen = stackalloc bool[model.Inputs.Count];
        var given = 0;
        JsonElement? key = null;
        string? keyName = null;
        var keyField = model.KeyField;
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (model.Index.TryGetValue(name, out var index))
            {
                if (seen[index])
                {
                    problems.Add(new DocumentProblem(at + name, "is given twice."));
                    continue;
                }

                seen[index] = true;
                given++;
                var input = model.Inputs[index];
                if (input.IsNumeric)
                {
                    if (Number(property.Value, input.Type) is { } number)
                    {
                        numeric[name] = number;
                    }
                    else
                    {
                        problems.Add(new DocumentProblem(at + name, $"must be {Expected(input.Type)}, not {Describe(property.Value)}."));
                    }
                }
                else if (property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Null)
                {
                    categorical[name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                }
                else
                {
                    problems.Add(new DocumentProblem(at + name, $"must be {Expected(input.Type)}, not {Describe(property.Value)}."));
                }
            }
            else if (keyName is null && (keyField is not null ? name == keyField : name.EndsWith("_id", StringComparison.Ordinal)))
            {
                keyName = name;
                if (property.Value.ValueKind is JsonValueKind.Number or JsonValueKind.String)
                {
                    key = property.Value;
                }
                else
                {
                    problems.Add(new DocumentProblem(at + name, $"is the entity key: it must be a number or a string, not {Describe(property.Value)}."));
                }
            }
            else
            {
                problems.Add(new DocumentProblem(at + name,
                    $"is not an input of {model.Reference}; its inputs are {string.Join(", ", model.Inputs.Select(i => i.Name))}{(keyField is null ? "" : $" and the entity key {keyField}")}."));
            }
        }

        if (given == 0 && problems.Count == before)
        {
            if (key is not null)
            {
                return new RequestInstance(null, key, KeyText(key.Value), keyName);
            }

            problems.Add(new DocumentProblem(path,
                $"has no inputs: send {string.Join(", ", model.Inputs.Select(i => i.Name))}{(keyField is null ? "" : $", or only {keyField} to read them from the online store")}."));
            return null;
        }

        for (var i = 0; i < model.Inputs.Count; i++)
        {
            if (!seen[i])
            {
                problems.Add(new DocumentProblem(at + model.Inputs[i].Name, $"is missing: the model needs it ({model.Inputs[i].TypeName})."));
            }
        }

        return problems.Count > before ? null : new RequestInstance(new FeatureVector(numeric, categorical), key, key is { } k ? KeyText(k) : null, key is null ? null : keyName);
    }

    /// <summary>The inputs from an online store row; a sentence naming the column when the row cannot supply one.</summary>
    public static (FeatureVector? Features, string? Problem) FromOnline(IReadOnlyDictionary<string, object?> row, ServingModel model)
    {
        var numeric = new Dictionary<string, float>(model.NumericCount, StringComparer.Ordinal);
        var categorical = new Dictionary<string, string?>(model.Inputs.Count - model.NumericCount, StringComparer.Ordinal);
        foreach (var input in model.Inputs)
        {
            if (!row.TryGetValue(input.Name, out var value))
            {
                return (null, $"feature group {model.FeatureSet} has no column {input.Name}, which the model needs.");
            }

            if (!input.IsNumeric)
            {
                categorical[input.Name] = value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
                continue;
            }

            float? number = value switch
            {
                null => float.NaN,
                bool b => b ? 1 : 0,
                string s => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null,
                IConvertible c => Convert.ToSingle(c, CultureInfo.InvariantCulture),
                _ => null,
            };
            if (number is null)
            {
                return (null, $"feature group {model.FeatureSet} holds '{value}' in {input.Name}, which is not a number.");
            }

            numeric[input.Name] = number.Value;
        }

        return (new FeatureVector(numeric, categorical), null);
    }

    private static float? Number(JsonElement value, InputFeatureType type)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return float.NaN;
            case JsonValueKind.True when type == InputFeatureType.Bool:
                return 1;
            case JsonValueKind.False when type == InputFeatureType.Bool:
                return 0;
            case JsonValueKind.Number when type == InputFeatureType.Int:
                if (value.TryGetInt64(out var whole))
                {
                    return whole;
                }

                // 3.0 is a whole number too.
                return value.TryGetDouble(out var d) && double.IsFinite(d) && Math.Floor(d) == d ? (float)d : null;
            case JsonValueKind.Number when type == InputFeatureType.Float:
                return value.TryGetDouble(out var f) && double.IsFinite(f) ? (float)f : null;
            default:
                return null;
        }
    }

    private static string KeyText(JsonElement key) => key.ValueKind == JsonValueKind.String ? key.GetString()! : key.GetRawText();

    private static string Expected(InputFeatureType type) => type switch
    {
        InputFeatureType.Int => "a whole number (int)",
        InputFeatureType.Float => "a number (float)",
        InputFeatureType.Bool => "true or false (bool)",
        _ => "a string",
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Shorten(value.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(value.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
