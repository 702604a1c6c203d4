using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Matih.Core.Connections;
using Matih.Core.Metadata;
using Matih.Host.Auth;
using Matih.Sdk.Connectors;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/connections</c>: create connections from the seed's Airbyte-style document, test and discover sources,
/// start and follow syncs. Secrets are never returned.
/// </summary>
public static class ConnectionEndpoints
{
    /// <summary>Body of check and discover: a connector and a config, as in a connection document.</summary>
    public sealed record SourceProbe(string? Connector, JsonObject? Config);

    private static readonly Dictionary<string, SortField<ConnectionRecord>> s_sorts = new(StringComparer.Ordinal)
    {
        ["name"] = new(c => c.Name),
        ["connector"] = new(c => c.Connector),
        ["created_at"] = new(c => c.CreatedAt, DescendingByDefault: true),
    };

    private static readonly Dictionary<string, SortField<SyncRunRecord>> s_runSorts = new(StringComparer.Ordinal)
    {
        ["queued_at"] = new(r => r.QueuedAt, DescendingByDefault: true),
        ["state"] = new(r => r.State),
    };

    /// <summary>Connections, a page at a time in the database; <c>q</c> matches the name, id or connector.</summary>
    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, Connections connections, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_sorts.Keys, "name");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Connections.AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            query = query.Where(c => c.Name.ToLower().Contains(q) || c.Id.ToLower().Contains(q) || c.Connector.ToLower().Contains(q));
        }

        var page = await query.ToPageAsync(request, s_sorts, c => c.Id, ct);
        return Results.Ok(new ListPage<ConnectionView>(page.Items.Select(connections.Describe).ToArray(), page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>A connection's sync runs, newest first by default, paged in the database; <c>q</c> matches the state, trigger or error.</summary>
    private static async Task<IResult> ListRunsAsync(string id, [AsParameters] PageQuery paging, ConnectionSyncs syncs, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_runSorts.Keys, "queued_at");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.SyncRuns.AsNoTracking().Where(r => r.ConnectionId == id);
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            query = query.Where(r => r.State.ToLower().Contains(q) || r.Trigger.ToLower().Contains(q) || (r.Error != null && r.Error.ToLower().Contains(q)));
        }

        var page = await query.ToPageAsync(request, s_runSorts, r => r.Id, ct);
        return Results.Ok(new ListPage<SyncRunView>(page.Items.Select(syncs.Describe).ToArray(), page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>Maps the connection routes.</summary>
    public static void MapConnectionEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/connectors", (Connections connections) => connections.All.Select(c => new
        {
            id = c.Id,
            name = c.Spec.DisplayName,
            description = c.Spec.Description,
            supports_incremental = c.Spec.SupportsIncremental,
            supports_cdc = c.Spec.SupportsCdc,
            config = c.Spec.Config,
        })).WithTags("Connections");

        var group = api.MapGroup("/connections").WithTags("Connections");
        group.MapGet("/", ListAsync).Produces<ListPage<ConnectionView>>().ProducesValidationProblem();
        group.MapGet("/{id}", async (string id, Connections connections, CancellationToken ct) =>
            await connections.GetAsync(id, ct) is { } found ? Results.Ok(found) : NotFound(id)).Produces<ConnectionView>();
        group.MapPost("/", CreateAsync).RequireAuthorization(Roles.Analyst).Produces<ConnectionView>(StatusCodes.Status201Created).ProducesValidationProblem();
        group.MapPost("/check", CheckAsync).RequireAuthorization(Roles.Analyst);
        group.MapPost("/discover", DiscoverAsync).RequireAuthorization(Roles.Analyst);
        group.MapPost("/{id}/sync", async (string id, ConnectionSyncs syncs, CancellationToken ct) =>
        {
            var (runId, error) = await syncs.StartAsync(id, "manual", ct);
            return (runId, error) switch
            {
                ({ } run, null) => Results.Accepted($"/api/connections/{id}/runs/{run}", new { runId = run }),
                ({ } run, { } busy) => Results.Problem(title: "A sync is already active.", detail: busy, statusCode: StatusCodes.Status409Conflict,
                    extensions: new Dictionary<string, object?> { ["runId"] = run }),
                _ => NotFound(id),
            };
        }).RequireAuthorization(Roles.Analyst);
        group.MapGet("/{id}/runs", ListRunsAsync).Produces<ListPage<SyncRunView>>().ProducesValidationProblem();
        group.MapGet("/{id}/runs/{runId:guid}", async (string id, Guid runId, ConnectionSyncs syncs, CancellationToken ct) =>
            await syncs.GetRunAsync(id, runId, ct) is { } run ? Results.Ok(run)
                : Results.Problem(title: "No such run.", detail: $"Connection '{id}' has no run {runId}.", statusCode: StatusCodes.Status404NotFound))
            .Produces<SyncRunView>();
        group.MapPost("/{id}/runs/{runId:guid}/cancel", async (string id, Guid runId, ConnectionSyncs syncs, CancellationToken ct) =>
            await syncs.CancelAsync(runId, ct) ? Results.Accepted()
                : Results.Problem(title: "Nothing to cancel.", detail: $"Run {runId} is not active.", statusCode: StatusCodes.Status409Conflict))
            .RequireAuthorization(Roles.Analyst);
        group.MapGet("/{id}/diagnostics", DiagnoseAsync);
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, Connections connections, ConnectionSyncs syncs, IRecurringJobManager recurring, ClaimsPrincipal user, CancellationToken ct)
    {
        JsonNode? document;
        try
        {
            document = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [e.Path ?? "$"] = [$"Not valid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}."] });
        }

        var (connection, problems) = await connections.CreateAsync(document, user.Identity?.Name, ct);
        if (connection is null)
        {
            return Problems(problems, "The connection document has problems.");
        }

        ConnectionSyncs.Schedule(recurring, connection.Id, connection.Cron);
        return Results.Created($"/api/connections/{connection.Id}", connection);
    }

    private static async Task<IResult> CheckAsync(SourceProbe? probe, Connections connections, CancellationToken ct)
    {
        var (connector, config, problems) = connections.Prepare(probe?.Connector, probe?.Config);
        if (connector is null)
        {
            return Problems(problems);
        }

        var result = await connector.CheckAsync(config, ct);
        return Results.Ok(new { succeeded = result.Succeeded, message = result.Message });
    }

    private static async Task<IResult> DiscoverAsync(SourceProbe? probe, Connections connections, CancellationToken ct)
    {
        var (connector, config, problems) = connections.Prepare(probe?.Connector, probe?.Config);
        if (connector is null)
        {
            return Problems(problems);
        }

        var check = await connector.CheckAsync(config, ct);
        if (!check.Succeeded)
        {
            return Results.Problem(title: "The source cannot be reached.", detail: check.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        var streams = await connector.DiscoverAsync(config, ct);
        return Results.Ok(streams.Select(s => new
        {
            name = s.Name,
            @namespace = s.Namespace,
            columns = s.Schema.Columns.Select(c => new { name = c.Name, type = c.Type.ToString(), source_type = c.SourceType, nullable = c.Nullable }),
            primary_key = s.Schema.PrimaryKey,
            sync_modes = s.SupportedSyncModes.Select(m => m == SyncMode.FullRefresh ? "full_refresh" : "incremental"),
            cursor_candidates = s.CursorCandidates,
            estimated_rows = s.EstimatedRows,
        }));
    }

    private static async Task<IResult> DiagnoseAsync(string id, Connections connections, CancellationToken ct)
    {
        try
        {
            return await connections.DiagnoseAsync(id, ct) is { } figures ? Results.Ok(figures) : NotFound(id);
        }
        catch (InvalidOperationException e)
        {
            return Results.Problem(title: "The connection's secrets are not set.", detail: e.Message, statusCode: StatusCodes.Status422UnprocessableEntity);
        }
    }

    private static IResult Problems(IReadOnlyList<DocumentProblem> problems, string? title = null) =>
        Results.ValidationProblem(problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()), title: title);

    private static IResult NotFound(string id) =>
        Results.Problem(title: "No such connection.", detail: $"No connection has the id '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
