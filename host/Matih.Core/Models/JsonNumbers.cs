using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Matih.Core.Models;

/// <summary>Numbers from JSON nodes whether parsed from text or built in code (a node built from an int refuses GetValue&lt;double&gt;).</summary>
internal static class JsonNumbers
{
    /// <summary>The node's number; false when it is not a finite number.</summary>
    public static bool TryGetDouble(JsonNode? node, out double value)
    {
        value = 0;
        return node is JsonValue number && number.GetValueKind() == JsonValueKind.Number
            && double.TryParse(number.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>The node's whole number; false when it is not one that fits an int.</summary>
    public static bool TryGetInt32(JsonNode? node, out int value)
    {
        value = 0;
        return node is JsonValue number && number.GetValueKind() == JsonValueKind.Number
            && int.TryParse(number.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
