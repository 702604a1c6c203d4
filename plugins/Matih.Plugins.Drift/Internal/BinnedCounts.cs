using Matih.Sdk.Drift;

namespace Matih.Plugins.Drift.Internal;

/// <summary>
/// The reference and the current sample counted over the same bins: quantile bins of the reference for numbers,
/// one bin per category for categories, and a <c>(missing)</c> bin for NaN / null when either side has any.
/// Shares are over all rows, missing ones included, so a rise in missing values shows as drift.
/// </summary>
internal sealed class BinnedCounts
{
    /// <summary>The label of the bin that holds NaN and null values.</summary>
    public const string MissingLabel = "(missing)";

    private BinnedCounts(string[] labels, long[] reference, long[] current)
    {
        Labels = labels;
        Reference = reference;
        Current = current;
        ReferenceTotal = reference.Sum();
        CurrentTotal = current.Sum();
    }

    public string[] Labels { get; }

    public long[] Reference { get; }

    public long[] Current { get; }

    public long ReferenceTotal { get; }

    public long CurrentTotal { get; }

    /// <summary>Whether one side has no rows at all, so no comparison can be made.</summary>
    public bool EitherSideEmpty => ReferenceTotal == 0 || CurrentTotal == 0;

    public double ReferenceShare(int bin) => (double)Reference[bin] / ReferenceTotal;

    public double CurrentShare(int bin) => (double)Current[bin] / CurrentTotal;

    /// <summary>Numeric samples over the reference's quantile bins (see <see cref="QuantileBins"/>).</summary>
    public static BinnedCounts Numeric(double[] reference, double[] current, int bins)
    {
        var sorted = SortedValues.WithoutNaN(reference, out var referenceMissing);
        var cuts = QuantileBins.FromSorted(sorted, bins);
        var referenceCounts = cuts.CountSorted(sorted);
        var currentCounts = new long[cuts.Count];
        long currentMissing = 0;
        foreach (var value in current)
        {
            if (double.IsNaN(value))
            {
                currentMissing++;
            }
            else
            {
                currentCounts[cuts.IndexOf(value)]++;
            }
        }

        var labels = Enumerable.Range(0, cuts.Count).Select(cuts.Label).ToList();
        return WithMissing(labels, referenceCounts, currentCounts, referenceMissing, currentMissing);
    }

    /// <summary>
    /// Categorical samples, one bin per category: the reference's categories first (most frequent first, then by
    /// ordinal name), then categories only the current window has, each in its own bin (same order), then missing.
    /// </summary>
    public static BinnedCounts Categorical(string?[] reference, string?[] current)
    {
        var tally = new Dictionary<string, (long Reference, long Current)>(StringComparer.Ordinal);
        long referenceMissing = 0, currentMissing = 0;
        foreach (var category in reference)
        {
            if (category is null)
            {
                referenceMissing++;
                continue;
            }

            var seen = tally.GetValueOrDefault(category);
            tally[category] = (seen.Reference + 1, seen.Current);
        }

        foreach (var category in current)
        {
            if (category is null)
            {
                currentMissing++;
                continue;
            }

            var seen = tally.GetValueOrDefault(category);
            tally[category] = (seen.Reference, seen.Current + 1);
        }

        var ordered = tally
            .OrderBy(p => p.Value.Reference == 0)
            .ThenByDescending(p => p.Value.Reference)
            .ThenByDescending(p => p.Value.Current)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
        return WithMissing(
            ordered.Select(p => p.Key).ToList(),
            ordered.Select(p => p.Value.Reference).ToArray(),
            ordered.Select(p => p.Value.Current).ToArray(),
            referenceMissing,
            currentMissing);
    }

    /// <summary>The per-bin shares for charts (0 for a side with no rows).</summary>
    public IReadOnlyList<DriftBin> ToBins() =>
        Labels.Select((label, k) => new DriftBin(
                label,
                ReferenceTotal == 0 ? 0 : ReferenceShare(k),
                CurrentTotal == 0 ? 0 : CurrentShare(k)))
            .ToArray();

    private static BinnedCounts WithMissing(List<string> labels, long[] reference, long[] current, long referenceMissing, long currentMissing)
    {
        if (referenceMissing == 0 && currentMissing == 0)
        {
            return new BinnedCounts([.. labels], reference, current);
        }

        labels.Add(MissingLabel);
        return new BinnedCounts([.. labels], [.. reference, referenceMissing], [.. current, currentMissing]);
    }
}
