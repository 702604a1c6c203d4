using System.Text.Json;
using Matih.Sdk.Drift;

namespace Matih.Plugins.Drift.Tests.Support;

/// <summary>Builds samples and option dictionaries for the detector tests.</summary>
internal static class Samples
{
    public static readonly IReadOnlyDictionary<string, JsonElement> NoOptions = new Dictionary<string, JsonElement>();

    public static DriftSample Numbers(params double[] values) => new() { Numeric = values };

    public static DriftSample Categories(params string?[] values) => new() { Categorical = values };

    public static DriftSample Scored(double[] scores, bool[] labels) => new() { Numeric = scores, Labels = labels };

    /// <summary>Options from a JSON object, as a monitor document would carry them.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Options(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    /// <summary>Normal values from a fixed seed (Box-Muller), so every run sees the same sample.</summary>
    public static double[] Normal(int count, double mean, double sd, int seed)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = mean + (sd * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return values;
    }

    /// <summary>1, 2, ..., count.</summary>
    public static double[] Sequence(int count) => Enumerable.Range(1, count).Select(i => (double)i).ToArray();
}
