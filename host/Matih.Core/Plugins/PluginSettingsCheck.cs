using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Core.Connections;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Core.Plugins;

/// <summary>
/// Checks a plugin's settings before they are written: against the settings the plugin declares, then by a trial
/// <see cref="IMatihPlugin.Register"/> into a throwaway service collection, so the plugin's own
/// <see cref="PluginSettingsException"/> names the setting. Every problem carries the JSON path of the setting
/// (<c>settings.email.port</c>).
/// </summary>
public static partial class PluginSettingsCheck
{
    /// <summary>What a secret value is shown as: the API and the page never return one.</summary>
    public const string Mask = SecretValues.Mask;

    /// <summary>Problems of <paramref name="settings"/> against <paramref name="specs"/> (none when nothing is declared).</summary>
    public static IReadOnlyList<DocumentProblem> AgainstSpecs(JsonObject settings, IReadOnlyList<ParameterSpec> specs)
    {
        var problems = new List<DocumentProblem>();
        if (specs.Count > 0)
        {
            // Values built in code (JsonValue.Create(3)) read numbers differently from parsed ones: check parsed JSON.
            CheckObject(JsonNode.Parse(settings.ToJsonString())!.AsObject(), specs, "settings", problems);
        }

        return problems;
    }

    /// <summary>
    /// Registers <paramref name="plugin"/> with <paramref name="settings"/> into a throwaway collection; null when it
    /// returns, else the problem at the setting the plugin named (or at <c>settings</c> for any other exception).
    /// </summary>
    public static DocumentProblem? TrialRegister(IMatihPlugin plugin, JsonObject settings)
    {
        try
        {
            plugin.Register(new ServiceCollection(), PluginLoading.SettingsConfiguration(settings.ToJsonString()));
            return null;
        }
        catch (PluginSettingsException e)
        {
            var prefix = $"settings.{e.Setting}: ";
            var message = e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
            return new DocumentProblem(PathOf(e.Setting), message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var inner = e is System.Reflection.TargetInvocationException { InnerException: { } cause } ? cause : e;
            return new DocumentProblem("settings", $"the plugin refused these settings: {inner.Message}");
        }
    }

    /// <summary>The JSON path of a configuration key: <c>email:port</c> is <c>settings.email.port</c>.</summary>
    public static string PathOf(string configurationKey)
    {
        var path = "settings";
        foreach (var part in configurationKey.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            path = Append(path, part);
        }

        return path;
    }

    /// <summary>
    /// A copy of <paramref name="settings"/> safe to show: every secret that is not a <c>${NAME}</c> reference is
    /// replaced by <see cref="Mask"/>. With no declared specs, nothing is known to be secret and the copy is as is.
    /// </summary>
    public static JsonObject Masked(JsonObject settings, IReadOnlyList<ParameterSpec> specs)
    {
        var copy = (JsonObject)settings.DeepClone();
        MaskObject(copy, specs);
        return copy;
    }

    /// <summary>
    /// <paramref name="incoming"/> with every secret sent back as <see cref="Mask"/> (or left out of a form) replaced by
    /// the value stored in <paramref name="stored"/>: what was never shown cannot be lost by saving the form.
    /// </summary>
    public static JsonObject KeepStoredSecrets(JsonObject incoming, JsonObject stored, IReadOnlyList<ParameterSpec> specs)
    {
        var merged = (JsonObject)incoming.DeepClone();
        KeepSecrets(merged, stored, specs);
        return merged;
    }

    /// <summary>
    /// Paths of secret settings in <paramref name="settings"/> whose value is new (differs from <paramref name="stored"/>)
    /// and is a literal rather than a <c>${NAME}</c> reference: those are refused, so no secret is written in plain text.
    /// </summary>
    public static IReadOnlyList<DocumentProblem> LiteralSecrets(JsonObject settings, JsonObject stored, IReadOnlyList<ParameterSpec> specs)
    {
        var problems = new List<DocumentProblem>();
        FindLiteralSecrets(settings, stored, specs, "settings", problems);
        return problems;
    }

    /// <summary>Secret settings and whether each is set, by JSON path: the page shows "set" or "not set".</summary>
    public static IReadOnlyDictionary<string, bool> SecretsSet(JsonObject settings, IReadOnlyList<ParameterSpec> specs)
    {
        var result = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        CollectSecrets(settings, specs, "settings", result);
        return result;
    }

    private static void CheckObject(JsonObject values, IReadOnlyList<ParameterSpec> specs, string at, List<DocumentProblem> problems)
    {
        foreach (var (key, _) in values)
        {
            if (!specs.Any(s => string.Equals(s.Name, key, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add(new DocumentProblem(Append(at, key), $"{key} is not a setting of this plugin; expected one of: {string.Join(", ", specs.Select(s => s.Name))}."));
            }
        }

        foreach (var spec in specs)
        {
            CheckValue(values[spec.Name], spec, Append(at, spec.Name), problems);
        }
    }

    private static void CheckValue(JsonNode? node, ParameterSpec spec, string path, List<DocumentProblem> problems)
    {
        if (node is null)
        {
            if (spec.Required)
            {
                problems.Add(new DocumentProblem(path, $"{spec.Name} is required: {spec.Description}"));
            }

            return;
        }

        // A ${NAME} reference is resolved when the plugin uses it; its type is checked then.
        if (node is JsonValue reference && reference.TryGetValue<string>(out var text) && SecretValues.IsReference(text))
        {
            return;
        }

        if (!ParameterValidation.CheckTyped(node, spec, path, problems))
        {
            return;
        }

        if (node is JsonObject obj)
        {
            if (spec.Properties is { } nested)
            {
                CheckObject(obj, nested, path, problems);
            }
            else if (spec.Values is { } each)
            {
                foreach (var (key, child) in obj)
                {
                    CheckValue(child, each with { Name = key, Required = true }, Append(path, key), problems);
                }
            }
        }
    }

    private static void MaskObject(JsonObject values, IReadOnlyList<ParameterSpec> specs)
    {
        foreach (var (key, child) in values.ToList())
        {
            if (SpecOf(specs, key) is { } spec)
            {
                values[key] = MaskValue(child, spec);
            }
        }
    }

    private static JsonNode? MaskValue(JsonNode? node, ParameterSpec spec)
    {
        if (spec.Secret && node is not null && !IsReference(node))
        {
            return Mask;
        }

        if (node is JsonObject obj)
        {
            if (spec.Properties is { } nested)
            {
                MaskObject(obj, nested);
            }
            else if (spec.Values is { } each)
            {
                foreach (var (key, child) in obj.ToList())
                {
                    obj[key] = MaskValue(child, each);
                }
            }
        }

        return node;
    }

    private static void KeepSecrets(JsonObject incoming, JsonObject stored, IReadOnlyList<ParameterSpec> specs)
    {
        foreach (var spec in specs)
        {
            KeepSecret(incoming, stored, spec.Name, spec);
        }
    }

    private static void KeepSecret(JsonObject incoming, JsonObject stored, string key, ParameterSpec spec)
    {
        var sent = incoming[key];
        var kept = stored[key];
        if (spec.Secret)
        {
            if (sent is JsonValue v && v.TryGetValue<string>(out var text) && text == Mask)
            {
                if (kept is null)
                {
                    incoming.Remove(key);
                }
                else
                {
                    incoming[key] = kept.DeepClone();
                }
            }

            return;
        }

        if (sent is JsonObject sentObject && kept is JsonObject keptObject)
        {
            if (spec.Properties is { } nested)
            {
                KeepSecrets(sentObject, keptObject, nested);
            }
            else if (spec.Values is { } each)
            {
                foreach (var (childKey, _) in sentObject.ToList())
                {
                    KeepSecret(sentObject, keptObject, childKey, each);
                }
            }
        }
    }

    private static void FindLiteralSecrets(JsonObject values, JsonObject? stored, IReadOnlyList<ParameterSpec> specs, string at, List<DocumentProblem> problems)
    {
        foreach (var (key, child) in values)
        {
            if (SpecOf(specs, key) is { } spec)
            {
                FindLiteralSecret(child, stored?[key], spec, Append(at, key), problems);
            }
        }
    }

    private static void FindLiteralSecret(JsonNode? node, JsonNode? stored, ParameterSpec spec, string path, List<DocumentProblem> problems)
    {
        if (node is null)
        {
            return;
        }

        if (spec.Secret)
        {
            if (!IsReference(node) && !JsonNode.DeepEquals(node, stored))
            {
                problems.Add(new DocumentProblem(path,
                    "is a secret: write a ${NAME} reference and set NAME as a secret (or an environment variable); a secret value is never written to plugins.json."));
            }

            return;
        }

        if (node is JsonObject obj)
        {
            if (spec.Properties is { } nested)
            {
                FindLiteralSecrets(obj, stored as JsonObject, nested, path, problems);
            }
            else if (spec.Values is { } each)
            {
                foreach (var (key, child) in obj)
                {
                    FindLiteralSecret(child, (stored as JsonObject)?[key], each, Append(path, key), problems);
                }
            }
        }
    }

    private static void CollectSecrets(JsonObject? values, IReadOnlyList<ParameterSpec> specs, string at, SortedDictionary<string, bool> result)
    {
        foreach (var spec in specs)
        {
            var path = Append(at, spec.Name);
            var node = values?[spec.Name];
            if (spec.Secret)
            {
                result[path] = node is not null;
            }
            else if (spec.Properties is { } nested)
            {
                CollectSecrets(node as JsonObject, nested, path, result);
            }
            else if (spec.Values is { Secret: true } && node is JsonObject map)
            {
                foreach (var (key, child) in map)
                {
                    result[Append(path, key)] = child is not null;
                }
            }
        }
    }

    private static ParameterSpec? SpecOf(IReadOnlyList<ParameterSpec> specs, string key) =>
        specs.FirstOrDefault(s => string.Equals(s.Name, key, StringComparison.OrdinalIgnoreCase));

    private static bool IsReference(JsonNode node) => node is JsonValue v && v.TryGetValue<string>(out var text) && SecretValues.IsReference(text);

    // settings.slack.webhooks["#data-alerts"]: keys that are not plain names are bracketed.
    private static string Append(string path, string key) =>
        PlainKey().IsMatch(key) ? $"{path}.{key}" : $"{path}[{JsonSerializer.Serialize(key)}]";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex PlainKey();
}
