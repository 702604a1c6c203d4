using System.Text.Json.Nodes;
using Blazor.Diagrams;
using Blazor.Diagrams.Core.Anchors;
using Blazor.Diagrams.Core.Behaviors;
using Blazor.Diagrams.Core.Extensions;
using Blazor.Diagrams.Core.Geometry;
using Blazor.Diagrams.Core.Models;
using Blazor.Diagrams.Core.Models.Base;
using Blazor.Diagrams.Core.PathGenerators;
using Blazor.Diagrams.Core.Routers;
using Blazor.Diagrams.Options;
using Matih.Core.Connections;
using Matih.Core.Pipelines;
using Matih.Sdk.Plugins;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace Matih.Host.Components.Pipelines;

/// <summary>The designer's state at one moment, for undo: the document and where each task (by index) is drawn.</summary>
/// <param name="Document">The pipeline JSON.</param>
/// <param name="Positions">Node positions in task order.</param>
public sealed record DesignerSnapshot(string Document, IReadOnlyList<NodePosition> Positions)
{
    /// <summary>True when both hold the same document and positions.</summary>
    public bool Same(DesignerSnapshot other) => Document == other.Document && Positions.SequenceEqual(other.Positions);
}

/// <summary>
/// The visual pipeline designer: a palette of the registered task types, the DAG on a Z.Blazor.Diagrams canvas (a link
/// from a task's right port to another's left port is a <c>depends_on</c>), a properties panel with the pipeline's
/// fields or the selected task's config form, validation with every problem by JSON path, save (create or replace,
/// plus node positions), undo/redo, copy/paste, auto-layout, and a live overlay of a run's task states. It edits a
/// <see cref="PipelineDraft"/>, so a document loaded and saved unchanged is saved as it was.
/// </summary>
public partial class PipelineDesigner : IAsyncDisposable
{
    private const int MaxPollFailures = 10;
    private static readonly TimeSpan s_runPoll = TimeSpan.FromSeconds(1);
    private static readonly ParameterSpec[] s_retrySpecs =
    [
        new("max_attempts", ParameterType.Integer, "Attempts in all, the first included (1 to 100)."),
        new("backoff_coefficient", ParameterType.Number, "Each wait is the previous one times this (at least 1)."),
        new("initial_interval", ParameterType.Duration, "Wait before the second attempt, e.g. 30s."),
        new("maximum_interval", ParameterType.Duration, "Longest wait between attempts, e.g. 10m."),
    ];

    private readonly CancellationTokenSource _disposed = new();
    private readonly UndoHistory<DesignerSnapshot> _history = new();
    private readonly Dictionary<string, TaskNode> _nodes = [];
    private List<(JsonObject Task, NodePosition Position)> _clipboard = [];
    private PipelineDraft _draft = PipelineDraft.New();
    private DesignerSnapshot _current = new("", []);
    private string? _savedDocument;
    private string? _savedId;
    private bool _loaded;
    private bool _rebuilding;
    private bool _syncScheduled;
    private int _pasteCount;
    private string? _dragType;
    private CancellationTokenSource? _following;
    private Guid? _shownRunId;
    private Guid? _runIdParameter;

    /// <summary>The stored pipeline to edit, or null for a new one.</summary>
    [Parameter]
    public PipelineRecord? Pipeline { get; set; }

    /// <summary>A run to lay over the graph (<c>?run=</c>), or null.</summary>
    [Parameter]
    public Guid? RunId { get; set; }

    /// <summary>Who is editing: saves and runs are made as this user.</summary>
    [Parameter, EditorRequired]
    public string UserName { get; set; } = "";

    /// <summary>False for viewers: the graph can be explored but not saved or run.</summary>
    [Parameter]
    public bool CanEdit { get; set; }

    /// <summary>Raised after a save with the pipeline id.</summary>
    [Parameter]
    public EventCallback<string> OnSaved { get; set; }

    /// <summary>Raised when a run starts from the designer, or the overlay is cleared (null).</summary>
    [Parameter]
    public EventCallback<Guid?> OnRunShown { get; set; }

