using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Sdk.Plugins;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Connections;

/// <summary>
/// Renders a form from <see cref="ParameterSpec"/>s and writes what the user enters into <see cref="Values"/>: strings,
/// secrets (a password box that never shows a stored secret), numbers, booleans, enumerations, lists of strings and
/// nested objects. Defaults are filled in once; a cleared optional field is removed from the object.
/// </summary>
public partial class ParameterSpecForm
{
    private JsonObject? _defaultsFilled;

    private enum FieldKind
    {
        Text,
        Choice,
        Switch,
        Section,
    }

    /// <summary>The fields to show, in order.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<ParameterSpec> Specs { get; set; } = [];

    /// <summary>The object the form fills, e.g. a connection's <c>config</c>.</summary>
    [Parameter, EditorRequired]
    public JsonObject Values { get; set; } = [];

    /// <summary>Raised after every change to <see cref="Values"/>.</summary>
    [Parameter]
    public EventCallback<JsonObject> ValuesChanged { get; set; }

    /// <summary>The JSON path of <see cref="Values"/> in the document (<c>$.config</c>), to match problems to fields.</summary>
    [Parameter]
    public string Path { get; set; } = "$.config";

    /// <summary>Problems by JSON path, e.g. from <see cref="Matih.Core.Connections.Connections.CreateAsync"/>; each is shown at its field.</summary>
    [Parameter]
    public IReadOnlyList<DocumentProblem> Problems { get; set; } = [];

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        // Once per object: a default the user cleared stays cleared.
        if (!ReferenceEquals(_defaultsFilled, Values))
        {
            FillDefaults(Values, Specs);
            _defaultsFilled = Values;
        }
    }

    /// <summary>Writes each spec's default into <paramref name="values"/> where it is absent (secrets never get one).</summary>
    public static void FillDefaults(JsonObject values, IReadOnlyList<ParameterSpec> specs)
    {
        foreach (var spec in specs)
        {
            if (values[spec.Name] is null && spec.Default is { } fallback && !spec.Secret)
            {
                values[spec.Name] = fallback.DeepClone();
            }

            if (spec.Type == ParameterType.Object && spec.Properties is { } nested && values[spec.Name] is JsonObject child)
            {
                FillDefaults(child, nested);
            }
        }
    }

    private static FieldKind KindOf(ParameterSpec spec) => spec switch
    {
        { Type: ParameterType.Object, Properties: not null } => FieldKind.Section,
        { Type: ParameterType.Boolean } => FieldKind.Switch,
        { AllowedValues.Count: > 0 } => FieldKind.Choice,
        _ => FieldKind.Text,
    };

    private static string Label(ParameterSpec spec)
    {
        var words = spec.Name.Replace('_', ' ');
        return words.Length == 0 ? spec.Name : char.ToUpperInvariant(words[0]) + words[1..];
    }

    private static string Help(ParameterSpec spec)
    {
        var help = spec.Description;
        if (spec.Type == ParameterType.Array)
        {
            help += " Separate entries with commas.";
        }

        if (spec.Minimum is not null || spec.Maximum is not null)
        {
            help += $" ({Range(spec)})";
        }

        if (spec.Secret)
        {
            help += " Stored encrypted and never shown again; ${NAME} reads it from a secret at run time.";
        }

        return help;
    }

    private static string Range(ParameterSpec spec) => (spec.Minimum, spec.Maximum) switch
    {
        ({ } min, { } max) => string.Create(CultureInfo.InvariantCulture, $"{min} to {max}"),
        ({ } min, null) => string.Create(CultureInfo.InvariantCulture, $"at least {min}"),
        (null, { } max) => string.Create(CultureInfo.InvariantCulture, $"at most {max}"),
        _ => "",
    };

    // A ${NAME} reference is not secret: show it as written; anything else typed into a secret field is masked.
    private InputType InputTypeOf(ParameterSpec spec) =>
        spec.Secret && !(Values[spec.Name] is JsonValue v && v.TryGetValue<string>(out var text) && SecretValues.IsReference(text))
            ? InputType.Password
            : InputType.Text;

    private string? ErrorFor(string path)
    {
        var messages = Problems
            .Where(p => p.Path == path || p.Path.StartsWith(path + "[", StringComparison.Ordinal))
            .Select(p => p.Message)
            .ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }

    private string Text(ParameterSpec spec)
    {
        var node = Values[spec.Name];
        switch (node)
        {
            case null:
                return "";
            case JsonArray array:
                return string.Join(", ", array.Select(item => item is JsonValue value && value.TryGetValue<string>(out var s) ? s : item?.ToJsonString() ?? "null"));
            case JsonValue value when value.TryGetValue<string>(out var text):
                // A stored secret comes back masked or encrypted: never put it in the box.
                return spec.Secret && (text == SecretValues.Mask || text.StartsWith("enc:", StringComparison.Ordinal)) ? "" : text;
            default:
                return node.ToJsonString();
        }
    }

    private bool Flag(ParameterSpec spec) => Values[spec.Name] is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    private JsonObject Child(ParameterSpec spec) => Values[spec.Name] as JsonObject ?? [];

    private Task SetTextAsync(ParameterSpec spec, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            Values.Remove(spec.Name);
        }
        else
        {
            Values[spec.Name] = Parse(spec, text.Trim());
        }

        return ValuesChanged.InvokeAsync(Values);
    }

    private Task SetFlagAsync(ParameterSpec spec, bool value)
    {
        Values[spec.Name] = value;
        return ValuesChanged.InvokeAsync(Values);
    }

    private Task SetChildAsync(ParameterSpec spec, JsonObject child)
    {
        if (child.Count == 0)
        {
            Values.Remove(spec.Name);
        }
        else if (!ReferenceEquals(Values[spec.Name], child))
        {
            Values[spec.Name] = child;
        }

        return ValuesChanged.InvokeAsync(Values);
    }

    /// <summary>
    /// The JSON value for what the user typed: numbers become numbers, lists become arrays of strings; anything
    /// else (a <c>${NAME}</c> reference, a typo) stays a string and the spec check names the problem.
    /// </summary>
    private static JsonNode Parse(ParameterSpec spec, string text) => spec.Type switch
    {
        ParameterType.Integer when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) => JsonValue.Create(whole),
        ParameterType.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
        ParameterType.Array => new JsonArray(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item => (JsonNode?)JsonValue.Create(item)).ToArray()),
        _ => JsonValue.Create(text),
    };
}
