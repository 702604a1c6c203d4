using Matih.Core.Demo;
using Matih.Core.Experiments;
using Matih.Host.Components.Experiments;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// ML Workbench &gt; Experiments: the experiments, the seed's comparison table of the chosen one (sorted and paged by
/// <see cref="ExperimentRuns.ListRunsAsync"/>, the engine <c>GET /api/experiments/{name}/runs</c> calls, so it stays
/// fast with many runs), and the ticked runs compared: overlaid ROC and precision-recall curves and a metrics diff.
/// </summary>
public partial class Experiments : IDisposable
{
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(2);
    private static readonly int[] s_pageSizes = [10, 25, 50, 100];

    private static readonly ComparedMetric[] s_metrics =
    [
        new("auc", "AUC", r => r.Summary.Auc, 3, HigherIsBetter: true),
        new("precision", "Precision", r => r.Summary.Precision, 2, HigherIsBetter: true),
        new("recall", "Recall", r => r.Summary.Recall, 2, HigherIsBetter: true),
        new("f1", "F1", r => r.Summary.F1, 2, HigherIsBetter: true),
        new("accuracy", "Accuracy", r => r.Summary.Accuracy, 3, HigherIsBetter: true),
        new("log_loss", "Log loss", r => r.Summary.LogLoss, 3, HigherIsBetter: false),
        new("training_time", "Training time (s)", r => r.Summary.TrainingSeconds, 1, HigherIsBetter: false),
        new("train_rows", "Training rows", r => r.Summary.TrainRows, 0, HigherIsBetter: null),
        new("test_rows", "Held-out rows", r => r.Summary.TestRows, 0, HigherIsBetter: null),
    ];

    private readonly CancellationTokenSource _disposed = new();
    private readonly Dictionary<Guid, ExperimentRunView> _views = [];
    private MudDataGrid<ExperimentRunSummary>? _grid;
    private string? _shown;
    private bool _following;
    private bool _activeOnPage;

    [Inject]
    private ExperimentRuns Runs { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ILogger<Experiments> Log { get; set; } = default!;

    /// <summary>The experiment from the address; the most recently active one when absent.</summary>
    [Parameter]
    public string? Experiment { get; set; }

    private IReadOnlyList<ExperimentSummary>? List { get; set; }

    private string? Selected { get; set; }

    private string? Description => Selected == DemoExperiments.Experiment ? DemoExperiments.Description : null;

    private bool ShowForm { get; set; }

    private HashSet<ExperimentRunSummary> Selection { get; set; } = new(RunIdComparer.Instance);

    private IReadOnlyList<ExperimentRunView> Compared { get; set; } = [];

    private string? CompareMessage { get; set; }

    private IReadOnlyList<CurveSeries> RocSeries { get; set; } = [];

    private IReadOnlyList<CurveSeries> PrecisionRecallSeries { get; set; } = [];

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        List = await Runs.ListExperimentsAsync(_disposed.Token);
        Selected = Experiment ?? List.FirstOrDefault()?.Name;
        if (Selected != _shown)
        {
            _shown = Selected;
            Selection = new HashSet<ExperimentRunSummary>(RunIdComparer.Instance);
            _views.Clear();
            Compared = [];
            if (_grid is not null)
            {
                await _grid.ReloadServerData();
            }
        }
    }

    private async Task<GridData<ExperimentRunSummary>> LoadRunsAsync(GridState<ExperimentRunSummary> state, CancellationToken cancellationToken)
    {
        if (Selected is not { } experiment)
        {
            return new GridData<ExperimentRunSummary> { Items = [], TotalItems = 0 };
        }

        var sort = state.SortDefinitions.FirstOrDefault();
        var key = ExperimentDisplay.SortKey(sort?.SortBy);
        var page = await Runs.ListRunsAsync(experiment, state.Page + 1, state.PageSize, key, key is null ? null : sort!.Descending ? "desc" : "asc", cancellationToken);
        if (page is null)
        {
            return new GridData<ExperimentRunSummary> { Items = [], TotalItems = 0 };
        }

        _activeOnPage = page.Items.Any(r => ExperimentDisplay.IsActive(r.State));
        Follow();
        return new GridData<ExperimentRunSummary> { Items = page.Items, TotalItems = page.Total };
    }

    private async Task SelectionChangedAsync(HashSet<ExperimentRunSummary> selection)
    {
        Selection = selection;
        await CompareAsync();
    }

    private async Task ClearSelectionAsync()
    {
        Selection = new HashSet<ExperimentRunSummary>(RunIdComparer.Instance);
        await CompareAsync();
    }

