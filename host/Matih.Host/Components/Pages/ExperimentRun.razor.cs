using System.Text.Json.Nodes;
using Matih.Core.Experiments;
using Matih.Host.Components.Experiments;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// One experiment run (<c>/experiments/{experiment}/runs/{run}</c>, by name or id): its figures, ROC and
/// precision-recall curves, feature importance, confusion matrix, hyperparameters, the data snapshot and model file,
/// and tags, from <see cref="ExperimentRuns.GetRunAsync"/> as <c>GET /api/experiments/{name}/runs/{run}</c> answers;
/// followed every second while it runs.
/// </summary>
public partial class ExperimentRun : IDisposable
{
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _disposed = new();
    private bool _following;

    [Inject]
    private ExperimentRuns Runs { get; set; } = default!;

    [Inject]
    private ILogger<ExperimentRun> Log { get; set; } = default!;

    /// <summary>The experiment from the address.</summary>
    [Parameter]
    public string Experiment { get; set; } = "";

    /// <summary>The run's name or id from the address.</summary>
    [Parameter]
    public string Run { get; set; } = "";

    private ExperimentRunView? View { get; set; }

    private bool Loaded { get; set; }

    private bool Busy { get; set; }

    private string? Message { get; set; }

    private Severity MessageSeverity { get; set; } = Severity.Info;

    private IReadOnlyList<CurveSeries> RocSeries { get; set; } = [];

    private IReadOnlyList<CurveSeries> PrecisionRecallSeries { get; set; } = [];

    private List<BreadcrumbItem> Breadcrumbs =>
    [
        new("Experiments", "/experiments"),
        new(Experiment, $"/experiments/{Uri.EscapeDataString(Experiment)}"),
        new(View?.Summary.Name ?? Run, null, disabled: true),
    ];

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    /// <summary>The run's figures as the page's cards show them: name, text, key.</summary>
    public static IEnumerable<(string Name, string Value, string Key)> Figures(ExperimentRunSummary run)
    {
        ArgumentNullException.ThrowIfNull(run);
        yield return ("AUC", ExperimentDisplay.Auc(run.Auc), "auc");
        yield return ("Precision", ExperimentDisplay.Ratio(run.Precision), "precision");
        yield return ("Recall", ExperimentDisplay.Ratio(run.Recall), "recall");
        yield return ("F1", ExperimentDisplay.Ratio(run.F1), "f1");
        yield return ("Accuracy", ExperimentDisplay.Number(run.Accuracy, 3), "accuracy");
        yield return ("Log loss", ExperimentDisplay.Number(run.LogLoss, 3), "log_loss");
        yield return ("Training time", ExperimentDisplay.TrainingTime(run.TrainingSeconds), "training_time");
        yield return ("Training rows", ExperimentDisplay.Count(run.TrainRows), "train_rows");
        yield return ("Held-out rows", ExperimentDisplay.Count(run.TestRows), "test_rows");
        yield return ("Features", run.Features.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), "features");
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        await LoadAsync();
        Loaded = true;
        Follow();
    }

    private async Task LoadAsync()
    {
        View = await Runs.GetRunAsync(Experiment, Run, _disposed.Token);
        if (View is { } run)
        {
            var color = ExperimentDisplay.Palette[0];
            RocSeries = run.Roc.Count == 0 ? [] :
                [new CurveSeries(run.Summary.Name, color, run.Roc.Select(p => (p.FalsePositiveRate, p.TruePositiveRate)).ToArray(), $"AUC {ExperimentDisplay.Auc(run.Summary.Auc)}")];
            PrecisionRecallSeries = run.PrecisionRecall.Count == 0 ? [] :
                [new CurveSeries(run.Summary.Name, color, run.PrecisionRecall.Select(p => (p.Recall, p.Precision)).ToArray(), $"F1 {ExperimentDisplay.Ratio(run.Summary.F1)}")];
        }
    }

    private async Task CancelAsync()
    {
        Busy = true;
        try
        {
            var cancelled = await Runs.CancelAsync(Experiment, Run, _disposed.Token);
            (Message, MessageSeverity) = cancelled
                ? ("Cancelled: the run stops at its next step.", Severity.Info)
                : ("The run had already ended.", Severity.Info);
            await LoadAsync();
        }
        finally
        {
            Busy = false;
        }
    }

    private static string Json(JsonNode? value) => value?.ToJsonString() ?? "null";

    private static string CatalogLink(string table) => $"/catalog/{Uri.EscapeDataString(table)}";

    private void Follow()
    {
        if (_following || !RendererInfo.IsInteractive || View is not { } run || !ExperimentDisplay.IsActive(run.Summary.State))
        {
            return;
        }

        _following = true;
        _ = FollowAsync(_disposed.Token);
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_poll);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(async () =>
                {
                    await LoadAsync();
                    StateHasChanged();
                });
                if (View is not { } run || !ExperimentDisplay.IsActive(run.Summary.State))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.LogWarning(e, "Following run {Run} of {Experiment} stopped", Run, Experiment);
        }
        finally
        {
            _following = false;
        }
    }
}
