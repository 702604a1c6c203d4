using System.Globalization;
using System.Text.Json;
using Matih.Plugins.SourceFaker.NovaMart;

namespace Matih.Plugins.SourceFaker;

/// <summary>
/// The per-stream state saved at each checkpoint:
/// <c>{"cursor_field":"updated_at","cursor":"2025-12-15T21:03:11.0000000","generated_at":"2025-12-15","seed":42,"scale":0.01}</c>.
/// </summary>
internal static class StreamCursor
{
    private const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffffff";

    /// <summary>
    /// The saved cursor in ticks, or null when there is none or it belongs to other data (another seed or scale
    /// generates other rows, so the whole stream is delivered again).
    /// </summary>
    public static long? Read(JsonElement state, NovaMartStream stream, FakerConfig config)
    {
        if (state.ValueKind != JsonValueKind.Object
            || !state.TryGetProperty("seed", out var seed) || !seed.TryGetInt64(out var seedValue) || seedValue != config.Seed
            || !state.TryGetProperty("scale", out var scale) || !scale.TryGetDouble(out var scaleValue) || scaleValue != config.Scale
            || !state.TryGetProperty("cursor_field", out var field) || field.GetString() != stream.CursorField
            || !state.TryGetProperty("cursor", out var cursor) || cursor.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = cursor.GetString();
        if (stream.CursorIsDate)
        {
            return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date.ToDateTime(TimeOnly.MinValue).Ticks
                : null;
        }

        return DateTime.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var timestamp)
            ? timestamp.Ticks
            : null;
    }

    public static JsonElement Write(NovaMartStream stream, FakerConfig config, long maxCursorTicks)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("cursor_field", stream.CursorField);
            if (maxCursorTicks != long.MinValue)
            {
                var cursor = new DateTime(maxCursorTicks, DateTimeKind.Unspecified);
                json.WriteString("cursor", stream.CursorIsDate
                    ? FakerConfig.Format(DateOnly.FromDateTime(cursor))
                    : cursor.ToString(TimestampFormat, CultureInfo.InvariantCulture));
            }

            json.WriteString("generated_at", FakerConfig.Format(config.AsOf));
            json.WriteNumber("seed", config.Seed);
            json.WriteNumber("scale", config.Scale);
            json.WriteEndObject();
        }

        // Built by hand rather than serialised, so the plugin's load context never caches its own types in System.Text.Json.
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
