using BlazorMonaco;
using BlazorMonaco.Editor;
using Matih.Core.Catalog;
using Matih.Core.Hosting;
using Matih.Core.Query;
using Matih.Host.Auth;
using Matih.Host.Components.Catalog;
using Matih.Host.Components.Query;
using Matih.Sdk.Data;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// The Query Editor: SQL in a Monaco editor with completion of the catalog's names, Run (Ctrl+Enter) and Cancel,
/// the rows with their types a page at a time, the error position marked in the editor, the user's history, saved
/// queries and exports. It calls <see cref="SqlQueryService"/> and <see cref="SavedQueries"/>, the engines behind
/// <c>POST /api/sql</c>, <c>/api/sql/export</c> and <c>/api/queries</c>, as the signed-in user.
/// </summary>
public sealed partial class QueryEditor : IAsyncDisposable
{
    /// <summary>The editor's element id.</summary>
    public const string EditorId = "sql-editor";

    /// <summary>What the editor holds when the page is opened without SQL.</summary>
    public const string DefaultSql = "SELECT * FROM postgresql.novamart.customers LIMIT 100";

    private const int HistoryLength = 25;

    private readonly CancellationTokenSource _disposed = new();
    private CancellationTokenSource? _run;
    private SqlEditorScript? _script;
    private string? _shownSql;

    [Inject]
    private SqlQueryService Queries { get; set; } = default!;

    [Inject]
    private SavedQueries SavedQueries { get; set; } = default!;

    [Inject]
    private CatalogService CatalogSearch { get; set; } = default!;

