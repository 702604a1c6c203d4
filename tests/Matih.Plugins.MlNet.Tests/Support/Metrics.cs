namespace Matih.Plugins.MlNet.Tests.Support;

/// <summary>Reference metrics computed independently of ML.NET.</summary>
internal static class Metrics
{
    /// <summary>Area under the ROC curve as the probability a random positive outranks a random negative (ties count half).</summary>
    public static double Auc(float[] scores, bool[] labels)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        double rankSumPositive = 0;
        var positives = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            var averageRank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                if (labels[order[k]])
                {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }

            i = j + 1;
        }

        var negatives = scores.Length - positives;
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
