using System.Security.Claims;
using System.Text.Json;
using Matih.Core.Connections;
using Matih.Core.Metadata;
using Matih.Core.Pipelines;
using Matih.Host.Auth;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/pipelines</c>: save the seed's pipeline document as written, list task types for the designer, start,
/// cancel and re-run runs, and read run history with per-task states and logs.
/// </summary>
public static class PipelineEndpoints
{
    /// <summary>Body of a re-run: the task to start from, or null for "from what failed".</summary>
    public sealed record RerunRequest(string? FromTask);

    private static readonly Dictionary<string, SortField<PipelineRecord>> s_sorts = new(StringComparer.Ordinal)
    {
        ["name"] = new(p => p.Name),
        ["owner"] = new(p => p.Owner),
        ["created_at"] = new(p => p.CreatedAt, DescendingByDefault: true),
        ["updated_at"] = new(p => p.UpdatedAt, DescendingByDefault: true),
    };

    /// <summary>Pipelines with their latest run, a page at a time in the database; <c>q</c> matches the name, id or owner.</summary>
    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, Pipelines pipelines, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_sorts.Keys, "name");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Set<PipelineRecord>().AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            query = query.Where(p => p.Name.ToLower().Contains(q) || p.Id.ToLower().Contains(q) || p.Owner.ToLower().Contains(q));
        }

        var page = await query.ToPageAsync(request, s_sorts, p => p.Id, ct);
        return Results.Ok(new ListPage<PipelineSummary>(await pipelines.SummarizeAsync(page.Items, ct), page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>Maps the pipeline routes.</summary>
    public static void MapPipelineEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/pipelines").WithTags("Pipelines");
        group.MapGet("/task-types", (Pipelines pipelines) => pipelines.TaskTypes());
        group.MapGet("/", ListAsync).Produces<ListPage<PipelineSummary>>().ProducesValidationProblem();
        group.MapPost("/validate", async (HttpRequest request, Pipelines pipelines, CancellationToken ct) =>
        {
            var json = await ReadAsync(request, ct);
            var (definition, problems) = await pipelines.ValidateAsync(json, ct);
            return Results.Ok(new { valid = definition is not null, problems = problems.Select(p => new { path = p.Path, message = p.Message }) });
        }).RequireAuthorization(Roles.Analyst);
        group.MapPost("/", async (HttpRequest request, Pipelines pipelines, ClaimsPrincipal user, CancellationToken ct) =>
        {
            try
            {
                var definition = await pipelines.CreateAsync(await ReadAsync(request, ct), Roles.Caller(user).UserName, ct);
                return Results.Created($"/api/pipelines/{definition.Id}", new { id = definition.Id, name = definition.Name, tasks = definition.Tasks.Count, schedule = definition.Schedule });
            }
            catch (PipelineDocumentException e)
            {
                return Problems(e.Problems);
            }
            catch (InvalidOperationException e)
            {
                return Results.Problem(title: "The pipeline exists.", detail: e.Message, statusCode: StatusCodes.Status409Conflict);
            }
        }).RequireAuthorization(Roles.Analyst);
        group.MapPut("/{id}", async (string id, HttpRequest request, Pipelines pipelines, ClaimsPrincipal user, CancellationToken ct) =>
        {
            try
            {
                var definition = await pipelines.ReplaceAsync(id, await ReadAsync(request, ct), Roles.Caller(user).UserName, ct);
                return Results.Ok(new { id = definition.Id, name = definition.Name, tasks = definition.Tasks.Count, schedule = definition.Schedule });
            }
            catch (PipelineDocumentException e)
            {
                return Problems(e.Problems);
            }
            catch (KeyNotFoundException e)
            {
                return NotFound(e.Message);
            }
        }).RequireAuthorization(Roles.Analyst);
        group.MapGet("/{id}", async (string id, Pipelines pipelines, CancellationToken ct) =>
            await pipelines.GetAsync(id, ct) is { } found
                ? Results.Text(found.Document, "application/json")
                : NotFound($"No pipeline has the id '{id}'."));
        group.MapDelete("/{id}", async (string id, Pipelines pipelines, CancellationToken ct) =>
            await pipelines.DeleteAsync(id, ct) ? Results.NoContent() : NotFound($"No pipeline has the id '{id}'."))
            .RequireAuthorization(Roles.Analyst);

        group.MapPost("/{id}/runs", async (string id, PipelineRuns runs, ClaimsPrincipal user, CancellationToken ct) =>
        {
            try
            {
                var runId = await runs.StartAsync(id, Roles.Caller(user).UserName, ct);
                return Results.Accepted($"/api/pipelines/{id}/runs/{runId}", new { runId, state = "queued" });
            }
            catch (KeyNotFoundException e)
            {
                return NotFound(e.Message);
            }
        }).RequireAuthorization(Roles.Analyst);
        group.MapGet("/{id}/runs", async (string id, [AsParameters] PageQuery paging, PipelineRuns runs, CancellationToken ct) =>
        {
            // Newest first is the only order the run store pages by (in the database).
            var (request, problem) = paging.Validate(["queued_at"], "queued_at");
            if (request is null)
            {
                return problem!;
            }

            if (request.Descending == false)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["order"] = ["Pipeline runs are listed newest first; order may only be desc."] });
            }

            var (items, total) = await runs.ListAsync(id, request.Offset, request.PageSize, ct);
            return Results.Ok(new ListPage<PipelineRunView>(items, total, request.Page, request.PageSize, request.Sort, "desc"));
        }).Produces<ListPage<PipelineRunView>>().ProducesValidationProblem();
        group.MapGet("/{id}/runs/{runId:guid}", async (string id, Guid runId, PipelineRuns runs, CancellationToken ct) =>
            await runs.GetAsync(runId, ct) is { } run && run.PipelineId == id ? Results.Ok(run) : NotFound($"Pipeline '{id}' has no run {runId}."))
            .Produces<PipelineRunView>();
        group.MapPost("/{id}/runs/{runId:guid}/cancel", async (string id, Guid runId, PipelineRuns runs, ClaimsPrincipal user, CancellationToken ct) =>
            await runs.CancelAsync(runId, Roles.Caller(user).UserName, ct)
                ? Results.Accepted()
                : Results.Problem(title: "Nothing to cancel.", detail: $"Run {runId} is not active.", statusCode: StatusCodes.Status409Conflict))
            .RequireAuthorization(Roles.Analyst);
        group.MapPost("/{id}/runs/{runId:guid}/rerun", async (string id, Guid runId, RerunRequest? body, PipelineRuns runs, ClaimsPrincipal user, CancellationToken ct) =>
        {
            try
            {
                var rerun = await runs.RerunAsync(runId, body?.FromTask, Roles.Caller(user).UserName, ct);
                return Results.Accepted($"/api/pipelines/{id}/runs/{rerun}", new { runId = rerun, state = "queued", rerunOf = runId });
            }
            catch (KeyNotFoundException e)
            {
                return NotFound(e.Message);
            }
            catch (ArgumentException e)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["fromTask"] = [e.Message.Split(" (Parameter", 2)[0]] });
            }
            catch (InvalidOperationException e)
            {
                return Results.Problem(title: "The run is still active.", detail: e.Message, statusCode: StatusCodes.Status409Conflict);
            }
        }).RequireAuthorization(Roles.Analyst);
    }

    private static async Task<string> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync(ct);
    }

    private static IResult Problems(IReadOnlyList<DocumentProblem> problems) =>
        Results.ValidationProblem(problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
            title: $"The pipeline document has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}.");

    private static IResult NotFound(string detail) =>
        Results.Problem(title: "Not found.", detail: detail, statusCode: StatusCodes.Status404NotFound);
}
