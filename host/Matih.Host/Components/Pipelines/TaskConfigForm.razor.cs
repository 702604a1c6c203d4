using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Sdk.Plugins;
using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Pipelines;

/// <summary>
/// The config form of one task: a field per <see cref="ParameterSpec"/> (text, SQL, numbers, check boxes, allowed
/// values, JSON for lists and objects), with each problem shown at its field. Defaults are shown, not written: a
/// document loaded and saved keeps exactly the entries it had.
/// </summary>
public partial class TaskConfigForm
{
    // What the user typed into a field that does not read as its type yet, shown until it does.
    private readonly Dictionary<string, (string Text, string Error)> _pending = [];
    private JsonObject? _shown;

    /// <summary>The task type's config specs, in order.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<ParameterSpec> Specs { get; set; } = [];

    /// <summary>The task's config object, written in place.</summary>
    [Parameter, EditorRequired]
    public JsonObject Values { get; set; } = [];

    /// <summary>The JSON path of the config in the document (<c>$.tasks[0].config</c>), to match problems.</summary>
    [Parameter]
    public string Path { get; set; } = "$.config";

    /// <summary>Problems of the whole document by JSON path.</summary>
    [Parameter]
    public IReadOnlyList<DocumentProblem> Problems { get; set; } = [];

    /// <summary>Raised after an entry changed, with a key naming the field (for undo steps).</summary>
    [Parameter]
    public EventCallback<string> Changed { get; set; }

    /// <summary>Shows the values without letting them change.</summary>
    [Parameter]
    public bool ReadOnly { get; set; }

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        if (!ReferenceEquals(_shown, Values))
        {
            _pending.Clear();
            _shown = Values;
        }
    }

    private string? ErrorFor(ParameterSpec spec) =>
        _pending.TryGetValue(spec.Name, out var pending) ? pending.Error : ErrorAt($"{Path}.{spec.Name}");

    private string? ErrorAt(string path)
    {
        var messages = Problems.Where(p => p.Path == path || p.Path.StartsWith(path + "[", StringComparison.Ordinal) || p.Path.StartsWith(path + ".", StringComparison.Ordinal))
            .Select(p => p.Message).ToArray();
        return messages.Length == 0 ? null : string.Join(" ", messages);
    }

    private string TextOf(ParameterSpec spec) =>
        _pending.TryGetValue(spec.Name, out var pending) ? pending.Text : ConfigFieldText.Show(Values[spec.Name]);

    private bool FlagOf(ParameterSpec spec) => Values[spec.Name] switch
    {
        JsonValue v when v.TryGetValue<bool>(out var flag) => flag,
        null => spec.Default is JsonValue d && d.TryGetValue<bool>(out var fallback) && fallback,
        _ => false,
    };

    private Task SetAsync(ParameterSpec spec, string? text)
    {
        var (value, error) = ConfigFieldText.Read(spec, text);
        if (error is not null)
        {
            _pending[spec.Name] = (text ?? "", error);
            return Task.CompletedTask;
        }

        _pending.Remove(spec.Name);
        if (value is null)
        {
            Values.Remove(spec.Name);
        }
        else
        {
            Values[spec.Name] = value;
        }

        return Changed.InvokeAsync($"{Path}.{spec.Name}");
    }

    private Task SetFlagAsync(ParameterSpec spec, bool value)
    {
        Values[spec.Name] = value;
        return Changed.InvokeAsync($"{Path}.{spec.Name}");
    }
}
