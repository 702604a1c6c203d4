using System.Globalization;

namespace Matih.Plugins.MlNet.Data;

/// <summary>
/// The input features of a model in training order, and how the model's feature vector slots map back to them.
/// Numeric features fill one vector column (one slot each); categorical features fill one text vector column whose
/// values are prefixed with the feature's index (<c>2:Gold</c>), so a single key dictionary one-hot encodes all of
/// them while every slot still names the feature it came from.
/// </summary>
internal sealed class FeatureLayout
{
    public const string LabelColumn = "Label";
    public const string NumericColumn = "Numeric";
    public const string CategoricalColumn = "Categorical";
    public const string FeaturesColumn = "Features";
    public const string ProbabilityColumn = "Probability";
    public const string ContributionsColumn = "FeatureContributions";

    private const char PrefixSeparator = ':';

    public FeatureLayout(IReadOnlyList<string> numeric, IReadOnlyList<string> categorical)
    {
        Numeric = numeric;
        Categorical = categorical;
        var duplicate = numeric.Concat(categorical).GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"feature '{duplicate.Key}' is listed twice; each feature is either numeric or categorical, once.");
        }

        if (numeric.Count + categorical.Count == 0)
        {
            throw new ArgumentException("features: a model needs at least one feature.");
        }
    }

    public IReadOnlyList<string> Numeric { get; }

    public IReadOnlyList<string> Categorical { get; }

    /// <summary>All features: numeric then categorical.</summary>
    public IReadOnlyList<string> All => Numeric.Concat(Categorical).ToArray();

    public int FeatureCount => Numeric.Count + Categorical.Count;

    /// <summary>The category value as the model sees it; missing (null or empty) stays empty, which encodes as all zeros.</summary>
    public static string Prefix(int categoricalIndex, string? value) =>
        string.IsNullOrEmpty(value) ? string.Empty : string.Concat(categoricalIndex.ToString(CultureInfo.InvariantCulture), ":", value);

    /// <summary>The categorical feature index and raw value of a prefixed key value.</summary>
    public static (int Index, string Value) Unprefix(ReadOnlySpan<char> prefixed)
    {
        var separator = prefixed.IndexOf(PrefixSeparator);
        if (separator <= 0 || !int.TryParse(prefixed[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            throw new InvalidDataException($"category key '{prefixed.ToString()}' does not carry its feature index; the artifact was not written by the mlnet plugin.");
        }

        return (index, prefixed[(separator + 1)..].ToString());
    }

    /// <summary>
    /// The input feature index (numeric first, then categorical) of every slot of the feature vector, given the
    /// category key values in key order (slot <c>Numeric.Count + k</c> is key <c>k</c>).
    /// </summary>
    public int[] SlotOwners(IReadOnlyList<string> categoryKeys)
    {
        var owners = new int[Numeric.Count + categoryKeys.Count];
        for (var i = 0; i < Numeric.Count; i++)
        {
            owners[i] = i;
        }

        for (var k = 0; k < categoryKeys.Count; k++)
        {
            var (index, _) = Unprefix(categoryKeys[k]);
            if (index >= Categorical.Count)
            {
                throw new InvalidDataException($"category key '{categoryKeys[k]}' names categorical feature {index}, but the model has {Categorical.Count}.");
            }

            owners[Numeric.Count + k] = Numeric.Count + index;
        }

        return owners;
    }

    /// <summary>Sums slot values per input feature.</summary>
    public static void SumBySlotOwner(ReadOnlySpan<float> slots, int[] owners, Span<double> perFeature)
    {
        perFeature.Clear();
        var count = Math.Min(slots.Length, owners.Length);
        for (var s = 0; s < count; s++)
        {
            perFeature[owners[s]] += slots[s];
        }
    }
}