    [Inject]
    private Matih.Core.Pipelines.Pipelines Store { get; set; } = default!;

    [Inject]
    private PipelineRuns Runs { get; set; } = default!;

    [Inject]
    private ISnackbar Snackbar { get; set; } = default!;

    [Inject]
    private ILogger<PipelineDesigner> Log { get; set; } = default!;

    /// <summary>The diagram the canvas draws.</summary>
    protected BlazorDiagram Diagram { get; private set; } = default!;

    private IReadOnlyList<TaskTypeView> TaskTypes { get; set; } = [];

    private IReadOnlyList<DocumentProblem> Problems { get; set; } = [];

    private bool Validated { get; set; }

    private bool Busy { get; set; }

    private string? Message { get; set; }

    private Severity MessageSeverity { get; set; } = Severity.Info;

    private TaskNode? Selected { get; set; }

    private int SelectedCount { get; set; }

    private PipelineRunView? Run { get; set; }

    private bool LoadJsonOpen { get; set; }

    private string LoadJsonText { get; set; } = "";

    private string? LoadJsonError { get; set; }

    private bool Dirty => _current.Document != _savedDocument;

    private bool CanRun => CanEdit && _savedId is not null && !Dirty && !Busy;

    private string RunHint => _savedId is null ? "Save the pipeline first." : Dirty ? "Save your changes first: a run executes the saved pipeline." : "Start a run now and follow it on the graph.";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Cancelled, not disposed: a poll finishing after the page is left may still read the token.
        await _disposed.CancelAsync();
        _following?.Cancel();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    protected override void OnInitialized()
    {
        TaskTypes = Store.TaskTypes();
        var options = new BlazorDiagramOptions
        {
            AllowMultiSelection = true,
            GridSize = 20,
            Zoom = { Enabled = true, Minimum = 0.3, Maximum = 2 },
            Links =
            {
                DefaultRouter = new NormalRouter(),
                DefaultPathGenerator = new SmoothPathGenerator(),
                EnableSnapping = true,
                SnappingRadius = 30,
                RequireTarget = true,
                Factory = (_, source, target) => source is TaskPort port ? NewLink(new SinglePortAnchor(port), target) : null!,
            },
        };
        Diagram = new BlazorDiagram(options);
        Diagram.RegisterComponent<TaskNode, TaskNodeWidget>();
        Diagram.Links.Added += OnLinkAdded;
        Diagram.Links.Removed += _ => ScheduleSync();
        Diagram.Nodes.Removed += _ => ScheduleSync();
        Diagram.SelectionChanged += _ => OnSelectionChanged();
        var keys = Diagram.GetBehavior<KeyboardShortcutsBehavior>()!;
        keys.SetShortcut("z", ctrl: true, shift: false, alt: false, _ => Shortcut(Undo));
        keys.SetShortcut("Z", ctrl: true, shift: true, alt: false, _ => Shortcut(Redo));
        keys.SetShortcut("y", ctrl: true, shift: false, alt: false, _ => Shortcut(Redo));
        keys.SetShortcut("c", ctrl: true, shift: false, alt: false, _ => Shortcut(Copy));
        keys.SetShortcut("v", ctrl: true, shift: false, alt: false, _ => Shortcut(Paste));
        keys.SetShortcut("Backspace", ctrl: false, shift: false, alt: false, KeyboardShortcutsDefaults.DeleteSelection);
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        if (!_loaded || Pipeline?.Id != _savedId)
        {
            _loaded = true;
            Load(Pipeline);
        }

        // Only a change of the address's run counts: a run started here is already shown before the address follows.
        if (RunId != _runIdParameter)
        {
            _runIdParameter = RunId;
            if (RunId != _shownRunId)
            {
                await ShowRunAsync(RunId);
            }
        }
    }

    private static LinkModel NewLink(Blazor.Diagrams.Core.Anchors.Anchor source, Blazor.Diagrams.Core.Anchors.Anchor target) => new(source, target) { TargetMarker = LinkMarker.Arrow };

    private static string PathOf(int index) => $"$.tasks[{index}]";

