using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Core.Plugins;
using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Plugins;

/// <summary>Edits one plugin's settings and saves them through <see cref="PluginChanges"/>, as <c>PUT /api/plugins/{id}/settings</c> does.</summary>
public sealed partial class PluginSettingsEditor
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private JsonObject _values = [];
    private string? _json;
    private IReadOnlyList<DocumentProblem> _problems = [];
    private bool _saving;
    private string? _shownFor;

    [Inject]
    private PluginChanges Changes { get; set; } = default!;

    /// <summary>The plugin whose settings are edited (its settings already masked).</summary>
    [Parameter, EditorRequired]
    public PluginOverview Plugin { get; set; } = default!;

    /// <summary>Who is editing, for the audit log.</summary>
    [Parameter, EditorRequired]
    public string Actor { get; set; } = "";

    /// <summary>Raised with the plugin as saved.</summary>
    [Parameter]
    public EventCallback<PluginOverview> Saved { get; set; }

    /// <summary>Raised when the admin closes the form.</summary>
    [Parameter]
    public EventCallback Closed { get; set; }

    /// <inheritdoc />
    protected override void OnParametersSet()
    {
        // A fresh copy per plugin; later renders keep what the admin typed.
        if (_shownFor != Plugin.Id)
        {
            _shownFor = Plugin.Id;
            _values = (JsonObject)Plugin.Settings.DeepClone();
            _json = Plugin.Settings.ToJsonString(s_indented);
            _problems = [];
        }
    }

    private async Task SaveAsync()
    {
        JsonObject settings;
        if (Plugin.DeclaredSettings.Count > 0)
        {
            settings = (JsonObject)_values.DeepClone();
            PruneEmpty(settings);
        }
        else
        {
            try
            {
                settings = JsonNode.Parse(string.IsNullOrWhiteSpace(_json) ? "{}" : _json) as JsonObject
                    ?? throw new JsonException("expected a JSON object.");
            }
            catch (JsonException e)
            {
                _problems = [new DocumentProblem("settings", $"not a JSON object: {e.Message.Split(" Path:", 2)[0]}")];
                return;
            }
        }

        _saving = true;
        try
        {
            var change = await Changes.UpdateSettingsAsync(Plugin.Id, settings, Actor);
            _problems = change.Problems;
            if (change.Succeeded)
            {
                _shownFor = null;
                await Saved.InvokeAsync(change.Plugin!);
            }
        }
        finally
        {
            _saving = false;
        }
    }

    // Sections the admin never filled in are not settings: leave them out rather than save empty objects.
    private static void PruneEmpty(JsonObject values)
    {
        foreach (var (key, child) in values.ToList())
        {
            if (child is JsonObject nested)
            {
                PruneEmpty(nested);
                if (nested.Count == 0)
                {
                    values.Remove(key);
                }
            }
        }
    }
}
