using Matih.Core.Lineage;
using Matih.Core.Metadata;
using Matih.Core.Query;
using Matih.Host.Auth;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary><c>/api/queries</c> (saved queries) and <c>/api/catalog/tables/{name}/lineage</c>.</summary>
public static class QueryEndpoints
{
    /// <summary>The body of a saved query.</summary>
    public sealed record SaveQueryRequest(string? Name, string? Sql, string? Description);

    private static readonly Dictionary<string, SortField<SavedQuery>> s_sorts = new(StringComparer.Ordinal)
    {
        ["name"] = new(q => q.Name),
        ["updated_by"] = new(q => q.UpdatedBy),
    };

    /// <summary>Maps the routes.</summary>
    public static void MapQueryEndpoints(this RouteGroupBuilder api)
    {
        var queries = api.MapGroup("/queries").WithTags("Query");
        queries.MapGet("/", ListAsync).Produces<ListPage<SavedQuery>>().ProducesValidationProblem();
        queries.MapGet("/{name}", async (string name, SavedQueries saved, CancellationToken ct) =>
            await saved.GetAsync(name, ct) is { } query ? Results.Ok(query)
                : Results.Problem(title: "No such query.", detail: $"No saved query is named '{name}'.", statusCode: StatusCodes.Status404NotFound))
            .Produces<SavedQuery>();
        queries.MapPost("/", async (SaveQueryRequest? request, SavedQueries saved, HttpContext http, CancellationToken ct) =>
        {
            var problems = new Dictionary<string, string[]>();
            if (SavedQueries.NameProblem(request?.Name) is { } name)
            {
                problems["name"] = [name];
            }

            if (string.IsNullOrWhiteSpace(request?.Sql))
            {
                problems["sql"] = ["sql is required."];
            }

            if (problems.Count > 0)
            {
                return Results.ValidationProblem(problems, title: "The query cannot be saved.");
            }

            var query = await saved.SaveAsync(request!.Name!, request.Sql!, request.Description, Roles.Caller(http.User).UserName, ct);
            return Results.Created($"/api/queries/{query.Name}", query);
        }).RequireAuthorization(Roles.Analyst).Produces<SavedQuery>(StatusCodes.Status201Created).ProducesValidationProblem();

        api.MapGet("/catalog/tables/{name}/lineage", async (string name, LineageGraph graph, int? depth, CancellationToken ct) =>
            TableRef.TryParse(name, out var table)
                ? Results.Ok(await graph.GetAsync(table.ToString(), Math.Clamp(depth ?? 5, 1, 20), ct))
                : Results.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"'{name}' is not a three-part table name (catalog.schema.table)."] }))
            .WithTags("Catalog");
    }

    /// <summary>Saved queries, a page at a time in the database; <c>q</c> matches the name or description.</summary>
    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_sorts.Keys, "name");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.SavedQueries.AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            query = query.Where(x => x.Name.ToLower().Contains(q) || (x.Description != null && x.Description.ToLower().Contains(q)));
        }

        return Results.Ok(await query.ToPageAsync(request, s_sorts, x => x.Name, ct));
    }
}