    private static ValueTask Shortcut(Action action)
    {
        action();
        return ValueTask.CompletedTask;
    }

    private void Load(PipelineRecord? record)
    {
        var draft = record is null ? PipelineDraft.New() : PipelineDraft.Parse(record.Document, out _) ?? PipelineDraft.New();
        _savedId = record?.Id;
        _draft = draft;
        var stored = PipelineLayout.Parse(record?.Layout);
        var arranged = PipelineLayout.Arrange(draft);
        var positions = draft.Tasks.All(t => stored.ContainsKey(t.TaskId))
            ? draft.Tasks.Select(t => stored[t.TaskId]).ToArray()
            : draft.Tasks.Select(t => arranged[t]).ToArray();
        Rebuild(positions);
        _history.Clear();
        _current = Capture();
        _savedDocument = record is null ? null : _current.Document;
        Problems = [];
        Validated = false;
    }

    private DesignerSnapshot Capture() =>
        new(_draft.ToJson(), _draft.Tasks.Select(t => _nodes.TryGetValue(t.Key, out var node) ? new NodePosition(node.Position.X, node.Position.Y) : default).ToArray());

    // Draws the draft from scratch (after load, undo, redo): every node and link is new, nothing fires as a user edit.
    private void Rebuild(IReadOnlyList<NodePosition> positions)
    {
        _rebuilding = true;
        try
        {
            Diagram.Batch(() =>
            {
                Diagram.Links.Clear();
                Diagram.Nodes.Clear();
                _nodes.Clear();
                for (var i = 0; i < _draft.Tasks.Count; i++)
                {
                    var position = i < positions.Count ? positions[i] : PipelineLayout.NextFree(_nodes.Values.Select(n => new NodePosition(n.Position.X, n.Position.Y)));
                    AddNode(_draft.Tasks[i], position);
                }

                foreach (var (upstream, downstream) in _draft.Edges())
                {
                    Diagram.Links.Add(NewLink(new SinglePortAnchor(_nodes[upstream.Key].Output), new SinglePortAnchor(_nodes[downstream.Key].Input)));
                }
            });
        }
        finally
        {
            _rebuilding = false;
        }

        Selected = null;
        SelectedCount = 0;
        ApplyRun();
    }

    private TaskNode AddNode(TaskDraft task, NodePosition position)
    {
        var node = new TaskNode(task, new Point(position.X, position.Y));
        node.Moved += _ => ScheduleSync();
        _nodes[task.Key] = node;
        Diagram.Nodes.Add(node);
        return node;
    }

    // Records one undo step when the state really changed; key joins consecutive edits of one field into one step.
    private void Changed(string? coalesceKey = null)
    {
        var now = Capture();
        if (now.Same(_current))
        {
            return;
        }

        _history.Record(_current, coalesceKey);
        _current = now;
        Validated = false;
    }

    // Deletions and moves arrive as several diagram events at once: settle them after the event, as one step.
    private void ScheduleSync()
    {
        if (_rebuilding || _syncScheduled)
        {
            return;
        }

        _syncScheduled = true;
        _ = AfterEventAsync(() =>
        {
            _syncScheduled = false;
            SyncFromDiagram();
            Changed();
        });
    }

    private async Task AfterEventAsync(Action action)
    {
        await Task.Yield();
        await InvokeAsync(() =>
        {
            action();
            StateHasChanged();
        });
    }

    // The diagram is the truth for which tasks and edges exist after the user deletes something.
    private void SyncFromDiagram()
    {
        var present = Diagram.Nodes.OfType<TaskNode>().Select(n => n.Task).ToHashSet();
        foreach (var gone in _draft.Tasks.Where(t => !present.Contains(t)).ToArray())
        {
            _draft.RemoveTask(gone);
            _nodes.Remove(gone.Key);
        }

        var drawn = Diagram.Links.Select(Ends).OfType<(TaskDraft, TaskDraft)>().ToHashSet();
        foreach (var edge in _draft.Edges().ToArray())
        {
            if (!drawn.Contains(edge))
            {
                _draft.Disconnect(edge.Upstream, edge.Downstream);
            }
        }

        foreach (var (upstream, downstream) in drawn)
        {
            _draft.Connect(upstream, downstream);
        }

        if (Selected is not null && !present.Contains(Selected.Task))
        {
            Selected = null;
        }
    }

