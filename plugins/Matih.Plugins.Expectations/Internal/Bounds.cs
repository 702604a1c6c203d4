using System.Globalization;
using System.Text.Json;
using Matih.Sdk.Data;

namespace Matih.Plugins.Expectations.Internal;

/// <summary>GE's <c>min_value</c>/<c>max_value</c> with <c>strict_min</c>/<c>strict_max</c>: null bounds are open.</summary>
internal sealed record Bounds(string? Min, string? Max, bool StrictMin, bool StrictMax, double? MinNumber, double? MaxNumber)
{
    /// <summary>Bounds for a number the expectation observes (a count, a mean, a proportion).</summary>
    public static Bounds Numeric(KwargReader kwargs, bool strictAllowed = true)
    {
        var min = kwargs.OptionalNumber("min_value");
        var max = kwargs.OptionalNumber("max_value");
        return Checked(kwargs, min is null ? null : Sql.Number(min.Value), max is null ? null : Sql.Number(max.Value), min, max, strictAllowed);
    }

    /// <summary>Bounds compared with the values of <paramref name="column"/> (numbers, dates, strings).</summary>
    public static Bounds ForColumn(KwargReader kwargs, ColumnSchema column)
    {
        string? Literal(string name, out double? number)
        {
            number = null;
            if (!kwargs.TryGet(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var n))
            {
                number = n;
            }

            return Sql.Literal(value, column, name);
        }

        var min = Literal("min_value", out var minNumber);
        var max = Literal("max_value", out var maxNumber);
        return Checked(kwargs, min, max, minNumber, maxNumber, strictAllowed: true);
    }

    /// <summary>The condition that <paramref name="expression"/> is within the bounds.</summary>
    public string Within(string expression) => Sql.Within(expression, Min, Max, StrictMin, StrictMax);

    /// <summary>Whether a number is within the bounds (numeric bounds only).</summary>
    public bool Contains(double value) =>
        (MinNumber is not { } min || (StrictMin ? value > min : value >= min)) &&
        (MaxNumber is not { } max || (StrictMax ? value < max : value <= max));

    private static Bounds Checked(KwargReader kwargs, string? min, string? max, double? minNumber, double? maxNumber, bool strictAllowed)
    {
        if (min is null && max is null)
        {
            throw new KwargException("min_value", "min_value and max_value cannot both be null; give one or both.");
        }

        if (minNumber is { } low && maxNumber is { } high && low > high)
        {
            throw new KwargException("min_value",
                $"min_value ({low.ToString(CultureInfo.InvariantCulture)}) is above max_value ({high.ToString(CultureInfo.InvariantCulture)}).");
        }

        var strictMin = strictAllowed && kwargs.Bool("strict_min", false);
        var strictMax = strictAllowed && kwargs.Bool("strict_max", false);
        return new Bounds(min, max, strictMin, strictMax, minNumber, maxNumber);
    }
}
