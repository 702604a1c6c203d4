using System.Globalization;
using MudBlazor;

namespace Matih.Host.Components.Experiments;

/// <summary>How the Experiments pages write runs: figures as the seed's comparison table has them, state colours, sort keys.</summary>
public static class ExperimentDisplay
{
    /// <summary>Colours of compared runs, in order; the same run keeps its colour in every chart and table.</summary>
    public static IReadOnlyList<string> Palette { get; } = ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#546e7a"];

    /// <summary>Most runs compared at once: more curves than colours cannot be told apart.</summary>
    public static int MaxCompared => Palette.Count;

    /// <summary>True while a run is queued or running.</summary>
    public static bool IsActive(string state) => state is "queued" or "running";

    /// <summary>The chip colour of a run state.</summary>
    public static Color StateColor(string state) => state switch
    {
        "succeeded" => Color.Success,
        "failed" => Color.Error,
        "running" => Color.Info,
        "cancelled" => Color.Warning,
        _ => Color.Default,
    };

    /// <summary>AUC as the seed writes it: three decimals (<c>0.871</c>).</summary>
    public static string Auc(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "";

    /// <summary>Precision, recall, F1 and accuracy as the seed writes them: two decimals (<c>0.79</c>).</summary>
    public static string Ratio(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "";

    /// <summary>A figure with <paramref name="decimals"/> decimals, or empty.</summary>
    public static string Number(double? value, int decimals) => value is { } v ? v.ToString("F" + decimals, CultureInfo.InvariantCulture) : "";

    /// <summary>A count with thousands separators (<c>16,425</c>).</summary>
    public static string Count(long? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "";

    /// <summary>Training time as the seed writes it: <c>0.8s</c>, <c>12s</c>, <c>2m 18s</c>, <c>1h 4m</c>.</summary>
    public static string TrainingTime(double? seconds) => seconds switch
    {
        null => "",
        < 10 => string.Create(CultureInfo.InvariantCulture, $"{seconds.Value:0.0}s"),
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(seconds.Value):0}s"),
        < 3600 => $"{(int)(seconds.Value / 60)}m {(int)Math.Round(seconds.Value % 60)}s",
        _ => $"{(int)(seconds.Value / 3600)}h {(int)(seconds.Value % 3600 / 60)}m",
    };

    /// <summary>A signed difference for the comparison table (<c>+0.048</c>, <c>-0.01</c>), empty when either side is missing.</summary>
    public static string Difference(double? value, double? baseline, int decimals) =>
        value is { } v && baseline is { } b
            ? (v - b < 0 ? "-" : "+") + Math.Abs(v - b).ToString("F" + decimals, CultureInfo.InvariantCulture)
            : "";

    /// <summary>The features column: the seed's <c>All 18</c> becomes the count, with the names in a tooltip.</summary>
    public static string Features(IReadOnlyList<string> features) => features.Count == 1 ? "1 feature" : $"{features.Count} features";

    /// <summary>What an active run is doing (<c>training 45%</c>).</summary>
    public static string Stage(string? stage, double progress) =>
        stage is null ? "" : string.Create(CultureInfo.InvariantCulture, $"{stage} {progress * 100:0}%");

    /// <summary>
    /// The <c>ListRunsAsync</c> sort key of a grid column, by the column's property name (<c>Auc</c>,
    /// <c>TrainingSeconds</c>, <c>Features.Count</c>); null for a column the engine cannot sort by.
    /// </summary>
    public static string? SortKey(string? propertyName) => propertyName switch
    {
        "Name" => "name",
        "Model" => "model",
        "Trainer" => "trainer",
        "State" => "state",
        "Features.Count" or "Count" => "features",
        "Auc" => "auc",
        "Precision" => "precision",
        "Recall" => "recall",
        "F1" => "f1",
        "Accuracy" => "accuracy",
        "LogLoss" => "log_loss",
        "TrainingSeconds" => "training_time",
        "QueuedAt" => "queued_at",
        _ => null,
    };
}
