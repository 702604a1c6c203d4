using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Core.Connections;
using Matih.Core.Plugins;
using Matih.Sdk.Plugins;
using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Plugins;

/// <summary>
/// Fields for one level of a plugin's settings, from its declared <see cref="ParameterSpec"/>s, writing into
/// <see cref="Values"/>. Secrets are never shown: a stored one reads "set" and its box stays empty (a <c>${NAME}</c>
/// reference, which names a secret without being one, is shown as written). Maps get a row per key.
/// </summary>
public sealed partial class SettingsFields
{
    private readonly Dictionary<string, string?> _newKeys = [];
    private readonly Dictionary<string, string?> _newValues = [];

    /// <summary>The settings of this level.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<ParameterSpec> Specs { get; set; } = [];

    /// <summary>The object the fields edit in place.</summary>
    [Parameter, EditorRequired]
    public JsonObject Values { get; set; } = [];

    /// <summary>The JSON path of <see cref="Values"/> (<c>settings</c>, <c>settings.email</c>).</summary>
    [Parameter]
    public string Path { get; set; } = "settings";

    /// <summary>Problems from the last save, by JSON path.</summary>
    [Parameter]
    public IReadOnlyList<DocumentProblem> Problems { get; set; } = [];

    /// <summary>Raised after each edit.</summary>
    [Parameter]
    public EventCallback Changed { get; set; }

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        foreach (var spec in Specs.Where(s => s.Values is not null))
        {
            _newKeys.TryAdd(spec.Name, null);
            _newValues.TryAdd(spec.Name, null);
        }
    }

    /// <summary>The JSON path of <paramref name="key"/> under <paramref name="path"/>, as the server names it.</summary>
    public static string PathOf(string path, string key) =>
        PlainKey().IsMatch(key) ? $"{path}.{key}" : $"{path}[{JsonSerializer.Serialize(key)}]";

    private static string Label(string name)
    {
        var words = name.Replace('_', ' ');
        return words.Length == 0 ? name : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static string CaptionClass(string? error) => error is null ? "mud-text-secondary d-block mb-2" : "mud-error-text d-block mb-2";

    private static string Help(ParameterSpec spec)
    {
        var help = spec.Description;
        if (spec.Minimum is not null || spec.Maximum is not null)
        {
            help += spec switch
            {
                { Minimum: { } min, Maximum: { } max } => string.Create(CultureInfo.InvariantCulture, $" ({min} to {max})"),
                { Minimum: { } min } => string.Create(CultureInfo.InvariantCulture, $" (at least {min})"),
                { Maximum: { } max } => string.Create(CultureInfo.InvariantCulture, $" (at most {max})"),
                _ => "",
            };
        }

        if (spec.Type == ParameterType.Array)
        {
            help += " Separate entries with commas.";
        }

        if (spec.Default is { } fallback && !spec.Secret)
        {
            help += $" Default: {fallback.ToJsonString()}.";
        }

        if (spec.Secret)
        {
            help += " A secret: write a ${NAME} reference; the value is never shown.";
        }

        return help;
    }

    private string? ErrorFor(string path)
    {
        var messages = Problems.Where(p => p.Path == path).Select(p => p.Message).ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }

    private JsonObject Child(string name)
    {
        if (Values[name] is JsonObject child)
        {
            return child;
        }

        // Nested fields edit in place: give them an object that is attached once it holds something.
        var created = new JsonObject();
        Values[name] = created;
        return created;
    }

    private static string SecretState(JsonObject values, string key) => values[key] is null ? "not set" : "set";

    private static string Text(JsonObject values, string key, ParameterSpec spec) => values[key] switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var text) =>
            spec.Secret && !SecretValues.IsReference(text) ? "" : text,
        JsonArray array => string.Join(", ", array.Select(item => item is JsonValue v && v.TryGetValue<string>(out var s) ? s : item?.ToJsonString() ?? "null")),
        var other => other.ToJsonString(),
    };

    private bool Flag(string key) => Values[key] is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    private Task SetTextAsync(ParameterSpec spec, string? text)
    {
        SetText(Values, spec.Name, spec, text);
        return Changed.InvokeAsync();
    }

    private Task SetMapTextAsync(string map, string key, ParameterSpec each, string? text)
    {
        SetText(Child(map), key, each, text);
        return Changed.InvokeAsync();
    }

    // An emptied secret box keeps the stored secret (sent back masked); any other emptied box removes the setting.
    private static void SetText(JsonObject values, string key, ParameterSpec spec, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (spec.Secret && values[key] is not null)
            {
                values[key] = PluginSettingsCheck.Mask;
            }
            else
            {
                values.Remove(key);
            }

            return;
        }

        values[key] = Parse(spec, text.Trim());
    }

    private Task SetFlagAsync(string key, bool value)
    {
        Values[key] = value;
        return Changed.InvokeAsync();
    }

    private Task ChildChangedAsync(string name) => Changed.InvokeAsync();

    private Task RemoveAsync(string map, string key)
    {
        Child(map).Remove(key);
        return Changed.InvokeAsync();
    }

    private Task AddAsync(string map, ParameterSpec each)
    {
        var key = _newKeys.GetValueOrDefault(map)?.Trim();
        var text = _newValues.GetValueOrDefault(map)?.Trim();
        if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(text))
        {
            return Task.CompletedTask;
        }

        Child(map)[key] = Parse(each, text);
        _newKeys[map] = null;
        _newValues[map] = null;
        return Changed.InvokeAsync();
    }

    /// <summary>Numbers become numbers and lists arrays; anything else stays a string, and the server names the problem.</summary>
    private static JsonNode Parse(ParameterSpec spec, string text) => spec.Type switch
    {
        ParameterType.Integer when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) => JsonValue.Create(whole),
        ParameterType.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        ParameterType.Array => new JsonArray(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item => (JsonNode?)JsonValue.Create(item)).ToArray()),
        _ => JsonValue.Create(text),
    };

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainKey();
}
