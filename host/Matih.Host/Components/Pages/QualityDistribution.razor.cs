using System.Globalization;
using Matih.Core.Quality;
using Matih.Sdk.Data;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// Feature distribution profiling (the seed's Stage 5 box) as charts: a bar per bucket (share of values, %) and a bar
/// per label value. It calls <see cref="FeatureDistributions"/>, as <c>POST /api/quality/distribution</c> does.
/// </summary>
public partial class QualityDistribution
{
    [Inject]
    private FeatureDistributions Distributions { get; set; } = default!;

    private string? Table { get; set; } = "analytics.derived.churn_features";

    private string? Column { get; set; } = "days_since_last_order";

    private string? Buckets { get; set; } = "0-30, 31-60, 61-90, 91-180, 181+";

    private string? Label { get; set; } = "is_churned";

    private bool Busy { get; set; }

    private (string? Field, string? Message) Problem { get; set; }

    private FeatureDistribution? Profile { get; set; }

    private List<ChartSeries<double>> BucketSeries { get; set; } = [];

    private string[] BucketLabels { get; set; } = [];

    private List<ChartSeries<double>> LabelSeries { get; set; } = [];

    private string[] LabelLabels { get; set; } = [];

    private BarChartOptions ChartOptions { get; } = new() { ShowLegend = false, YAxisFormat = "0.#", BarWidthRatio = 0.8 };

    private async Task ProfileAsync()
    {
        Problem = default;
        if (!TableRef.TryParse(Table, out var table))
        {
            Problem = ("table", "Write the table as catalog.schema.table.");
            return;
        }

        if (string.IsNullOrWhiteSpace(Column))
        {
            Problem = ("column", "Name the numeric column to profile.");
            return;
        }

        Busy = true;
        try
        {
            var profile = await Distributions.ProfileAsync(table, Column, Buckets, Label, CancellationToken.None);
            BucketSeries = [new() { Name = "% of values", Data = new ChartData<double>(profile.Buckets.Select(b => Math.Round(100 * b.Share, 1)).ToArray()) }];
            BucketLabels = profile.Buckets.Select(b => b.Label).ToArray();
            LabelSeries = [new() { Name = "% of rows", Data = new ChartData<double>(profile.Labels.Select(l => Math.Round(100 * l.Share, 1)).ToArray()) }];
            LabelLabels = profile.Labels.Select(l => l.Value).ToArray();
            Profile = profile;
        }
        catch (DistributionRequestException ex)
        {
            Problem = (ex.Field, ex.Message);
            Profile = null;
        }
        finally
        {
            Busy = false;
        }
    }

    private static IEnumerable<(string Name, string Value)> Figures(FeatureDistribution p)
    {
        var c = CultureInfo.InvariantCulture;
        string F(double? value, bool whole) => value is not { } v ? "-" : whole ? v.ToString("N0", c) : v.ToString("N1", c);
        return
        [
            ("Count", p.Count.ToString("N0", c)),
            ("Mean", F(p.Mean, false)),
            ("Median", F(p.Median, false)),
            ("Std Dev", F(p.StdDev, false)),
            ("Min", F(p.Min, p.IsInteger)),
            ("Max", F(p.Max, p.IsInteger)),
        ];
    }
}
