using System.Text.Json;
using Matih.Sdk.Plugins;

namespace Matih.Sdk.Drift;

/// <summary>What a detector compares.</summary>
public enum DriftInputKind
{
    /// <summary>Numeric values (a feature or a prediction score).</summary>
    Numeric,
    /// <summary>Categories.</summary>
    Categorical,
    /// <summary>Scores with ground-truth labels (accuracy metrics such as precision@k).</summary>
    Labelled,
}

/// <summary>
/// Compares a current window with a reference: PSI, KS test, chi-square, Jensen-Shannon, Wasserstein,
/// precision@k... Pure computation on arrays; the host reads the windows and decides on alerts.
/// </summary>
public interface IDriftDetector
{
    /// <summary>Method id as written in monitor documents (<c>psi</c>, <c>ks_test</c>, <c>precision_at_k</c>).</summary>
    string Method { get; }

    /// <summary>Inputs this method accepts.</summary>
    IReadOnlyList<DriftInputKind> Accepts { get; }

    /// <summary>Options (bins, k, ...), with defaults.</summary>
    IReadOnlyList<ParameterSpec> Options { get; }

    /// <summary>
    /// Whether a higher value means more drift (PSI) or less (a p-value, precision@k), so the host compares with the
    /// threshold the right way round.
    /// </summary>
    bool HigherIsWorse { get; }

    /// <summary>Computes the statistic.</summary>
    DriftMeasurement Measure(DriftSample reference, DriftSample current, IReadOnlyDictionary<string, JsonElement> options);
}

/// <summary>One side of a comparison. Set the arrays that match the input kind.</summary>
public sealed record DriftSample
{
    /// <summary>Numeric values (NaN = missing, ignored).</summary>
    public double[]? Numeric { get; init; }

    /// <summary>Categories (null = missing, its own category).</summary>
    public string?[]? Categorical { get; init; }

    /// <summary>Ground truth for <see cref="DriftInputKind.Labelled"/>, aligned with <see cref="Numeric"/> scores.</summary>
    public bool[]? Labels { get; init; }
}

/// <summary>A detector's result: the statistic, an optional p-value, and the per-bin detail for charts.</summary>
/// <param name="Value">The statistic (PSI, KS D, precision@k...).</param>
/// <param name="PValue">The p-value when the method has one.</param>
public sealed record DriftMeasurement(double Value, double? PValue)
{
    /// <summary>Per-bin or per-category breakdown: label, reference share, current share.</summary>
    public IReadOnlyList<DriftBin> Bins { get; init; } = Array.Empty<DriftBin>();
}

/// <summary>One bin of a drift breakdown.</summary>
public sealed record DriftBin(string Label, double ReferenceShare, double CurrentShare);
