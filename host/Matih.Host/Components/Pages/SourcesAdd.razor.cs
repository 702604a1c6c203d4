using System.Text.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Matih.Core.Connections;
using Matih.Host.Components.Connections;
using Matih.Sdk.Connectors;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// Add Connection: pick a connector, fill the form generated from its spec or paste a connection document, Test
/// (check), Discover (streams with columns and keys, a sync mode and cursor each), choose a schedule and a
/// destination, Save. It calls the engine the REST API calls: <see cref="Matih.Core.Connections.Connections.Prepare"/>,
/// the connector's check and discover, <see cref="Matih.Core.Connections.Connections.CreateAsync"/> and
/// <see cref="ConnectionSyncs.Schedule"/>.
/// </summary>
public partial class SourcesAdd : IDisposable
{
    private const int FormTab = 0;
    private const int JsonTab = 1;
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    private readonly CancellationTokenSource _disposed = new();

    // After the first Test, Discover or Save the problems follow every edit, so a fixed field loses its message.
    private ProblemScope _scope = ProblemScope.None;

    private enum ProblemScope
    {
        None,
        Config,
        Document,
    }

    [Inject]
    private Matih.Core.Connections.Connections Connections { get; set; } = default!;

    [Inject]
    private IRecurringJobManager Recurring { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private static List<BreadcrumbItem> Breadcrumbs { get; } = [new("Sources", "/sources"), new("Add connection", null, disabled: true)];

    private ConnectionDraft Draft { get; set; } = new();

    private int Tab { get; set; } = FormTab;

    private string JsonText { get; set; } = "";

    private IReadOnlyList<DocumentProblem> Problems { get; set; } = [];

    private string ProblemsTitle { get; set; } = "";

    private CheckResult? Check { get; set; }

    private bool Busy { get; set; }

    private IConnector? Connector => Draft.ConnectorId is { } id ? Connections.Connector(id) : null;

    private bool CanProbe => Tab == JsonTab ? !string.IsNullOrWhiteSpace(JsonText) : Connector is not null;

    private bool CanSave => CanProbe;

    /// <inheritdoc />
    public void Dispose()
    {
        // Cancelled, not disposed: work finishing after the page is left may still read the token.
        _disposed.Cancel();
    }

    private void Choose(string connectorId)
    {
        if (connectorId == Draft.ConnectorId)
        {
            return;
        }

        Draft = new ConnectionDraft { ConnectorId = connectorId, Name = Draft.Name };
        Check = null;
        Problems = [];
        _scope = ProblemScope.None;
    }

    private void OnConfigChanged(JsonObject config)
    {
        // A test result is about the settings it tested.
        Check = null;
        Revalidate();
    }

    private void OnStreamsChanged() => Revalidate();

    private void Revalidate()
    {
        if (_scope == ProblemScope.None || Tab == JsonTab)
        {
            return;
        }

        var problems = ConnectionDefinition.Parse(Reparse(Draft.ToDocument()), Connections.Connector).Problems;
        Problems = _scope == ProblemScope.Config
            ? problems.Where(p => p.Path.StartsWith("$.config", StringComparison.Ordinal) || p.Path == "$.connector").ToArray()
            : problems;
    }

    private Task OnTabChangedAsync(int index)
    {
        if (index == JsonTab && Tab != JsonTab && Draft.ConnectorId is not null)
        {
            JsonText = Draft.ToDocument().ToJsonString(s_indented);
        }
        else if (index != JsonTab && Tab == JsonTab && !string.IsNullOrWhiteSpace(JsonText))
        {
            TakeJson();
        }

        Tab = index;
        return Task.CompletedTask;
    }

    private async Task TestAsync()
    {
        if (!TakeJson() || Prepare() is not { } prepared)
        {
            return;
        }

        var (connector, config) = prepared;

        Busy = true;
        try
        {
            Check = await connector.CheckAsync(config, _disposed.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A connector that throws instead of answering still gets its reason shown.
            Check = CheckResult.Failed(e.Message);
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task DiscoverAsync()
    {
        if (!TakeJson() || Prepare() is not { } prepared)
        {
            return;
        }

        var (connector, config) = prepared;

        Busy = true;
        try
        {
            var check = await connector.CheckAsync(config, _disposed.Token);
            Check = check;
            if (check.Succeeded)
            {
                Draft.ApplyDiscovered(await connector.DiscoverAsync(config, _disposed.Token));
                Check = check with { Message = $"{check.Message} Discovered {Draft.Streams.Count(s => s.Discovered is not null)} streams." };

                // The streams are picked in the form.
                Tab = FormTab;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Check = CheckResult.Failed(e.Message);
        }
        finally
        {
            Busy = false;
        }
    }

    private async Task SaveAsync()
    {
        JsonObject document;
        if (Tab == JsonTab)
        {
            // The document is saved as written, so the problems name the user's own paths.
            var (parsed, problem) = ConnectionDraft.ParseDocument(JsonText);
            if (parsed is null)
            {
                ShowProblems([problem!], "The document is not valid JSON:", ProblemScope.None);
                return;
            }

            document = parsed;
        }
        else
        {
            document = Reparse(Draft.ToDocument());
        }

        Busy = true;
        try
        {
            var user = (await AuthenticationState).User.Identity?.Name;
            var (connection, problems) = await Connections.CreateAsync(document, user, _disposed.Token);
            if (connection is null)
            {
                ShowProblems(problems, "The connection was not saved; fix these and save again:", ProblemScope.Document);
                return;
            }

            ConnectionSyncs.Schedule(Recurring, connection.Id, connection.Cron);
            Navigation.NavigateTo($"/sources?connection={Uri.EscapeDataString(connection.Id)}");
        }
        finally
        {
            Busy = false;
        }
    }

    // In the JSON tab, Test and Discover read the document: it becomes the draft.
    private bool TakeJson()
    {
        if (Tab != JsonTab)
        {
            return true;
        }

        var (document, problem) = ConnectionDraft.ParseDocument(JsonText);
        if (document is null)
        {
            ShowProblems([problem!], "The document is not valid JSON:", ProblemScope.None);
            return false;
        }

        Draft.Load(document);
        return true;
    }

    private (IConnector Connector, JsonElement Config)? Prepare()
    {
        var (connector, config, problems) = Connections.Prepare(Draft.ConnectorId, Reparse(Draft.Config));
        ShowProblems(problems, "The settings have problems:", ProblemScope.Config);
        return connector is null ? null : (connector, config);
    }

    private void ShowProblems(IReadOnlyList<DocumentProblem> problems, string title, ProblemScope scope)
    {
        Problems = problems;
        ProblemsTitle = title;
        _scope = scope;
        if (problems.Count > 0)
        {
            Check = null;
        }
    }

    private string? ErrorAt(string path)
    {
        var messages = Problems
            .Where(p => p.Path == path || p.Path.StartsWith(path + ".", StringComparison.Ordinal) || p.Path.StartsWith(path + "[", StringComparison.Ordinal))
            .Select(p => p.Message)
            .ToList();
        return messages.Count == 0 ? null : string.Join(" ", messages);
    }

    // The engine reads documents as the API receives them: parsed from text, numbers as JSON numbers.
    private static JsonObject Reparse(JsonObject document) => JsonNode.Parse(document.ToJsonString())!.AsObject();
}
