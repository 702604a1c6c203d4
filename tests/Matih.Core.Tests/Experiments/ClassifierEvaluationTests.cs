using Matih.Core.Experiments;

namespace Matih.Core.Tests.Experiments;

public sealed class ClassifierEvaluationTests
{
    [Fact]
    public void The_textbook_example_gives_the_textbook_figures()
    {
        // The example in scikit-learn's roc_auc_score documentation: AUC 0.75.
        float[] scores = [0.1f, 0.4f, 0.35f, 0.8f];
        bool[] labels = [false, false, true, true];

        var metrics = ClassifierEvaluation.Evaluate(scores, labels);

        Assert.Equal(0.75, metrics.Auc, 12);
        // Only 0.8 is called positive: one true positive, no false positive.
        Assert.Equal(new ConfusionMatrix(1, 0, 2, 1), metrics.Confusion);
        Assert.Equal((1.0, 0.5, 0.75), (metrics.Precision, metrics.Recall, metrics.Accuracy));
        Assert.Equal(2 * 1.0 * 0.5 / 1.5, metrics.F1, 12);
        var expectedLogLoss = -(Math.Log(1 - 0.1f) + Math.Log(1 - 0.4f) + Math.Log(0.35f) + Math.Log(0.8f)) / 4;
        Assert.Equal(expectedLogLoss, metrics.LogLoss, 6);
    }

    [Fact]
    public void The_AUC_matches_counting_every_positive_negative_pair_with_ties_as_half()
    {
        var random = new Random(9);
        var scores = Enumerable.Range(0, 1_500).Select(_ => (float)Math.Round(random.NextDouble(), 2)).ToArray();
        var labels = scores.Select(s => random.NextDouble() < s).ToArray();

        var metrics = ClassifierEvaluation.Evaluate(scores, labels);

        double wins = 0;
        long pairs = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            for (var j = 0; j < scores.Length; j++)
            {
                if (labels[i] && !labels[j])
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        Assert.Equal(wins / pairs, metrics.Auc, 9);
    }

    [Fact]
    public void Curves_are_thinned_to_about_a_hundred_points_keeping_both_ends()
    {
        var random = new Random(4);
        var scores = Enumerable.Range(0, 10_000).Select(_ => (float)random.NextDouble()).ToArray();
        var labels = scores.Select(s => random.NextDouble() < s).ToArray();

        var metrics = ClassifierEvaluation.Evaluate(scores, labels);

        Assert.InRange(metrics.Roc.Count, 90, ClassifierEvaluation.CurvePoints);
        Assert.Equal(new RocPoint(null, 0, 0), metrics.Roc[0]);
        Assert.Equal((1.0, 1.0), (metrics.Roc[^1].FalsePositiveRate, metrics.Roc[^1].TruePositiveRate));
        Assert.Equal(metrics.Roc.OrderBy(p => p.FalsePositiveRate).ThenBy(p => p.TruePositiveRate), metrics.Roc);
        Assert.InRange(metrics.PrecisionRecall.Count, 90, ClassifierEvaluation.CurvePoints);
        Assert.Equal(1.0, metrics.PrecisionRecall[^1].Recall);
        Assert.Equal(labels.Count(l => l) / 10_000.0, metrics.PrecisionRecall[^1].Precision, 9);
    }

    [Fact]
    public void Held_out_rows_of_one_class_are_refused_with_the_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => ClassifierEvaluation.Evaluate([0.2f, 0.9f], [true, true]));

        Assert.Contains("held-out rows are all positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_random_split_is_reproducible_and_a_time_split_holds_out_the_tail()
    {
        var random = TrainingDataReader.Split(1_000, new RunSplit(0.2, 5, null));
        var again = TrainingDataReader.Split(1_000, new RunSplit(0.2, 5, null));
        var other = TrainingDataReader.Split(1_000, new RunSplit(0.2, 6, null));
        var byTime = TrainingDataReader.Split(1_000, new RunSplit(0.2, 5, "signup_date"));

        Assert.Equal((800, 200), (random.Train.Length, random.Test.Length));
        Assert.Equal(random.Test, again.Test);
        Assert.NotEqual(random.Test, other.Test);
        Assert.Empty(random.Train.Intersect(random.Test));
        Assert.Equal(Enumerable.Range(800, 200), byTime.Test);
    }
}