    // A link's tasks as (upstream, downstream), whichever way it was drawn; null while it is not attached to two tasks.
    private static (TaskDraft Upstream, TaskDraft Downstream)? Ends(BaseLinkModel link)
    {
        if (link.Source is not SinglePortAnchor { Port: TaskPort from })
        {
            return null;
        }

        var other = link.Target switch
        {
            SinglePortAnchor { Port: TaskPort port } => (TaskNode)port.Parent,
            ShapeIntersectionAnchor { Node: TaskNode node } => node,
            _ => null,
        };
        if (other is null || other == from.Parent)
        {
            return null;
        }

        var self = (TaskNode)from.Parent;
        return from.IsInput ? (other.Task, self.Task) : (self.Task, other.Task);
    }

    private void OnLinkAdded(BaseLinkModel link)
    {
        if (!_rebuilding)
        {
            link.TargetAttached += OnLinkAttached;
        }
    }

    private void OnLinkAttached(BaseLinkModel link)
    {
        link.TargetAttached -= OnLinkAttached;
        if (Ends(link) is not var (upstream, downstream))
        {
            _ = AfterEventAsync(() => Diagram.Links.Remove(link));
            return;
        }

        var refused = _draft.Connect(upstream, downstream);
        var canonical = link.Source is SinglePortAnchor { Port: TaskPort { IsInput: false } } && link.Target is SinglePortAnchor { Port: TaskPort { IsInput: true } };
        if (refused is not null || !canonical)
        {
            // Drawn the other way round or dropped on a box: redraw it from the output port to the input port.
            _ = AfterEventAsync(() =>
            {
                _rebuilding = true;
                try
                {
                    Diagram.Links.Remove(link);
                    if (refused is null)
                    {
                        Diagram.Links.Add(NewLink(new SinglePortAnchor(_nodes[upstream.Key].Output), new SinglePortAnchor(_nodes[downstream.Key].Input)));
                    }
                }
                finally
                {
                    _rebuilding = false;
                }

                if (refused is null)
                {
                    Changed();
                }
                else
                {
                    Snackbar.Add(refused, Severity.Warning);
                }
            });
            return;
        }

        _ = AfterEventAsync(() => Changed());
    }

    private void OnSelectionChanged()
    {
        var selected = Diagram.GetSelectedModels().OfType<TaskNode>().ToArray();
        SelectedCount = selected.Length;
        var single = selected.Length == 1 ? selected[0] : null;
        if (single != Selected)
        {
            Selected = single;
            _history.Seal();
            InvokeAsync(StateHasChanged);
        }
    }

    private void AddTask(string type, NodePosition? at = null)
    {
        var task = _draft.AddTask(type);
        var position = at ?? PipelineLayout.NextFree(_nodes.Values.Select(n => new NodePosition(n.Position.X, n.Position.Y)));
        var node = AddNode(task, position);
        Diagram.SelectModel(node, unselectOthers: true);
        Changed();
    }

    private void OnPaletteDragStart(string type) => _dragType = type;

    private void OnCanvasDrop(DragEventArgs e)
    {
        if (_dragType is not { } type)
        {
            return;
        }

        _dragType = null;
        var point = Diagram.GetRelativeMousePoint(e.ClientX, e.ClientY);
        AddTask(type, new NodePosition(point.X - 90, point.Y - 30));
    }

    private void Undo()
    {
        if (_history.Undo(_current) is { } previous)
        {
            Restore(previous);
        }
    }

    private void Redo()
    {
        if (_history.Redo(_current) is { } next)
        {
            Restore(next);
        }
    }

    private void Restore(DesignerSnapshot snapshot)
    {
        _draft = PipelineDraft.Parse(snapshot.Document, out _) ?? PipelineDraft.New();
        Rebuild(snapshot.Positions);
        _current = Capture();
        Problems = [];
        Validated = false;
        InvokeAsync(StateHasChanged);
    }

