using System.Text.Json;

namespace Matih.Core.Pipelines.Tasks;

/// <summary>Reads entries of a task's config object.</summary>
internal static class ConfigText
{
    /// <summary>A non-blank string entry, or null.</summary>
    public static string? Text(this JsonElement config, string name) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    /// <summary>A boolean entry, or <paramref name="fallback"/>.</summary>
    public static bool Flag(this JsonElement config, string name, bool fallback) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : fallback;
}
