namespace Matih.Core.Experiments;

/// <summary>Counts at one threshold.</summary>
/// <param name="TruePositives">Positives scored at or above the threshold.</param>
/// <param name="FalsePositives">Negatives scored at or above the threshold.</param>
/// <param name="TrueNegatives">Negatives scored below the threshold.</param>
/// <param name="FalseNegatives">Positives scored below the threshold.</param>
public sealed record ConfusionMatrix(long TruePositives, long FalsePositives, long TrueNegatives, long FalseNegatives);

/// <summary>A point of a ROC curve.</summary>
/// <param name="Threshold">Rows scoring at least this are called positive; null for the curve's origin (none called positive).</param>
/// <param name="FalsePositiveRate">Share of negatives called positive.</param>
/// <param name="TruePositiveRate">Share of positives called positive (recall).</param>
public sealed record RocPoint(double? Threshold, double FalsePositiveRate, double TruePositiveRate);

/// <summary>A point of a precision-recall curve.</summary>
/// <param name="Threshold">Rows scoring at least this are called positive; null for the curve's start (recall 0).</param>
/// <param name="Recall">Share of positives called positive.</param>
/// <param name="Precision">Share of rows called positive that are positive.</param>
public sealed record PrecisionRecallPoint(double? Threshold, double Recall, double Precision);

/// <summary>How well scores separate held-out labels.</summary>
/// <param name="Auc">Area under the ROC curve (ties count half).</param>
/// <param name="Precision">At <see cref="ClassifierEvaluation.Threshold"/>; 0 when nothing is called positive.</param>
/// <param name="Recall">At the threshold.</param>
/// <param name="F1">Harmonic mean of precision and recall.</param>
/// <param name="Accuracy">Share of rows called right at the threshold.</param>
/// <param name="LogLoss">Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15].</param>
/// <param name="Confusion">Counts at the threshold.</param>
/// <param name="Roc">The ROC curve, at most about <see cref="ClassifierEvaluation.CurvePoints"/> points, ends included.</param>
/// <param name="PrecisionRecall">The precision-recall curve, likewise.</param>
public sealed record ClassifierMetrics(
    double Auc,
    double Precision,
    double Recall,
    double F1,
    double Accuracy,
    double LogLoss,
    ConfusionMatrix Confusion,
    IReadOnlyList<RocPoint> Roc,
    IReadOnlyList<PrecisionRecallPoint> PrecisionRecall);

/// <summary>Computes <see cref="ClassifierMetrics"/> from probabilities and labels.</summary>
public static class ClassifierEvaluation
{
    /// <summary>The probability at or above which a row is called positive.</summary>
    public const double Threshold = 0.5;

    /// <summary>How many points a curve is thinned to.</summary>
    public const int CurvePoints = 100;

    private const double Epsilon = 1e-15;

    /// <summary>Evaluates <paramref name="probabilities"/> against <paramref name="labels"/>.</summary>
    /// <exception cref="ArgumentException">The arrays differ in length, or the labels hold only one class.</exception>
    public static ClassifierMetrics Evaluate(float[] probabilities, bool[] labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Length != labels.Length)
        {
            throw new ArgumentException($"{probabilities.Length} probabilities for {labels.Length} labels.", nameof(probabilities));
        }

        long positives = labels.Count(l => l);
        long negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException(
                $"The held-out rows are all {(positives == 0 ? "negative" : "positive")}, so ranking cannot be measured; use a larger test fraction or more data.",
                nameof(labels));
        }

        long tp = 0, fp = 0;
        var logLoss = 0.0;
        for (var i = 0; i < labels.Length; i++)
        {
            var p = Math.Clamp((double)probabilities[i], Epsilon, 1 - Epsilon);
            logLoss -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
            if (probabilities[i] >= Threshold)
            {
                if (labels[i])
                {
                    tp++;
                }
                else
                {
                    fp++;
                }
            }
        }

        var fn = positives - tp;
        var tn = negatives - fp;
        var precision = tp + fp == 0 ? 0 : tp / (double)(tp + fp);
        var recall = tp / (double)positives;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        var accuracy = (tp + tn) / (double)labels.Length;

        var (auc, roc, pr) = Curves(probabilities, labels, positives, negatives);
        return new ClassifierMetrics(auc, precision, recall, f1, accuracy, logLoss / labels.Length,
            new ConfusionMatrix(tp, fp, tn, fn), Thin(roc), Thin(pr));
    }

    private static (double Auc, List<RocPoint> Roc, List<PrecisionRecallPoint> Pr) Curves(float[] probabilities, bool[] labels, long positives, long negatives)
    {
        var order = new int[probabilities.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Highest score first; rows with equal scores move together, which is what makes ties count half.
        Array.Sort(probabilities.ToArray(), order);
        Array.Reverse(order);

        var roc = new List<RocPoint> { new(null, 0, 0) };
        var pr = new List<PrecisionRecallPoint> { new(null, 0, 1) };
        long tp = 0, fp = 0;
        double auc = 0, lastFpr = 0, lastTpr = 0;
        var k = 0;
        while (k < order.Length)
        {
            var score = probabilities[order[k]];
            while (k < order.Length && probabilities[order[k]] == score)
            {
                if (labels[order[k]])
                {
                    tp++;
                }
                else
                {
                    fp++;
                }

                k++;
            }

            var fpr = fp / (double)negatives;
            var tpr = tp / (double)positives;
            auc += (fpr - lastFpr) * (tpr + lastTpr) / 2;
            roc.Add(new RocPoint(score, fpr, tpr));
            pr.Add(new PrecisionRecallPoint(score, tpr, tp / (double)(tp + fp)));
            (lastFpr, lastTpr) = (fpr, tpr);
        }

        return (auc, roc, pr);
    }

    /// <summary>Keeps about <see cref="CurvePoints"/> evenly spaced points, the first and last always.</summary>
    private static IReadOnlyList<T> Thin<T>(List<T> points)
    {
        if (points.Count <= CurvePoints)
        {
            return points;
        }

        var thinned = new List<T>(CurvePoints);
        var last = -1;
        for (var i = 0; i < CurvePoints; i++)
        {
            var index = (int)Math.Round(i * (points.Count - 1) / (double)(CurvePoints - 1));
            if (index != last)
            {
                thinned.Add(points[index]);
                last = index;
            }
        }

        return thinned;
    }
}