    private void Copy()
    {
        var selected = Diagram.GetSelectedModels().OfType<TaskNode>().ToArray();
        if (selected.Length == 0)
        {
            return;
        }

        // In document order, so pasted dependencies resolve the same way.
        _clipboard = selected.OrderBy(n => IndexOf(n.Task))
            .Select(n => (n.Task.ToJson(), new NodePosition(n.Position.X, n.Position.Y))).ToList();
        _pasteCount = 0;
        Snackbar.Add($"Copied {Plural(_clipboard.Count, "task")}.", Severity.Normal);
        InvokeAsync(StateHasChanged);
    }

    private void Paste()
    {
        if (_clipboard.Count == 0)
        {
            return;
        }

        _pasteCount++;
        var offset = 40 * _pasteCount;
        var pasted = _draft.Paste(_clipboard.Select(c => c.Task).ToArray());
        _rebuilding = true;
        try
        {
            for (var i = 0; i < pasted.Count; i++)
            {
                AddNode(pasted[i], new NodePosition(_clipboard[i].Position.X + offset, _clipboard[i].Position.Y + offset));
            }

            foreach (var task in pasted)
            {
                foreach (var upstream in task.Upstream)
                {
                    Diagram.Links.Add(NewLink(new SinglePortAnchor(_nodes[upstream.Key].Output), new SinglePortAnchor(_nodes[task.Key].Input)));
                }
            }
        }
        finally
        {
            _rebuilding = false;
        }

        Diagram.UnselectAll();
        foreach (var task in pasted)
        {
            Diagram.SelectModel(_nodes[task.Key], unselectOthers: false);
        }

        Changed();
        InvokeAsync(StateHasChanged);
    }

    private void DeleteSelection()
    {
        foreach (var link in Diagram.GetSelectedModels().OfType<BaseLinkModel>().ToArray())
        {
            Diagram.Links.Remove(link);
        }

        foreach (var node in Diagram.GetSelectedModels().OfType<TaskNode>().ToArray())
        {
            Diagram.Nodes.Remove(node);
        }
    }

    private void AutoLayout()
    {
        var arranged = PipelineLayout.Arrange(_draft);
        Diagram.Batch(() =>
        {
            foreach (var (task, position) in arranged)
            {
                _nodes[task.Key].SetPosition(position.X, position.Y);
            }
        });
        ZoomToFit();
        Changed();
    }

    // The library's ZoomToFit fits only the selection when there is one; the designer fits every task, at most 100 %.
    private void ZoomToFit()
    {
        if (Diagram.Container is not { } container || _nodes.Count == 0)
        {
            return;
        }

        const double margin = 40;
        var bounds = Diagram.Nodes.GetBounds();
        var zoom = Math.Clamp(
            Math.Min((container.Width - (2 * margin)) / Math.Max(bounds.Width, 1), (container.Height - (2 * margin)) / Math.Max(bounds.Height, 1)),
            Diagram.Options.Zoom.Minimum,
            1);
        Diagram.SetZoom(zoom);
        Diagram.SetPan(
            ((container.Width - (bounds.Width * zoom)) / 2) - (bounds.Left * zoom),
            ((container.Height - (bounds.Height * zoom)) / 2) - (bounds.Top * zoom));
    }

