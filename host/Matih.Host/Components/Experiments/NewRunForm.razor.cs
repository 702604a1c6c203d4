using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Core.Connections;
using Matih.Core.Experiments;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Matih.Sdk.Training;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Matih.Host.Components.Experiments;

/// <summary>
/// The New run form: experiment, run name, a loaded trainer with its hyperparameters (a form from its specs), the
/// feature table, its label and features picked from the table's columns, and the split. Starting calls
/// <see cref="ExperimentRuns.StartAsync"/> with the document <c>POST /api/experiments/{name}/runs</c> takes, and shows
/// its problems at their fields. Opens with the latest run of <see cref="Experiment"/> as a starting point.
/// </summary>
public partial class NewRunForm
{
    [Inject]
    private ExperimentRuns Runs { get; set; } = default!;

    [Inject]
    private DuckDbWarehouse Warehouse { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>The experiment the run goes to, and whose latest run fills the form; null for a blank form.</summary>
    [Parameter]
    public string? Experiment { get; set; }

    /// <summary>Raised with the experiment and run name once the run is queued.</summary>
    [Parameter]
    public EventCallback<(string Experiment, string Run)> OnStarted { get; set; }

    /// <summary>Raised by Close and Cancel.</summary>
    [Parameter]
    public EventCallback OnClose { get; set; }

    private IReadOnlyList<ITrainer> Trainers => Runs.Trainers;

    private ITrainer? SelectedTrainer => Trainers.FirstOrDefault(t => t.Id == TrainerId);

    private string ExperimentName { get; set; } = "";

    private string RunName { get; set; } = "";

    private string? TrainerId { get; set; }

    private string TableText { get; set; } = "";

    private TableSchema? Schema { get; set; }

    private string? TableProblem { get; set; }

    private string? Label { get; set; }

    private IReadOnlyCollection<string> Features { get; set; } = [];

    private double Fraction { get; set; } = ExperimentRunRequest.DefaultFraction;

    private int Seed { get; set; } = ExperimentRunRequest.DefaultSeed;

    private string? TimeColumn { get; set; }

    private JsonObject Params { get; set; } = [];

    private IReadOnlyList<DocumentProblem> Problems { get; set; } = [];

    private bool Starting { get; set; }

    private IReadOnlyList<ColumnSchema> Columns => Schema?.Columns ?? [];

    private string? TableError => TableProblem ?? ErrorFor("table");

    private string? FeatureError => Problems.FirstOrDefault(p => p.Path.StartsWith("features", StringComparison.Ordinal))?.Message;

    /// <summary>The next name in a numbered series (<c>churn-exp-003</c> gives <c>churn-exp-004</c>), else the name with <c>-2</c>.</summary>
    public static string NextName(string name)
    {
        var match = Regex.Match(name, @"^(.*?)(\d+)$");
        if (!match.Success)
        {
            return name + "-2";
        }

        var digits = match.Groups[2].Value;
        var next = (long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return match.Groups[1].Value + next.PadLeft(digits.Length, '0');
    }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        ExperimentName = Experiment ?? "";
        TrainerId = Trainers.FirstOrDefault()?.Id;
        if (Experiment is null)
        {
            return;
        }

        var latest = (await Runs.ListRunsAsync(Experiment, 1, 1, "queued_at", "desc", CancellationToken.None))?.Items.FirstOrDefault();
        if (latest is null || await Runs.GetRunAsync(Experiment, latest.RunId.ToString(), CancellationToken.None) is not { } run)
        {
            return;
        }

        RunName = NextName(run.Summary.Name);
        TrainerId = Trainers.Any(t => t.Id == run.Summary.Trainer) ? run.Summary.Trainer : TrainerId;
        Params = (JsonObject)run.Params.DeepClone();
        await TableChangedAsync(run.Table);
        Label = run.Label;
        Features = run.Summary.Features.Where(f => Schema?.Find(f) is not null).ToArray();
        (Fraction, Seed, TimeColumn) = (run.Split.Fraction, run.Split.Seed, run.Split.TimeColumn);
    }

    private void TrainerChanged(string trainerId)
    {
        TrainerId = trainerId;
        // Another trainer takes other hyperparameters: its form starts from its own defaults.
        Params = [];
    }

    private async Task TableChangedAsync(string text)
    {
        TableText = text?.Trim() ?? "";
        Schema = null;
        TableProblem = null;
        if (TableText.Length == 0)
        {
            return;
        }

        if (!TableRef.TryParse(TableText, out var table))
        {
            TableProblem = $"'{TableText}' is not a table name; write catalog.schema.table.";
            return;
        }

        Schema = await Warehouse.GetSchemaAsync(table, CancellationToken.None);
        if (Schema is null)
        {
            TableProblem = $"The warehouse has no table {table}.";
            return;
        }

        Label = Label is not null && Schema.Find(Label) is not null ? Label : null;
        Features = Features.Where(f => Schema.Find(f) is not null).ToArray();
        TimeColumn = TimeColumn is not null && Schema.Find(TimeColumn) is not null ? TimeColumn : null;
    }

    private void LabelChanged(string label)
    {
        Label = label;
        Features = Features.Where(f => f != label).ToArray();
    }

    private void FeaturesChanged(IReadOnlyCollection<string> features) => Features = features;

    private string FeaturesText(IReadOnlyList<string> selected) =>
        selected.Count == 0 ? "" : selected.Count <= 4 ? string.Join(", ", selected) : $"{selected.Count} features: {string.Join(", ", selected.Take(3))}, ...";

    private async Task StartAsync()
    {
        Starting = true;
        try
        {
            var document = Document();
            var user = Auth.Roles.Caller((await AuthenticationState).User).UserName;
            var started = await Runs.StartAsync(ExperimentName.Trim(), document, user, CancellationToken.None);
            if (started.Conflict is { } conflict)
            {
                Problems = [new DocumentProblem("name", conflict)];
                return;
            }

            Problems = started.Problems;
            if (started.RunId is not null)
            {
                await OnStarted.InvokeAsync((ExperimentName.Trim(), RunName.Trim()));
            }
        }
        finally
        {
            Starting = false;
        }
    }

    /// <summary>The request document, as the REST API takes it; fields left empty are left out, so the engine names them.</summary>
    private JsonObject Document()
    {
        var document = new JsonObject();
        if (RunName.Trim() is { Length: > 0 } name)
        {
            document["name"] = name;
        }

        if (TrainerId is not null)
        {
            document["trainer"] = TrainerId;
        }

        if (TableText.Length > 0)
        {
            document["table"] = TableText;
        }

        if (Label is not null)
        {
            document["label"] = Label;
        }

        // In the table's column order, which is also the order the features are trained and reported in.
        var ordered = Columns.Select(c => c.Name).Where(Features.Contains).ToArray();
        document["features"] = new JsonArray(ordered.Select(f => (JsonNode)f).ToArray());
        // Only what differs from the trainer's defaults, so the run records what was chosen (the defaults are recorded apart).
        var chosen = new JsonObject();
        foreach (var (parameter, value) in Params)
        {
            var spec = SelectedTrainer?.Hyperparameters.FirstOrDefault(h => h.Name == parameter);
            if (value is not null && (spec?.Default is not { } fallback || !JsonNode.DeepEquals(fallback, value)))
            {
                chosen[parameter] = value.DeepClone();
            }
        }

        document["params"] = chosen;
        var split = new JsonObject { ["fraction"] = Fraction, ["seed"] = Seed };
        if (TimeColumn is not null)
        {
            split["time_column"] = TimeColumn;
        }

        document["split"] = split;
        return document;
    }

    private string? ErrorFor(string path) => Problems.FirstOrDefault(p => p.Path == path)?.Message;

    private static bool Trainable(ColumnSchema column) =>
        column.Type.IsNumeric() || column.Type is ColumnType.Boolean or ColumnType.String;

    private static bool TimeLike(ColumnSchema column) =>
        column.Type is ColumnType.Date or ColumnType.Timestamp or ColumnType.TimestampTz || column.Type.IsNumeric();

    private static string TypeName(ColumnSchema column) =>
        column.Type.IsNumeric() || column.Type == ColumnType.Boolean ? "number" : column.Type == ColumnType.String ? "category" : column.SourceType ?? column.Type.ToString();
}
