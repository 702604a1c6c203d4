using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace Matih.Host.Components.Experiments;

/// <summary>One run's curve: points on the unit square, in drawing order.</summary>
/// <param name="Name">The run's name, in the legend and the tooltip.</param>
/// <param name="Color">Its colour (CSS).</param>
/// <param name="Points">(x, y) pairs, each between 0 and 1.</param>
/// <param name="Caption">A figure for the legend, e.g. <c>AUC 0.871</c>.</param>
public sealed record CurveSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points, string? Caption = null);

/// <summary>
/// ROC or precision-recall curves of one or more runs overlaid on one square. MudChart's line chart puts its points on
/// shared category labels, which curves with their own x values do not have; this draws them as they are.
/// </summary>
public partial class CurveChart
{
    private const double Width = 420;
    private const double Height = 340;
    private const double Left = 48;
    private const double Right = 14;
    private const double Top = 12;
    private const double Bottom = 42;
    private static readonly double[] s_ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];

    /// <summary><c>roc</c> or <c>pr</c>: names the chart for tests and screen readers.</summary>
    [Parameter, EditorRequired]
    public string Kind { get; set; } = "roc";

    /// <summary>The curves.</summary>
    [Parameter, EditorRequired]
    public IReadOnlyList<CurveSeries> Series { get; set; } = [];

    /// <summary>The horizontal axis's name.</summary>
    [Parameter]
    public string XLabel { get; set; } = "";

    /// <summary>The vertical axis's name.</summary>
    [Parameter]
    public string YLabel { get; set; } = "";

    /// <summary>The chart's accessible name.</summary>
    [Parameter]
    public string Title { get; set; } = "";

    /// <summary>Draws the dashed line of a model that guesses (for ROC curves).</summary>
    [Parameter]
    public bool Diagonal { get; set; }

    private static IReadOnlyList<double> Ticks => s_ticks;

    private static double PlotWidth => Width - Left - Right;

    private static double PlotHeight => Height - Top - Bottom;

    /// <summary>The SVG x of a value between 0 and 1.</summary>
    public static double X(double value) => Left + (Math.Clamp(value, 0, 1) * PlotWidth);

    /// <summary>The SVG y of a value between 0 and 1 (up is larger).</summary>
    public static double Y(double value) => Top + ((1 - Math.Clamp(value, 0, 1)) * PlotHeight);

    /// <summary>The polyline's points attribute for <paramref name="series"/>.</summary>
    public static string Points(CurveSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var text = new StringBuilder(series.Points.Count * 14);
        foreach (var (x, y) in series.Points)
        {
            text.Append(Fmt(X(x))).Append(',').Append(Fmt(Y(y))).Append(' ');
        }

        return text.ToString().TrimEnd();
    }

    private static string Fmt(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Tick(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
