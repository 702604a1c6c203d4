using Matih.Sdk.Training;

namespace Matih.Plugins.MlNet.Tests.Support;

/// <summary>
/// Synthetic churn-like rows with a known signal: <c>recency</c> is the strongest (a step at 90 days),
/// <c>sessions</c> lowers churn, <c>age</c> matters only at the extremes (a U shape a linear model cannot follow),
/// <c>segment</c> shifts the rate per category, <c>noise</c> and <c>region</c> carry nothing. Some sessions and
/// segments are missing.
/// </summary>
internal static class ChurnLikeData
{
    public static readonly string[] Segments = ["Gold", "Silver", "Bronze"];
    public static readonly string[] Regions = ["North", "South", "East", "West"];

    public static FeatureTable Generate(int rows, int seed, bool withMissing = true)
    {
        var random = new Random(seed);
        var recency = new float[rows];
        var sessions = new float[rows];
        var age = new float[rows];
        var noise = new float[rows];
        var segment = new string?[rows];
        var region = new string?[rows];
        var label = new bool[rows];
        for (var i = 0; i < rows; i++)
        {
            recency[i] = (float)(random.NextDouble() * 200);
            var s = (float)Math.Floor(random.NextDouble() * 12);
            age[i] = (float)(18 + random.NextDouble() * 64);
            noise[i] = (float)Gaussian(random);
            var seg = random.Next(3);
            segment[i] = Segments[seg];
            region[i] = Regions[random.Next(4)];

            var logit = -1.6
                + (recency[i] > 90 ? 3.0 : 0)
                - 0.15 * s
                + (Math.Abs(age[i] - 50) > 22 ? 1.6 : 0)
                + seg switch { 0 => -0.9, 1 => 0, _ => 0.9 };
            label[i] = random.NextDouble() < 1 / (1 + Math.Exp(-logit));

            sessions[i] = withMissing && random.NextDouble() < 0.05 ? float.NaN : s;
            if (withMissing && random.NextDouble() < 0.03)
            {
                segment[i] = null;
            }
        }

        return new FeatureTable(
            new Dictionary<string, float[]> { ["recency"] = recency, ["sessions"] = sessions, ["age"] = age, ["noise"] = noise },
            new Dictionary<string, string?[]> { ["segment"] = segment, ["region"] = region },
            label);
    }

    /// <summary>The rows without labels, as a scoring caller passes them.</summary>
    public static FeatureTable WithoutLabel(FeatureTable table) => table with { Label = null };

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
