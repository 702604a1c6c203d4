using System.Text;
using BlazorMonaco;
using BlazorMonaco.Editor;
using Matih.Host.Auth;
using Matih.Host.Components.Scripting;
using Matih.Host.Scripting;
using Matih.Scripting.Protocol;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// The Script Console: C# in a Monaco editor with Roslyn completion and signature help, Run (Ctrl+Enter) and Cancel,
/// a REPL session whose variables persist (or one-shot runs), and each run's output, tables, charts and errors. It calls
/// <see cref="ScriptSessions"/>, <see cref="ScriptEngine"/> and <see cref="ScriptLanguageService"/>, the engine behind
/// <c>/api/scripts</c>, as the signed-in admin.
/// </summary>
public sealed partial class ScriptConsole : IAsyncDisposable
{
    /// <summary>The editor's element id.</summary>
    public const string EditorId = "script-editor";

    /// <summary>What the editor holds when the page opens.</summary>
    public const string DefaultCode = """
        // The platform is in scope: SqlAsync, Catalog, Pipelines, Quality, Experiments, Api, ...
        var customers = await SqlAsync("SELECT segment, count(*) AS customers FROM postgresql.novamart.customers GROUP BY segment ORDER BY 2 DESC");
        customers
        """;

    private readonly CancellationTokenSource _disposed = new();
    private readonly object _liveGate = new();
    private CancellationTokenSource? _run;
    private ScriptEditorScript? _script;
    private DotNetObjectReference<ScriptConsole>? _self;
    private DateTime _lastRefresh;
    private int _oneShots;

    [Inject]
    private ScriptEngine Engine { get; set; } = default!;

    [Inject]
    private ScriptSessions Sessions { get; set; } = default!;

