using System.Text.Json;
using System.Text.RegularExpressions;

namespace Matih.Plugins.SourcePostgres.Configuration;

/// <summary>How incremental streams are read, from <c>replication_method</c>.</summary>
/// <param name="Method"><see cref="Standard"/> or <see cref="Cdc"/>.</param>
/// <param name="Slot">CDC: the replication slot's name.</param>
/// <param name="Publication">CDC: the publication's name.</param>
/// <param name="InitialWaitSeconds">CDC: idle time after which a sync ends when the end marker cannot be written.</param>
/// <param name="MaxBatchRows">CDC: changes per checkpoint at most.</param>
/// <param name="Continuous">CDC: stream until cancelled.</param>
internal sealed partial record ReplicationSettings(string Method, string? Slot, string? Publication, int InitialWaitSeconds, int MaxBatchRows, bool Continuous)
{
    public const string Standard = "Standard";
    public const string Cdc = "CDC";
    public const int DefaultInitialWaitSeconds = 300;
    public const int DefaultMaxBatchRows = 10_000;

    private const string Path = "replication_method.";

    public bool IsCdc => Method == Cdc;

    public static bool TryParse(JsonElement config, out ReplicationSettings settings, ref string error)
    {
        settings = new ReplicationSettings(Standard, null, null, DefaultInitialWaitSeconds, DefaultMaxBatchRows, false);
        if (!config.TryGetProperty("replication_method", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            // Shorthand: "replication_method": "Standard".
            if (string.Equals(element.GetString(), Standard, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            error = string.Equals(element.GetString(), Cdc, StringComparison.OrdinalIgnoreCase)
                ? "replication_method: CDC needs an object with method, replication_slot and publication, e.g. {\"method\": \"CDC\", \"replication_slot\": \"matih_cdc_slot\", \"publication\": \"matih_pub\"}."
                : $"replication_method: must be an object with method Standard or CDC (got {ConfigFields.Describe(element)}).";
            return false;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            error = $"replication_method: must be an object with method Standard or CDC (got {ConfigFields.Describe(element)}).";
            return false;
        }

        if (!ConfigFields.TryEnum(element, "method", PostgresConfig.Methods, Standard, out var method, ref error, Path)
            || !ConfigFields.TryString(element, "replication_slot", required: method == Cdc, out var slot, ref error, Path)
            || !ConfigFields.TryString(element, "publication", required: method == Cdc, out var publication, ref error, Path)
            || !ConfigFields.TryInt(element, "initial_wait_seconds", DefaultInitialWaitSeconds, 1, 3600, out var wait, ref error, Path)
            || !ConfigFields.TryInt(element, "max_batch_rows", DefaultMaxBatchRows, 1, 1_000_000, out var maxRows, ref error, Path)
            || !ConfigFields.TryBool(element, "continuous", out var continuous, ref error, Path))
        {
            return false;
        }

        if (slot is not null && !SlotName().IsMatch(slot))
        {
            error = $"{Path}replication_slot: '{slot}' is not a valid slot name: use lower-case letters, digits and underscores, at most 63 characters.";
            return false;
        }

        if (publication is not null && publication.Length > 63)
        {
            error = $"{Path}publication: '{publication}' is longer than PostgreSQL's 63-character limit for names.";
            return false;
        }

        settings = new ReplicationSettings(method, slot, publication, wait, maxRows, continuous);
        return true;
    }

    [GeneratedRegex("^[a-z0-9_]{1,63}$")]
    private static partial Regex SlotName();
}