    private int IndexOf(TaskDraft task)
    {
        for (var i = 0; i < _draft.Tasks.Count; i++)
        {
            if (_draft.Tasks[i] == task)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private void SetPipelineField(string field, string? value)
    {
        switch (field)
        {
            case "pipeline_id":
                _draft.PipelineId = value;
                break;
            case "name":
                _draft.Name = value;
                break;
            case "description":
                _draft.Description = value;
                break;
            case "schedule":
                _draft.Schedule = value;
                break;
        }

        Changed($"$.{field}");
    }

    private void SetNotification(string when, string? channel, string? target)
    {
        _draft.SetNotification(when, channel, target);
        Changed($"$.notifications.{when}");
    }

    private void SetTaskId(TaskNode node, string? value)
    {
        node.Task.TaskId = value?.Trim() ?? "";
        node.Refresh();
        Changed($"{node.Task.Key}.task_id");
    }

    private void SetTimeout(TaskNode node, string? value)
    {
        node.Task.Timeout = value?.Trim();
        Changed($"{node.Task.Key}.timeout");
    }

    private void SetRetry(TaskNode node, ParameterSpec spec, string? text)
    {
        var (value, error) = ConfigFieldText.Read(spec, text);
        if (error is not null)
        {
            Snackbar.Add(error, Severity.Warning);
            return;
        }

        node.Task.SetRetry(spec.Name, value);
        Changed($"{node.Task.Key}.retry_policy.{spec.Name}");
    }

    private void OnConfigChanged(TaskNode node, string field)
    {
        node.Refresh();
        Changed($"{node.Task.Key}:{field}");
    }

    private TaskTypeView? TypeOf(TaskDraft task) => TaskTypes.FirstOrDefault(t => t.Type == task.Type);

    private string? ErrorAt(string path)
    {
        var messages = Problems.Where(p => p.Path == path || p.Path.StartsWith(path + ".", StringComparison.Ordinal) || p.Path.StartsWith(path + "[", StringComparison.Ordinal))
            .Select(p => p.Message).ToArray();
        return messages.Length == 0 ? null : string.Join(" ", messages);
    }

    private void SelectProblem(DocumentProblem problem)
    {
        if (_draft.TaskAt(problem.Path) is { } task && _nodes.TryGetValue(task.Key, out var node))
        {
            Diagram.SelectModel(node, unselectOthers: true);
        }
        else
        {
            Diagram.UnselectAll();
        }
    }

    private void ShowProblems(IReadOnlyList<DocumentProblem> problems)
    {
        Problems = problems;
        var atFault = problems.Select(p => _draft.TaskAt(p.Path)).OfType<TaskDraft>().ToHashSet();
        foreach (var node in _nodes.Values)
        {
            if (node.HasProblem != atFault.Contains(node.Task))
            {
                node.HasProblem = atFault.Contains(node.Task);
                node.Refresh();
            }
        }
    }

    private async Task ValidateAsync()
    {
        Busy = true;
        try
        {
            var (_, problems) = await Store.ValidateAsync(_draft.ToJson(), _disposed.Token);
            ShowProblems(problems);
            Validated = problems.Count == 0;
            (Message, MessageSeverity) = problems.Count == 0
                ? ("The pipeline is valid: the API accepts it as it is.", Severity.Success)
                : ($"The pipeline has {Plural(problems.Count, "problem")}; each is listed below by JSON path, and the tasks at fault are outlined in red.", Severity.Warning);
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task SaveAsync()
    {
        Busy = true;
        try
        {
            var json = _draft.ToJson();
            var definition = _savedId is { } id && id == _draft.PipelineId
                ? await Store.ReplaceAsync(id, json, UserName, _disposed.Token)
                : await Store.CreateAsync(json, UserName, _disposed.Token);
            await Store.SaveLayoutAsync(definition.Id, LayoutJson(), _disposed.Token);
            _savedId = definition.Id;
            _savedDocument = _current.Document;
            ShowProblems([]);
            Validated = true;
            (Message, MessageSeverity) = ($"Saved {definition.Name} ({Plural(definition.Tasks.Count, "task")}{(definition.Schedule is { } cron ? $", on cron {cron} UTC" : ", runs by hand")}).", Severity.Success);
            await OnSaved.InvokeAsync(definition.Id);
        }
        catch (PipelineDocumentException e)
        {
            ShowProblems(e.Problems);
            (Message, MessageSeverity) = ($"Not saved: the pipeline has {Plural(e.Problems.Count, "problem")}, listed below by JSON path.", Severity.Error);
        }
        catch (InvalidOperationException e)
        {
            (Message, MessageSeverity) = ($"Not saved: {e.Message} Or change pipeline_id to save a copy.", Severity.Error);
        }
        catch (KeyNotFoundException e)
        {
            (Message, MessageSeverity) = ($"Not saved: {e.Message}", Severity.Error);
        }
        finally
        {
            Busy = false;
        }
    }

    private string LayoutJson() =>
        PipelineLayout.Format(_draft.Tasks.Where(t => t.TaskId.Length > 0 && _nodes.ContainsKey(t.Key))
            .GroupBy(t => t.TaskId).Select(g => g.First())
            .Select(t => KeyValuePair.Create(t.TaskId, new NodePosition(_nodes[t.Key].Position.X, _nodes[t.Key].Position.Y))));

    private void OpenLoadJson()
    {
        LoadJsonText = _draft.ToJson();
        LoadJsonError = null;
        LoadJsonOpen = true;
    }

    private void LoadJson()
    {
        var draft = PipelineDraft.Parse(LoadJsonText, out var problem);
        if (draft is null)
        {
            LoadJsonError = problem;
            return;
        }

        _history.Record(_current);
        _draft = draft;
        var arranged = PipelineLayout.Arrange(draft);
        Rebuild(draft.Tasks.Select(t => arranged[t]).ToArray());
        _current = Capture();
        LoadJsonOpen = false;
        ShowProblems([]);
        Validated = false;
        (Message, MessageSeverity) = ($"Loaded {Plural(draft.Tasks.Count, "task")} from the document. Validate or save it when ready.", Severity.Info);
    }

    private async Task RunAsync()
    {
        if (_savedId is not { } id || !CanRun)
        {
            return;
        }

        Busy = true;
        try
        {
            var runId = await Runs.StartAsync(id, UserName, _disposed.Token);
            await ShowRunAsync(runId);
            await OnRunShown.InvokeAsync(runId);
        }
        catch (KeyNotFoundException e)
        {
            (Message, MessageSeverity) = (e.Message, Severity.Error);
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task ClearRunAsync()
    {
        await ShowRunAsync(null);
        await OnRunShown.InvokeAsync(null);
    }

    private async Task ShowRunAsync(Guid? runId)
    {
        _shownRunId = runId;
        _following?.Cancel();
        _following = null;
        Run = runId is { } id ? await Runs.GetAsync(id, _disposed.Token) : null;
        ApplyRun();
        if (Run is { } run && PipelineRunDisplay.IsActive(run) && RendererInfo.IsInteractive)
        {
            _following = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
            _ = FollowAsync(run.RunId, _following.Token);
        }
    }

    // Polls the run about once a second until it ends; only the live page polls.
    private async Task FollowAsync(Guid runId, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_runPoll);
        var failures = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                PipelineRunView? run;
                try
                {
                    run = await Runs.GetAsync(runId, cancellationToken);
                    failures = 0;
                }
                catch (Exception e) when (e is not OperationCanceledException && ++failures < MaxPollFailures)
                {
                    // The store can be busy while the run writes to it: try again on the next tick.
                    Log.LogWarning(e, "Reading run {RunId} for the designer's overlay failed; trying again", runId);
                    continue;
                }

                var more = true;
                await InvokeAsync(() =>
                {
                    if (_shownRunId != runId)
                    {
                        more = false;
                        return;
                    }

                    Run = run;
                    ApplyRun();
                    more = run is not null && PipelineRunDisplay.IsActive(run);
                    StateHasChanged();
                });
                if (!more)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page was left or another run is shown.
        }
        catch (Exception e)
        {
            Log.LogError(e, "Following run {RunId} on the designer failed", runId);
        }
    }

    private void ApplyRun()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var node in _nodes.Values)
        {
            var task = Run?.Tasks.FirstOrDefault(t => t.TaskId == node.Task.TaskId);
            var detail = task is null ? null : string.Join(" · ", new[] { PipelineRunDisplay.Attempts(task), PipelineRunDisplay.Duration(task, now) }.Where(s => s.Length > 0));
            var summary = task?.Error ?? task?.Summary;
            if (node.RunState != task?.State || node.RunDetail != detail || node.RunSummary != summary)
            {
                node.RunState = task?.State;
                node.RunDetail = detail;
                node.RunSummary = summary;
                node.Refresh();
            }
        }
    }
}
