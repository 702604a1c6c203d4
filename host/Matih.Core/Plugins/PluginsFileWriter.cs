using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Matih.Core.Plugins;

/// <summary>
/// Changes plugins.json for the Plugins page and <c>/api/plugins</c>: one entry at a time, every other entry and
/// every field it does not know kept as it was, written to a temporary file beside it and renamed over it so a
/// reader never sees half a file. Comments in the file are not kept (System.Text.Json has no comment-preserving
/// model); everything else is.
/// </summary>
public static class PluginsFileWriter
{
    private static readonly JsonDocumentOptions s_read = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    // "Matih <matih@novamart.com>" stays readable instead of becoming \u003C...\u003E.
    private static readonly JsonSerializerOptions s_write = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // One writer at a time in this process: read, change and rename must not interleave.
    private static readonly Lock s_gate = new();

    /// <summary>Sets <c>enabled</c> of the entry <paramref name="id"/>.</summary>
    /// <exception cref="PluginsFileException">The file is missing, not valid JSON, or has no entry <paramref name="id"/>.</exception>
    public static void SetEnabled(string path, string id, bool enabled) =>
        Edit(path, root => EntryOf(path, root, id)["enabled"] = enabled);

    /// <summary>Replaces <c>settings</c> of the entry <paramref name="id"/> with <paramref name="settings"/>.</summary>
    /// <exception cref="PluginsFileException">The file is missing, not valid JSON, or has no entry <paramref name="id"/>.</exception>
    public static void SetSettings(string path, string id, JsonObject settings) =>
        Edit(path, root => EntryOf(path, root, id)["settings"] = settings.DeepClone());

    /// <summary>Adds an entry at the end of the <c>plugins</c> array (creating the file when it does not exist).</summary>
    /// <exception cref="PluginsFileException">The file is not valid JSON, or already lists <paramref name="id"/>.</exception>
    public static void Append(string path, string id, string pluginPath, bool enabled)
    {
        lock (s_gate)
        {
            var root = File.Exists(path) ? Parse(path) : new JsonObject { ["plugins"] = new JsonArray() };
            var list = ListOf(path, root);
            if (list.OfType<JsonObject>().Any(e => e["id"] is JsonValue v && v.TryGetValue<string>(out var existing) && string.Equals(existing, id, StringComparison.OrdinalIgnoreCase)))
            {
                throw new PluginsFileException($"{Path.GetFileName(path)} already lists a plugin \"{id}\".");
            }

            list.Add(new JsonObject { ["id"] = id, ["path"] = pluginPath, ["enabled"] = enabled, ["settings"] = new JsonObject() });
            Write(path, root);
        }
    }

    private static void Edit(string path, Action<JsonObject> change)
    {
        lock (s_gate)
        {
            var root = Parse(path);
            change(root);
            Write(path, root);
        }
    }

    private static JsonObject Parse(string path)
    {
        var name = Path.GetFileName(path);
        if (!File.Exists(path))
        {
            throw new PluginsFileException($"{path} was not found.");
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: s_read) as JsonObject
                ?? throw new PluginsFileException($"{name}: expected an object with a \"plugins\" array; fix the file by hand first.");
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" line {line + 1}, column {(e.BytePositionInLine ?? 0) + 1}" : "";
            throw new PluginsFileException($"{name}{where} is not valid JSON, so it was not changed; fix it by hand first.");
        }
    }

    private static JsonArray ListOf(string path, JsonObject root) =>
        root["plugins"] as JsonArray ?? throw new PluginsFileException($"{Path.GetFileName(path)}: expected an object with a \"plugins\" array; fix the file by hand first.");

    private static JsonObject EntryOf(string path, JsonObject root, string id) =>
        ListOf(path, root).OfType<JsonObject>().FirstOrDefault(e => e["id"] is JsonValue v && v.TryGetValue<string>(out var existing) && existing == id)
        ?? throw new PluginsFileException($"{Path.GetFileName(path)} has no plugin \"{id}\".") { NotFound = true };

    private static void Write(string path, JsonObject root)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, root.ToJsonString(s_write) + Environment.NewLine);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

/// <summary>plugins.json cannot be changed as asked; the message says why and names the file.</summary>
public sealed class PluginsFileException(string message) : Exception(message)
{
    /// <summary>True when the entry to change is not in the file.</summary>
    public bool NotFound { get; init; }
}
