namespace Matih.Scripting;

/// <summary>
/// Numbers over labels, shown as a chart in the console (a line by default, bars with <see cref="AsBars"/>). A script
/// returns or displays one; a dictionary of numbers or a list of numbers is shown the same way.
/// </summary>
public sealed class Series
{
    /// <summary>Creates a series; <paramref name="labels"/> and <paramref name="values"/> have the same length.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public Series(string name, IReadOnlyList<string> labels, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(values);
        if (labels.Count != values.Count)
        {
            throw new ArgumentException($"A series needs one label per value: {labels.Count} labels, {values.Count} values.", nameof(values));
        }

        Name = name;
        Labels = labels;
        Values = values;
    }

    /// <summary>The series name (the legend).</summary>
    public string Name { get; }

    /// <summary>The x-axis labels.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The values.</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary><c>line</c> or <c>bar</c>.</summary>
    public string Chart { get; private init; } = "line";

    /// <summary>A series of <paramref name="values"/> labelled 1, 2, 3, ...</summary>
    public static Series Of(string name, IEnumerable<double> values)
    {
        var list = values.ToArray();
        return new Series(name, Enumerable.Range(1, list.Length).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), list);
    }

    /// <summary>A series from label/value pairs, in order.</summary>
    public static Series Of(string name, IEnumerable<KeyValuePair<string, double>> points)
    {
        var list = points.ToArray();
        return new Series(name, list.Select(p => p.Key).ToArray(), list.Select(p => p.Value).ToArray());
    }

    /// <summary>The same series drawn as bars.</summary>
    public Series AsBars() => new(Name, Labels, Values) { Chart = "bar" };

    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: " + string.Join(", ", Labels.Zip(Values, (l, v) => $"{l}={v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}").Take(50))
        + (Values.Count > 50 ? $", … ({Values.Count} points)" : "");
}