    [Inject]
    private MatihOptions Options { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    /// <summary>SQL to open the editor with (<c>?sql=</c>), as the File Import page links.</summary>
    [SupplyParameterFromQuery(Name = "sql")]
    public string? Sql { get; set; }

    private StandaloneCodeEditor? Editor { get; set; }

    private bool EditorReady { get; set; }

    private bool Running { get; set; }

    private bool Exporting { get; set; }

    private SqlAnswer? Answer { get; set; }

    private SqlFault? Fault { get; set; }

    private string? Notice { get; set; }

    private Severity NoticeSeverity { get; set; } = Severity.Info;

    private string? SaveName { get; set; }

    private string? SaveError { get; set; }

    private IReadOnlyList<SavedQuery> Saved { get; set; } = [];

    private Dictionary<TableRef, CatalogEntry?> Written { get; set; } = [];

    private IReadOnlyList<QueryHistoryEntry> History { get; set; } = [];

    private SqlCaller Caller { get; set; } = new("anonymous", Matih.Core.Users.Role.Viewer);

    private static DateTimeOffset Now => DateTimeOffset.UtcNow;

    private SqlEditorScript Script => _script ??= new SqlEditorScript(JS);

    /// <inheritdoc />
    protected override async Task OnInitializedAsync()
    {
        Caller = Roles.Caller((await AuthenticationState).User);
        await LoadListsAsync();
    }

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        // A link to this page with other SQL (while it is open) replaces the editor's text.
        if (EditorReady && Editor is not null && Sql is { } sql && sql != _shownSql)
        {
            _shownSql = sql;
            await Editor.SetValue(sql);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Cancelled, not disposed: a statement finishing after the page is left may still read the token.
        _disposed.Cancel();
        if (_script is not null)
        {
            await _script.DisposeAsync();
        }
    }

    private static string FirstLine(string sql)
    {
        var line = sql.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal))
            ?? sql.Trim();
        return line.Length > 90 ? line[..89] + "…" : line;
    }

    private static Severity FaultSeverity(SqlFault fault) => fault.Kind switch
    {
        "permission" => Severity.Warning,
        "cancelled" => Severity.Info,
        _ => Severity.Error,
    };

    private static string FaultTitle(SqlFault fault) => fault.Kind switch
    {
        "permission" => "Not allowed for your role.",
        "cancelled" => "Cancelled.",
        "syntax" => "Syntax error.",
        "binder" => "The SQL names something the warehouse does not have.",
        _ => "The SQL failed.",
    };

    private static string RowsText(SqlAnswer answer) =>
        $"{CatalogText.Count(answer.RowCount)} {(answer.RowCount == 1 ? "row" : "rows")}, {answer.Columns.Count} {(answer.Columns.Count == 1 ? "column" : "columns")}";

    private static string WrittenText(CatalogEntry? entry) => entry is null
        ? ""
        : $" ({CatalogText.Count(entry.Rows)} rows, {entry.Columns.Count} columns)";

    private StandaloneEditorConstructionOptions EditorOptions(StandaloneCodeEditor editor)
    {
        _shownSql = Sql;
        return new StandaloneEditorConstructionOptions
        {
            Language = "sql",
            Value = Sql ?? DefaultSql,
            AutomaticLayout = true,
            FontSize = 14,
            ScrollBeyondLastLine = false,
            Minimap = new EditorMinimapOptions { Enabled = false },
            GlyphMargin = false,
            RenderLineHighlight = "all",
        };
    }

    private async Task OnEditorReadyAsync()
    {
        await Editor!.AddAction(new ActionDescriptor
        {
            Id = "matih-run",
            Label = "Run the SQL",
            Keybindings = [(int)KeyMod.CtrlCmd | (int)KeyCode.Enter],
            ContextMenuGroupId = "navigation",
            ContextMenuOrder = 1,
            Run = editor => { _ = InvokeAsync(RunAsync); },
        });
        await Script.SetNamesAsync(await SqlNames.LoadAsync(CatalogSearch, _disposed.Token));
        EditorReady = true;
        StateHasChanged();
    }

    private async Task RunAsync()
    {
        if (Running || Editor is null)
        {
            return;
        }

        var sql = await Editor.GetValue();
        (Running, Answer, Fault, Notice) = (true, null, null, null);
        _run = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        var token = _run.Token;
        StateHasChanged();
        await Script.ClearFaultAsync(EditorId);
        try
        {
            // DuckDB executes on a worker thread so the page keeps rendering and Cancel stays clickable.
            var caller = Caller;
            var outcome = await Task.Run(() => Queries.RunAsync(sql, caller, SqlQueryService.DefaultMaxRows, token), CancellationToken.None);
            (Answer, Fault) = (outcome.Answer, outcome.Fault);
        }
        finally
        {
            Running = false;
            _run.Dispose();
            _run = null;
        }

        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        if (Fault is { Line: { } line } fault)
        {
            await Script.ShowFaultAsync(EditorId, line, fault.Column, fault.Message);
        }

        Written = [];
        if (Answer is { Written.Count: > 0 } answer)
        {
            // The engine answers a write without rows; the catalog has just registered what it wrote.
            foreach (var table in answer.Written)
            {
                Written[table] = await CatalogSearch.GetAsync(table, _disposed.Token);
            }

            // New tables complete from now on.
            await Script.SetNamesAsync(await SqlNames.LoadAsync(CatalogSearch, _disposed.Token));
        }

        await LoadListsAsync();
        StateHasChanged();
    }

    private void Cancel() => _run?.Cancel();

    private async Task LoadAsync(string sql)
    {
        if (Editor is null)
        {
            return;
        }

        await Editor.SetValue(sql);
        await Script.ClearFaultAsync(EditorId);
        await Editor.Focus();
    }

    private async Task OpenSavedAsync(SavedQuery query)
    {
        SaveName = query.Name;
        SaveError = null;
        await LoadAsync(query.Sql);
    }

    private async Task SaveAsync()
    {
        SaveError = SavedQueries.NameProblem(SaveName?.Trim());
        if (SaveError is not null || Editor is null)
        {
            return;
        }

        var sql = await Editor.GetValue();
        if (string.IsNullOrWhiteSpace(sql))
        {
            SaveError = "The editor is empty: write the query to save first.";
            return;
        }

        var saved = await SavedQueries.SaveAsync(SaveName!.Trim(), sql, null, Caller.UserName, _disposed.Token);
        (Notice, NoticeSeverity) = ($"Saved as {saved.Name}.", Severity.Success);
        Saved = await SavedQueries.ListAsync(_disposed.Token);
    }

    private async Task ExportAsync(string format)
    {
        if (Editor is null)
        {
            return;
        }

        var sql = await Editor.GetValue();
        (Exporting, Notice) = (true, null);
        var folder = Path.Combine(Options.DataPath, "exports");
        var file = Path.Combine(folder, $"{Guid.NewGuid():N}.{format}");
        try
        {
            Directory.CreateDirectory(folder);
            var caller = Caller;
            var fault = await Task.Run(() => Queries.ExportAsync(sql, caller, format, file, _disposed.Token), CancellationToken.None);
            if (fault is not null)
            {
                (Notice, NoticeSeverity) = ($"The export failed: {fault.Message}", fault.Kind == "permission" ? Severity.Warning : Severity.Error);
                return;
            }

            // The file goes to the browser over the circuit and is deleted once sent.
            var name = (string.IsNullOrWhiteSpace(SaveName) ? $"query-{DateTime.UtcNow:yyyyMMdd-HHmmss}" : SaveName.Trim()) + "." + format;
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.DeleteOnClose);
            using var reference = new DotNetStreamReference(stream, leaveOpen: true);
            await JS.InvokeVoidAsync("matih.download", _disposed.Token, name, reference);
            (Notice, NoticeSeverity) = ($"Exported the rows as {name}.", Severity.Success);
        }
        catch (OperationCanceledException)
        {
            // The page was left.
        }
        finally
        {
            Exporting = false;
            if (File.Exists(file))
            {
                File.Delete(file);
            }
        }
    }

    private async Task LoadListsAsync()
    {
        Saved = await SavedQueries.ListAsync(_disposed.Token);
        History = await Queries.HistoryAsync(Caller.UserName, HistoryLength, _disposed.Token);
    }
}
