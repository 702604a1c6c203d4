using System.Text.Json;

namespace Matih.Sdk.Testing;

/// <summary>JSON values for SDK calls (connector configs, kwargs, task configs, options), written inline in tests.</summary>
public static class TestJson
{
    /// <summary>Parses <paramref name="json"/> into a detached <see cref="JsonElement"/>.</summary>
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        return document.RootElement.Clone();
    }

    /// <summary>Parses a JSON object into name/value pairs, as drift options and hyperparameters are passed.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Object(string json)
    {
        var element = Parse(json);
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"Expected a JSON object, got {element.ValueKind}.", nameof(json));
        }

        return element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }
}
