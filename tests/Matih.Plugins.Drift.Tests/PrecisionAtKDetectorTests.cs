using Matih.Sdk.Drift;
using static Matih.Plugins.Drift.Tests.Support.Samples;

namespace Matih.Plugins.Drift.Tests;

public sealed class PrecisionAtKDetectorTests
{
    private static readonly DriftSample s_noReference = new();
    private readonly PrecisionAtKDetector _precision = new();

    [Fact]
    public void Precision_counts_true_positives_among_the_k_highest_scores()
    {
        // Top 3 scores 0.9, 0.8, 0.7 carry labels T, F, T: 2/3.
        var current = Scored([0.5, 0.9, 0.7, 0.8, 0.6], [false, true, true, false, true]);

        var result = _precision.Measure(s_noReference, current, Options("""{"k": 3}"""));

        Assert.Equal(2.0 / 3, result.Value, 12);
        Assert.Null(result.PValue);
        Assert.Empty(result.Bins);
    }

    [Fact]
    public void A_fraction_k_takes_that_share_of_the_window_rounded_up()
    {
        // 0.3 of 5 rows = 1.5, rounded up to the top 2: labels T, F.
        var current = Scored([0.5, 0.9, 0.7, 0.8, 0.6], [false, true, true, false, true]);

        Assert.Equal(0.5, _precision.Measure(s_noReference, current, Options("""{"k": 0.3}""")).Value, 12);
    }

    [Fact]
    public void Rows_tied_at_the_cut_share_the_remaining_slots_whatever_their_order()
    {
        // One row above the cut (positive), four tied at 0.5 with one positive, two slots left:
        // (1 + 1 * 2/4) / 3 = 0.5.
        double[] scores = [0.9, 0.5, 0.5, 0.5, 0.5, 0.1];
        bool[] labels = [true, true, false, false, false, true];

        var forward = _precision.Measure(s_noReference, Scored(scores, labels), Options("""{"k": 3}"""));
        var backward = _precision.Measure(s_noReference, Scored([.. scores.Reverse()], [.. labels.Reverse()]), Options("""{"k": 3}"""));

        Assert.Equal(0.5, forward.Value, 12);
        Assert.Equal(forward.Value, backward.Value);
    }

    [Fact]
    public void A_window_smaller_than_k_is_measured_over_all_its_rows()
    {
        var current = Scored([0.2, 0.4, 0.1, 0.3], [true, false, false, true]);

        Assert.Equal(0.5, _precision.Measure(s_noReference, current, Options("""{"k": 1000}""")).Value, 12);
    }

    [Fact]
    public void Rows_without_a_score_are_left_out()
    {
        var current = Scored([double.NaN, 0.9, 0.8], [true, false, true]);

        Assert.Equal(0.5, _precision.Measure(s_noReference, current, Options("""{"k": 2}""")).Value, 12);
    }

    [Fact]
    public void The_seed_accuracy_monitor_entry_is_accepted_as_options()
    {
        // The seed's accuracy_tracking entry, verbatim: only "k" concerns the detector.
        var entry = Options("""
            {
              "type": "accuracy_tracking",
              "metric": "precision_at_k",
              "k": 1000,
              "ground_truth_table": "analytics.derived.actual_churn_labels",
              "evaluation_schedule": "0 0 * * MON",
              "alert_threshold": 0.70
            }
            """);
        var scores = Enumerable.Range(0, 5_000).Select(i => i / 5_000.0).ToArray();
        // The top 1000 scores are rows 4000..4999; every 5th of them is a negative: precision 0.8.
        var labels = Enumerable.Range(0, 5_000).Select(i => i >= 4_000 && i % 5 != 0).ToArray();

        var result = _precision.Measure(s_noReference, Scored(scores, labels), entry);

        Assert.Equal(0.8, result.Value, 12);
        Assert.False(_precision.HigherIsWorse);
    }

    [Fact]
    public void An_empty_window_gives_NaN()
    {
        Assert.True(double.IsNaN(_precision.Measure(s_noReference, new DriftSample(), NoOptions).Value));
    }

    [Theory]
    [InlineData("""{"k": 0}""")]
    [InlineData("""{"k": -5}""")]
    [InlineData("""{"k": 1.5}""")]
    [InlineData("""{"k": "1000"}""")]
    public void A_bad_k_is_rejected_naming_k(string options)
    {
        var error = Assert.Throws<ArgumentException>(() => _precision.Measure(s_noReference, Scored([0.1], [true]), Options(options)));

        Assert.Equal("k", error.ParamName);
        Assert.Contains("count", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scores_without_aligned_labels_are_a_caller_error()
    {
        Assert.Throws<ArgumentException>(() => _precision.Measure(s_noReference, Numbers(0.1, 0.2), NoOptions));
        Assert.Throws<ArgumentException>(() => _precision.Measure(s_noReference, Scored([0.1, 0.2], [true]), NoOptions));
    }
}
