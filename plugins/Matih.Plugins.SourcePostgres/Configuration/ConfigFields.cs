using System.Globalization;
using System.Text.Json;

namespace Matih.Plugins.SourcePostgres.Configuration;

/// <summary>Reads config fields, naming the field's JSON path in every error.</summary>
internal static class ConfigFields
{
    internal static string Describe(JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.Undefined ? "nothing" : value.GetRawText();
        return text.Length > 40 ? text[..40] + "..." : text;
    }

    internal static bool TryString(JsonElement parent, string name, bool required, out string? value, ref string error, string path = "", bool allowEmpty = false)
    {
        value = null;
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = $"{path}{name}: is required.";
                return false;
            }

            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            error = $"{path}{name}: must be a string (got {Describe(element)}).";
            return false;
        }

        value = element.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(value))
        {
            error = $"{path}{name}: must not be empty.";
            return false;
        }

        if (value.Contains("${", StringComparison.Ordinal))
        {
            error = $"{path}{name}: the reference {value} was not resolved; set the secret or environment variable it names.";
            return false;
        }

        return true;
    }

    internal static bool TryInt(JsonElement parent, string name, int fallback, int min, int max, out int value, ref string error, string path = "")
    {
        value = fallback;
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        // Ports often arrive as strings from forms and environment variables.
        var ok = element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt32(out value),
            JsonValueKind.String => int.TryParse(element.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
        if (!ok || value < min || value > max)
        {
            error = $"{path}{name}: must be a whole number from {min} to {max} (got {Describe(element)}).";
            return false;
        }

        return true;
    }

    internal static bool TryBool(JsonElement parent, string name, out bool value, ref string error, string path = "")
    {
        value = false;
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = $"{path}{name}: must be true or false (got {Describe(element)}).";
            return false;
        }

        value = element.GetBoolean();
        return true;
    }

    internal static bool TryEnum(JsonElement parent, string name, string[] allowed, string fallback, out string value, ref string error, string path = "")
    {
        value = fallback;
        if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        var text = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        var match = allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            error = $"{path}{name}: must be one of {string.Join(", ", allowed)} (got {Describe(element)}).";
            return false;
        }

        value = match;
        return true;
    }

    internal static bool TrySchemas(JsonElement config, out IReadOnlyList<string> schemas, ref string error)
    {
        schemas = ["public"];
        if (!config.TryGetProperty("schemas", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() == 0)
        {
            error = $"schemas: must be a non-empty array of schema names (got {Describe(element)}).";
            return false;
        }

        var list = new List<string>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.GetString()))
            {
                error = $"schemas[{index}]: must be a schema name (got {Describe(item)}).";
                return false;
            }

            if (!list.Contains(item.GetString()!, StringComparer.Ordinal))
            {
                list.Add(item.GetString()!);
            }

            index++;
        }

        schemas = list;
        return true;
    }
}
