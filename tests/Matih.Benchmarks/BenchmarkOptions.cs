using System.Globalization;

namespace Matih.Benchmarks;

/// <summary>
/// <c>--name value</c> pairs from the command line. Commands read the ones they know; an option no command
/// reads is reported, so a typo does not silently fall back to a default.
/// </summary>
public sealed class BenchmarkOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses <c>--name value</c> pairs.</summary>
    /// <exception cref="ArgumentException">An argument is not an option or lacks its value.</exception>
    public static BenchmarkOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new BenchmarkOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--option value', got '{args[i]}'.");
            }

            options._values[args[i][2..]] = args[++i];
        }

        return options;
    }

    /// <summary>A number option, or <paramref name="fallback"/> when absent.</summary>
    public double Number(string name, double fallback) =>
        Read(name) is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new ArgumentException($"--{name}: '{text}' is not a number.")
            : fallback;

    /// <summary>A whole-number option, or <paramref name="fallback"/> when absent.</summary>
    public long Integer(string name, long fallback) =>
        Read(name) is { } text
            ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new ArgumentException($"--{name}: '{text}' is not a whole number.")
            : fallback;

    /// <summary>A text option, or null when absent.</summary>
    public string? Text(string name) => Read(name);

    /// <summary>Options given but never read by the command.</summary>
    public IEnumerable<string> Unused => _values.Keys.Where(k => !_read.Contains(k));

    private string? Read(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var value) ? value : null;
    }
}
