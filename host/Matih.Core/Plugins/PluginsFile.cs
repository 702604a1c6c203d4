using System.Text.Json;

namespace Matih.Core.Plugins;

/// <summary>One entry of plugins.json.</summary>
/// <param name="Index">Position in the <c>plugins</c> array, for error messages.</param>
/// <param name="Id">The plugin id the entry expects.</param>
/// <param name="Path">As written: a built-in plugin's folder name, or a path relative to plugins.json.</param>
/// <param name="Enabled">Whether to load it.</param>
/// <param name="Settings">The entry's <c>settings</c> object, or null.</param>
public sealed record PluginEntry(int Index, string Id, string Path, bool Enabled, JsonElement? Settings)
{
    /// <summary>How errors name this entry: <c>plugins[2] (source-faker)</c>.</summary>
    public string Label => $"plugins[{Index}] ({Id})";
}

/// <summary>plugins.json, read and checked. Problems are collected, never thrown, so the host can still start.</summary>
/// <param name="FilePath">The file read.</param>
/// <param name="Entries">Entries that are well-formed.</param>
/// <param name="Problems">What is wrong, each naming the file and the line or entry.</param>
public sealed record PluginsFile(string FilePath, IReadOnlyList<PluginEntry> Entries, IReadOnlyList<PluginStatus> Problems)
{
    private static readonly JsonDocumentOptions s_options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>Reads <paramref name="path"/>. A missing file means no plugins, with a problem saying so.</summary>
    public static PluginsFile Read(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        if (!File.Exists(path))
        {
            return new PluginsFile(path, [], [Problem(name, $"{path} was not found; no plugins are loaded.")]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), s_options);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
            return new PluginsFile(path, [], [Problem(name, $"{name}{where}: not valid JSON ({FirstSentence(e.Message)}). No plugins are loaded until it is fixed.")]);
        }

        using (document)
        {
            return Interpret(path, name, document.RootElement);
        }
    }

    private static PluginsFile Interpret(string path, string name, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("plugins", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return new PluginsFile(path, [], [Problem(name, $"{name}: expected an object with a \"plugins\" array.")]);
        }

        var entries = new List<PluginEntry>();
        var problems = new List<PluginStatus>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var item in list.EnumerateArray())
        {
            var at = $"{name} plugins[{index}]";
            var id = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String
                ? idValue.GetString()!
                : null;
            string? error = null;
            string? entryPath = null;
            var enabled = true;
            JsonElement? settings = null;
            if (item.ValueKind != JsonValueKind.Object)
            {
                error = $"{at}: expected an object with id, path, enabled and settings.";
            }
            else if (string.IsNullOrWhiteSpace(id))
            {
                error = $"{at}: \"id\" is required (a string such as \"source-faker\").";
            }
            else if (!seen.Add(id))
            {
                error = $"{at} ({id}): the id appears twice; each plugin may be listed once.";
            }
            else if (!item.TryGetProperty("path", out var pathValue) || pathValue.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(pathValue.GetString()))
            {
                error = $"{at} ({id}): \"path\" is required (a built-in plugin's folder name, or a folder or .dll relative to {name}).";
            }
            else
            {
                entryPath = pathValue.GetString()!;
                if (item.TryGetProperty("enabled", out var enabledValue))
                {
                    if (enabledValue.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        enabled = enabledValue.GetBoolean();
                    }
                    else
                    {
                        error = $"{at} ({id}): \"enabled\" must be true or false.";
                    }
                }

                if (item.TryGetProperty("settings", out var settingsValue) && settingsValue.ValueKind != JsonValueKind.Null)
                {
                    if (settingsValue.ValueKind == JsonValueKind.Object)
                    {
                        settings = settingsValue.Clone();
                    }
                    else
                    {
                        error = $"{at} ({id}): \"settings\" must be an object.";
                    }
                }
            }

            if (error is null)
            {
                entries.Add(new PluginEntry(index, id!, entryPath!, enabled, settings));
            }
            else
            {
                problems.Add(Problem(id ?? $"plugins[{index}]", error));
            }

            index++;
        }

        return new PluginsFile(path, entries, problems);
    }

    private static PluginStatus Problem(string id, string error) =>
        new(id, null, null, null, null, PluginState.Faulted, error, null, []);

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }
}
