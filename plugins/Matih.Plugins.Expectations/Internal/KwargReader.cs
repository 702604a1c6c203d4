using System.Globalization;
using System.Text.Json;
using Matih.Sdk.Data;

namespace Matih.Plugins.Expectations.Internal;

/// <summary>A kwarg that makes no sense; the rule turns it into an invalid plan naming the kwarg.</summary>
internal sealed class KwargException(string kwarg, string message) : Exception(message)
{
    public string Kwarg { get; } = kwarg;
}

/// <summary>Reads an expectation's kwargs with the checks GE makes, throwing <see cref="KwargException"/> naming the kwarg.</summary>
internal sealed class KwargReader(JsonElement kwargs, TableSchema schema)
{
    public TableSchema Schema { get; } = schema;

    public bool Has(string name) => TryGet(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public bool TryGet(string name, out JsonElement value)
    {
        value = default;
        return kwargs.ValueKind == JsonValueKind.Object && kwargs.TryGetProperty(name, out value);
    }

    /// <summary>A required column kwarg that names a column of the table; returns the column as the table spells it.</summary>
    public ColumnSchema Column(string name = "column")
    {
        var text = RequiredString(name);
        return Schema.Find(text) ?? throw new KwargException(name,
            $"The table has no column '{text}'. Its columns are: {string.Join(", ", Schema.Columns.Select(c => c.Name))}.");
    }

    public string RequiredString(string name)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new KwargException(name, $"{name} is required.");
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new KwargException(name, $"{name} must be a non-empty string, got {Describe(value)}.");
        }

        return value.GetString()!;
    }

    public bool Bool(string name, bool fallback)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new KwargException(name, $"{name} must be true or false, got {Describe(value)}."),
        };
    }

    /// <summary>GE's <c>mostly</c>: the share of (non-null) values that must be expected, 0..1, default 1.</summary>
    public double Mostly()
    {
        if (!TryGet("mostly", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return 1.0;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var mostly) || mostly < 0 || mostly > 1)
        {
            throw new KwargException("mostly", $"mostly must be a number between 0 and 1, got {Describe(value)}.");
        }

        return mostly;
    }

    public double? OptionalNumber(string name)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number))
        {
            throw new KwargException(name, $"{name} must be a number, got {Describe(value)}.");
        }

        return number;
    }

    public long RequiredInteger(string name, long minimum = 0)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new KwargException(name, $"{name} is required.");
        }

        return Integer(name, value, minimum);
    }

    public long? OptionalInteger(string name, long minimum = 0) =>
        TryGet(name, out var value) && value.ValueKind != JsonValueKind.Null ? Integer(name, value, minimum) : null;

    /// <summary>A required JSON array; each element is returned as is.</summary>
    public IReadOnlyList<JsonElement> RequiredArray(string name)
    {
        if (!TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new KwargException(name, $"{name} is required.");
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new KwargException(name, $"{name} must be a JSON array, got {Describe(value)}.");
        }

        return value.EnumerateArray().ToArray();
    }

    /// <summary>A required array of strings.</summary>
    public IReadOnlyList<string> RequiredStrings(string name)
    {
        var items = RequiredArray(name);
        var strings = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].ValueKind != JsonValueKind.String)
            {
                throw new KwargException(name, $"{name}[{i}] must be a string, got {Describe(items[i])}.");
            }

            strings.Add(items[i].GetString()!);
        }

        return strings;
    }

    /// <summary>A required list of column names, each a column of the table; returned as the table spells them.</summary>
    public IReadOnlyList<ColumnSchema> RequiredColumns(string name)
    {
        var names = RequiredStrings(name);
        if (names.Count == 0)
        {
            throw new KwargException(name, $"{name} must name at least one column.");
        }

        return names.Select(n => Schema.Find(n) ?? throw new KwargException(name,
            $"The table has no column '{n}'. Its columns are: {string.Join(", ", Schema.Columns.Select(c => c.Name))}.")).ToArray();
    }

    /// <summary>A short description of a JSON value for messages: <c>"abc"</c>, <c>12</c>, <c>an object</c>.</summary>
    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => JsonSerializer.Serialize(value.GetString()),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => value.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "nothing",
    };

    private static long Integer(string name, JsonElement value, long minimum)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || number != Math.Floor(number) || number < minimum || number > long.MaxValue)
        {
            throw new KwargException(name, $"{name} must be a whole number of at least {minimum.ToString(CultureInfo.InvariantCulture)}, got {Describe(value)}.");
        }

        return (long)number;
    }
}
