using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Deployments;
using Matih.Core.Metadata;
using Matih.Host.Auth;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/deployments</c>: deploy registered models with the seed's deployment JSON, update them to another version
/// without dropping requests, undeploy them, and read their status, replicas, traffic and latency. Changing
/// deployments needs the analyst role; reading them any signed-in role.
/// </summary>
public static class DeploymentEndpoints
{
    private static readonly Dictionary<string, SortField<DeploymentRecord>> s_sorts = new(StringComparer.Ordinal)
    {
        ["name"] = new(d => d.Name),
        ["model_name"] = new(d => d.ModelName),
        ["state"] = new(d => d.State),
    };

    /// <summary>Deployments (snake_case items), a page at a time in the database; <c>q</c> matches the name, model reference or state.</summary>
    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, ServingEngine engine, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_sorts.Keys, "name");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Set<DeploymentRecord>().AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            query = query.Where(d => d.Name.ToLower().Contains(q) || d.ModelRef.ToLower().Contains(q) || d.State.ToLower().Contains(q));
        }

        var page = await query.ToPageAsync(request, s_sorts, d => d.Name, ct);
        var items = (await engine.ViewsAsync(page.Items.Select(d => d.Name), ct))
            .Select(v => JsonSerializer.SerializeToNode(v, ModelEndpoints.SnakeCase)!.AsObject()).ToArray();
        return Results.Ok(new ListPage<JsonObject>(items, page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>Maps the deployment routes.</summary>
    public static void MapDeploymentEndpoints(this RouteGroupBuilder api)
    {
        var deployments = api.MapGroup("/deployments").WithTags("Deployments");
        deployments.MapPost("/", DeployAsync).RequireAuthorization(Roles.Analyst);
        deployments.MapGet("/", ListAsync).Produces<ListPage<JsonObject>>().ProducesValidationProblem();
        deployments.MapGet("/{name}", async (string name, ServingEngine engine, CancellationToken ct) =>
            await engine.GetAsync(name, ct) is { } found ? Results.Json(found, ModelEndpoints.SnakeCase) : NoDeployment(name));
        deployments.MapPut("/{name}", (string name, HttpRequest request, ServingEngine engine, HttpContext http, CancellationToken ct) =>
            UpdateAsync(name, merge: false, request, engine, http, ct)).RequireAuthorization(Roles.Analyst);
        deployments.MapPost("/{name}/update", (string name, HttpRequest request, ServingEngine engine, HttpContext http, CancellationToken ct) =>
            UpdateAsync(name, merge: true, request, engine, http, ct)).RequireAuthorization(Roles.Analyst);
        deployments.MapDelete("/{name}", async (string name, ServingEngine engine, HttpContext http, CancellationToken ct) =>
            await engine.UndeployAsync(name, Roles.Caller(http.User).UserName, ct) ? Results.NoContent() : NoDeployment(name)).RequireAuthorization(Roles.Analyst);
    }

    private static async Task<IResult> DeployAsync(HttpRequest request, ServingEngine engine, HttpContext http, CancellationToken ct)
    {
        var (document, error) = await ModelEndpoints.ReadJsonAsync(request, ct);
        if (error is not null)
        {
            return error;
        }

        var result = await engine.DeployAsync(document, Roles.Caller(http.User).UserName, ct);
        if (result.Conflict is { } conflict)
        {
            return Results.Problem(title: "The deployment exists.", detail: conflict, statusCode: StatusCodes.Status409Conflict);
        }

        if (result.Deployment is not { } deployment)
        {
            return ModelEndpoints.Problems(result.Problems, $"The deployment has {result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")}.");
        }

        return result.Created
            ? new ModelEndpoints.WithLocation(Results.Json(deployment, ModelEndpoints.SnakeCase, statusCode: StatusCodes.Status201Created),
                $"/api/deployments/{Uri.EscapeDataString(deployment.Name)}")
            : Results.Json(deployment, ModelEndpoints.SnakeCase);
    }

    private static async Task<IResult> UpdateAsync(string name, bool merge, HttpRequest request, ServingEngine engine, HttpContext http, CancellationToken ct)
    {
        var (document, error) = await ModelEndpoints.ReadJsonAsync(request, ct);
        if (error is not null)
        {
            return error;
        }

        var result = await engine.UpdateAsync(name, document, merge, Roles.Caller(http.User).UserName, ct);
        if (result.NotFound)
        {
            return NoDeployment(name);
        }

        return result.Deployment is { } deployment
            ? Results.Json(deployment, ModelEndpoints.SnakeCase)
            : ModelEndpoints.Problems(result.Problems, $"The update has {result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")}.");
    }

    private static IResult NoDeployment(string name) =>
        Results.Problem(title: "No such deployment.", detail: $"No deployment is named '{name}'.", statusCode: StatusCodes.Status404NotFound);
}
