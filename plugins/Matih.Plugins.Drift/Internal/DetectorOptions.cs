using System.Globalization;
using System.Text.Json;
using Matih.Sdk.Plugins;

namespace Matih.Plugins.Drift.Internal;

/// <summary>
/// Reads a detector's options against its <see cref="ParameterSpec"/> list: an absent or null option takes the
/// spec's default, a present one must have the right JSON type and lie within the spec's bounds. Keys the detector
/// does not declare are ignored, so the host may pass a monitor entry as it stands.
/// </summary>
internal sealed class DetectorOptions
{
    private readonly string _method;
    private readonly IReadOnlyDictionary<string, JsonElement> _values;
    private readonly Dictionary<string, ParameterSpec> _specs;

    public DetectorOptions(string method, IReadOnlyList<ParameterSpec> specs, IReadOnlyDictionary<string, JsonElement> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _method = method;
        _values = values;
        _specs = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    /// <summary>A whole-number option.</summary>
    /// <exception cref="ArgumentException">The value is not a whole number within the spec's bounds; names the option.</exception>
    public int Integer(string name)
    {
        var spec = _specs[name];
        var element = ValueOrDefault(spec);
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value)
            || value != Math.Floor(value) || !Within(spec, value) || value > int.MaxValue)
        {
            throw Invalid(name, $"must be a whole number{Bounds(spec)}", element);
        }

        return (int)value;
    }

    /// <summary>A number option; <paramref name="check"/> adds a condition the spec cannot express (an open bound).</summary>
    /// <exception cref="ArgumentException">The value is not a number within bounds; names the option.</exception>
    public double Number(string name, Func<double, bool>? check = null, string? expectation = null)
    {
        var spec = _specs[name];
        var element = ValueOrDefault(spec);
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var value)
            || !double.IsFinite(value) || !Within(spec, value) || (check is not null && !check(value)))
        {
            throw Invalid(name, expectation ?? $"must be a number{Bounds(spec)}", element);
        }

        return value;
    }

    /// <summary>A true/false option.</summary>
    /// <exception cref="ArgumentException">The value is not a JSON boolean; names the option.</exception>
    public bool Boolean(string name)
    {
        var element = ValueOrDefault(_specs[name]);
        return element.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(name, "must be true or false", element),
        };
    }

    // The default goes through the same checks as a given value, so a wrong default fails loudly in tests.
    private JsonElement ValueOrDefault(ParameterSpec spec) =>
        _values.TryGetValue(spec.Name, out var element) && element.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null)
            ? element
            : JsonSerializer.SerializeToElement(spec.Default);

    private static bool Within(ParameterSpec spec, double value) =>
        (spec.Minimum is not { } min || value >= min) && (spec.Maximum is not { } max || value <= max);

    private static string Bounds(ParameterSpec spec) => (spec.Minimum, spec.Maximum) switch
    {
        ({ } min, { } max) => string.Create(CultureInfo.InvariantCulture, $" from {min} to {max}"),
        ({ } min, null) => string.Create(CultureInfo.InvariantCulture, $" of at least {min}"),
        (null, { } max) => string.Create(CultureInfo.InvariantCulture, $" of at most {max}"),
        _ => string.Empty,
    };

    private ArgumentException Invalid(string name, string expectation, JsonElement element)
    {
        var text = element.GetRawText();
        if (text.Length > 40)
        {
            text = text[..40] + "...";
        }

        return new ArgumentException($"{_method} option '{name}' {expectation} (got {text}).", name);
    }
}