    [Inject]
    private ScriptLanguageService Language { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private static (string Title, string Code)[] Examples { get; } =
    [
        ("A table from SQL", "await SqlAsync(\"SELECT * FROM postgresql.novamart.customers LIMIT 20\")"),
        ("A chart of a series", "var t = await SqlAsync(\"SELECT segment, count(*) AS n FROM postgresql.novamart.customers GROUP BY 1 ORDER BY 2 DESC\");\nt.ToSeries(\"segment\", \"n\").AsBars()"),
        ("Search the catalog", "(await Catalog.SearchAsync(\"customer\")).Items"),
        ("Profile a table", "await Catalog.ProfileAsync(\"postgresql.novamart.customers\")"),
        ("Pipelines and their last runs", "await Pipelines.ListAsync()"),
        ("Any API route", "await Api.GetAsync(\"api/plugins\")"),
    ];

    private StandaloneCodeEditor? Editor { get; set; }

    private bool EditorReady { get; set; }

    private bool Running { get; set; }

    private bool KeepVariables { get; set; } = true;

    private int TimeoutSeconds { get; set; }

    private ScriptSession? Session { get; set; }

    private string? Notice { get; set; }

    private string UserName { get; set; } = "";

    private List<ConsoleEntry> Entries { get; } = [];

    private StringBuilder LiveOutput { get; } = new();

    private List<ScriptValue> LiveDisplays { get; } = [];

    private ScriptEditorScript Script => _script ??= new ScriptEditorScript(JS);

    /// <summary>Completion and signature help for the editor (called from <c>script-console.js</c>).</summary>
    [JSInvokable]
    public async Task<CompletionResult> Complete(string code, int offset) =>
        await Language.CompleteAsync(code, Math.Clamp(offset, 0, code.Length), Session?.Id, UserName, _disposed.Token);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        if (_script is not null)
        {
            await _script.DisposeAsync();
        }

        _self?.Dispose();
        if (Session is { } session)
        {
            // The page owned the session: its process stops with it.
            await Sessions.CloseAsync(session.Id, session.UserName);
        }
    }

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        UserName = Roles.Caller((await AuthenticationState).User).UserName;
        TimeoutSeconds = Engine.Options.DefaultTimeoutSeconds;
    }

    private static string FirstLine(string code)
    {
        var line = code.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("//", StringComparison.Ordinal)) ?? code.Trim();
        return line.Length > 90 ? line[..89] + "…" : line;
    }

    private static string Elapsed(long ms) => ms < 1000 ? $"{ms} ms" : $"{ms / 1000.0:0.0} s";

    private static Color StateColor(ScriptRunResult result) => result.State switch
    {
        "succeeded" => Color.Success,
        "cancelled" => Color.Default,
        _ => Color.Error,
    };

    private static string StateText(ScriptRunResult result) => result.Failure switch
    {
        "compile_error" => "does not compile",
        "exception" => "threw",
        "timed_out" => "timed out",
        "stack_overflow" => "stack overflow",
        "out_of_memory" => "out of memory",
        "crashed" => "crashed",
        _ => result.State,
    };

    private StandaloneEditorConstructionOptions EditorOptions(StandaloneCodeEditor editor) => new()
    {
        Language = "csharp",
        Value = DefaultCode,
        AutomaticLayout = true,
        FontSize = 14,
        ScrollBeyondLastLine = false,
        Minimap = new EditorMinimapOptions { Enabled = false },
        GlyphMargin = false,
        RenderLineHighlight = "all",
        TabSize = 4,
    };

    private async Task OnEditorReadyAsync()
    {
        await Editor!.AddAction(new ActionDescriptor
        {
            Id = "matih-run-script",
            Label = "Run the script",
            Keybindings = [(int)KeyMod.CtrlCmd | (int)KeyCode.Enter],
            ContextMenuGroupId = "navigation",
            ContextMenuOrder = 1,
            Run = editor => { _ = InvokeAsync(RunAsync); },
        });
        _self = DotNetObjectReference.Create(this);
        await Script.AttachAsync(_self);
        EditorReady = true;
        StateHasChanged();
    }

    private async Task RunAsync()
    {
        if (Running || Editor is null)
        {
            return;
        }

        var code = await Editor.GetValue();
        if (string.IsNullOrWhiteSpace(code))
        {
            Notice = "The editor is empty: write some C# first.";
            return;
        }

        (Running, Notice) = (true, null);
        lock (_liveGate)
        {
            LiveOutput.Clear();
            LiveDisplays.Clear();
        }

        _run = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        var token = _run.Token;
        StateHasChanged();
        await Script.ClearDiagnosticsAsync(EditorId);
        var run = new ScriptRunOptions("console", null, TimeSpan.FromSeconds(Math.Clamp(TimeoutSeconds, 1, Engine.Options.MaxTimeoutSeconds)), "console")
        {
            OnOutput = text =>
            {
                lock (_liveGate)
                {
                    LiveOutput.Append(text);
                }

                Refresh();
            },
            OnDisplay = value =>
            {
                lock (_liveGate)
                {
                    LiveDisplays.Add(value);
                }

                Refresh();
            },
        };

        ScriptRunResult? result = null;
        string title;
        try
        {
            if (KeepVariables)
            {
                Session ??= await Sessions.OpenAsync(UserName, token);
                result = await Task.Run(() => Sessions.SubmitAsync(Session, code, run.Timeout, run, token), CancellationToken.None);
                title = $"submission {Session.History.Count}";
            }
            else
            {
                result = await Task.Run(() => Engine.RunAsync(code, UserName, run, token), CancellationToken.None);
                title = $"run {++_oneShots}";
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ScriptAccessException)
        {
            Notice = e.Message;
            title = "";
        }
        catch (OperationCanceledException)
        {
            title = "";
        }
        finally
        {
            Running = false;
            _run.Dispose();
            _run = null;
        }

        if (_disposed.IsCancellationRequested || result is null)
        {
            StateHasChanged();
            return;
        }

        Entries.Insert(0, new ConsoleEntry(code, title, result));
        if (result.Diagnostics.Count > 0)
        {
            await Script.ShowDiagnosticsAsync(EditorId, result.Diagnostics);
        }

        StateHasChanged();
    }

    private void Cancel() => _run?.Cancel();

    private async Task ResetAsync()
    {
        if (Session is { } session)
        {
            Session = null;
            await Sessions.CloseAsync(session.Id, session.UserName);
        }
    }

    private async Task LoadAsync(string code)
    {
        if (Editor is null)
        {
            return;
        }

        await Editor.SetValue(code);
        await Script.ClearDiagnosticsAsync(EditorId);
        await Editor.Focus();
    }

    // Output arrives on the engine's threads: redraw at most every 200 ms.
    private void Refresh()
    {
        if (DateTime.UtcNow - _lastRefresh < TimeSpan.FromMilliseconds(200))
        {
            return;
        }

        _lastRefresh = DateTime.UtcNow;
        _ = InvokeAsync(StateHasChanged);
    }

    private sealed record ConsoleEntry(string Code, string Title, ScriptRunResult Result);
}