    /// <summary>Loads the curves of the ticked runs (each once, again while it is active) and draws them.</summary>
    private async Task CompareAsync()
    {
        var ticked = Selection.OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.QueuedAt).ToList();
        CompareMessage = ticked.Count > ExperimentDisplay.MaxCompared
            ? $"Comparing the first {ExperimentDisplay.MaxCompared} of {ticked.Count} ticked runs by name; untick some to see the others."
            : null;
        var views = new List<ExperimentRunView>();
        foreach (var run in ticked.Take(ExperimentDisplay.MaxCompared))
        {
            if (!_views.TryGetValue(run.RunId, out var view) || ExperimentDisplay.IsActive(view.Summary.State))
            {
                view = await Runs.GetRunAsync(run.Experiment, run.RunId.ToString(), _disposed.Token);
                if (view is null)
                {
                    continue;
                }

                _views[run.RunId] = view;
            }

            views.Add(view);
        }

        Compared = views;
        RocSeries = views.Select((v, i) => new CurveSeries(v.Summary.Name, ExperimentDisplay.Palette[i],
            v.Roc.Select(p => (p.FalsePositiveRate, p.TruePositiveRate)).ToArray(), $"AUC {ExperimentDisplay.Auc(v.Summary.Auc)}")).ToArray();
        PrecisionRecallSeries = views.Select((v, i) => new CurveSeries(v.Summary.Name, ExperimentDisplay.Palette[i],
            v.PrecisionRecall.Select(p => (p.Recall, p.Precision)).ToArray(), $"F1 {ExperimentDisplay.Ratio(v.Summary.F1)}")).ToArray();
    }

    private async Task RunStartedAsync((string Experiment, string Run) started)
    {
        ShowForm = false;
        Navigation.NavigateTo($"/experiments/{Uri.EscapeDataString(started.Experiment)}/runs/{Uri.EscapeDataString(started.Run)}");
        await Task.CompletedTask;
    }

    private static string RunLink(ExperimentRunSummary run) =>
        $"/experiments/{Uri.EscapeDataString(run.Experiment)}/runs/{Uri.EscapeDataString(run.Name)}";

    private static string DifferenceClass(ComparedMetric metric, double? value, double? baseline) =>
        metric.HigherIsBetter is not { } higher || value is not { } v || baseline is not { } b || v == b
            ? "mud-text-secondary"
            : (v > b) == higher ? "mud-success-text" : "mud-error-text";

    private static string FeatureChanges(ExperimentRunView baseline, ExperimentRunView run)
    {
        var added = run.Summary.Features.Except(baseline.Summary.Features, StringComparer.Ordinal).ToArray();
        var removed = baseline.Summary.Features.Except(run.Summary.Features, StringComparer.Ordinal).ToArray();
        return string.Join(" ", added.Select(f => "+" + f).Concat(removed.Select(f => "-" + f)));
    }

    /// <summary>Reloads the page of runs every two seconds while it shows a queued or running run.</summary>
    private void Follow()
    {
        if (_following || !_activeOnPage || !RendererInfo.IsInteractive)
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
            while (_activeOnPage && await timer.WaitForNextTickAsync(cancellationToken))
            {
                await InvokeAsync(async () =>
                {
                    List = await Runs.ListExperimentsAsync(cancellationToken);
                    if (_grid is not null)
                    {
                        await _grid.ReloadServerData();
                    }

                    if (Compared.Any(v => ExperimentDisplay.IsActive(v.Summary.State)))
                    {
                        await CompareAsync();
                    }

                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failed refresh must not take the circuit down; the next visit starts following again.
            Log.LogWarning(e, "Following the runs of {Experiment} stopped", Selected);
        }
        finally
        {
            _following = false;
        }
    }

    private sealed record ComparedMetric(string Key, string Name, Func<ExperimentRunView, double?> Value, int Decimals, bool? HigherIsBetter)
    {
        public string Format(double? value) => Decimals == 0 ? ExperimentDisplay.Count(value is { } v ? (long)v : null) : ExperimentDisplay.Number(value, Decimals);
    }
}

/// <summary>Runs are the same run when their ids are: the grid keeps ticks across reloads that bring new figures.</summary>
internal sealed class RunIdComparer : IEqualityComparer<ExperimentRunSummary>
{
    public static RunIdComparer Instance { get; } = new();

    public bool Equals(ExperimentRunSummary? x, ExperimentRunSummary? y) => x?.RunId == y?.RunId;

    public int GetHashCode(ExperimentRunSummary obj) => obj.RunId.GetHashCode();
}
