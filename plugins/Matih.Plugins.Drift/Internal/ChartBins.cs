using Matih.Sdk.Drift;

namespace Matih.Plugins.Drift.Internal;

/// <summary>
/// Decile bins of the reference for the charts of detectors whose statistic does not bin (ks_test, wasserstein):
/// both sorted samples counted over the reference's ten quantile bins, by binary search.
/// </summary>
internal static class ChartBins
{
    private const int Bins = 10;

    public static IReadOnlyList<DriftBin> Deciles(ReadOnlySpan<double> sortedReference, ReadOnlySpan<double> sortedCurrent)
    {
        var cuts = QuantileBins.FromSorted(sortedReference, Bins);
        var reference = cuts.CountSorted(sortedReference);
        var current = cuts.CountSorted(sortedCurrent);
        var bins = new DriftBin[cuts.Count];
        for (var k = 0; k < bins.Length; k++)
        {
            bins[k] = new DriftBin(
                cuts.Label(k),
                sortedReference.Length == 0 ? 0 : (double)reference[k] / sortedReference.Length,
                sortedCurrent.Length == 0 ? 0 : (double)current[k] / sortedCurrent.Length);
        }

        return bins;
    }
}
