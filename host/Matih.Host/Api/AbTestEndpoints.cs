using System.Security.Claims;
using System.Text.Json.Nodes;
using Matih.Core.AbTests;
using Matih.Core.Connections;
using Matih.Core.Deployments;
using Matih.Core.Metadata;
using Matih.Host.Auth;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/abtests</c>: start the seed's A/B test verbatim, define metrics by SQL, read results with significance and
/// the sample-ratio check, and promote the winner.
/// </summary>
public static class AbTestEndpoints
{
    /// <summary>A metric defined by SQL returning <c>unit_id</c> and <c>value</c> per unit.</summary>
    public sealed record MetricRequest(string? Name, string? Kind, string? Sql, string? Description, bool? HigherIsBetter);

    /// <summary>Body of a promotion: the winner (control or treatment), or null for the significant one.</summary>
    public sealed record PromoteRequest(string? Winner);

    /// <summary>One A/B test in the list.</summary>
    public sealed record AbTestItem(string Name, string Deployment, string State, DateTimeOffset StartedAt, DateTimeOffset EndsAt, string? Reason);

    private static readonly Dictionary<string, SortField<AbTestRecord>> s_sorts = new(StringComparer.Ordinal)
    {
        ["started_at"] = new(t => t.StartedAt, DescendingByDefault: true),
        ["name"] = new(t => t.Name),
        ["deployment"] = new(t => t.Deployment),
        ["state"] = new(t => t.State),
        ["ends_at"] = new(t => t.EndsAt),
    };

    private static readonly Dictionary<string, SortField<AbMetricRecord>> s_metricSorts = new(StringComparer.Ordinal)
    {
        ["name"] = new(m => m.Name),
        ["kind"] = new(m => m.Kind),
    };

    /// <summary>Maps the A/B test routes.</summary>
    public static void MapAbTestEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/abtests").WithTags("A/B tests");
        group.MapGet("/", ListAsync).Produces<ListPage<AbTestItem>>().ProducesValidationProblem();
        group.MapPost("/", async (HttpRequest request, AbTests tests, ServingEngine serving, ClaimsPrincipal user, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body);
            try
            {
                var record = await tests.StartAsync(await reader.ReadToEndAsync(ct), Roles.Caller(user).UserName, (model, c) => ServingAsync(serving, model, c), ct);
                return Results.Created($"/api/abtests/{record.Name}", new { name = record.Name, deployment = record.Deployment, state = record.State, startedAt = record.StartedAt, endsAt = record.EndsAt });
            }
            catch (AbTestDocumentException e)
            {
                return Results.ValidationProblem(e.Problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                    title: "The A/B test cannot start.");
            }
        }).RequireAuthorization(Roles.Analyst);
        group.MapGet("/metrics", ListMetricsAsync).Produces<ListPage<AbMetricRecord>>().ProducesValidationProblem();
        group.MapPost("/metrics", async (MetricRequest body, AbTests tests, CancellationToken ct) =>
        {
            var problems = new Dictionary<string, string[]>();
            if (string.IsNullOrWhiteSpace(body.Name))
            {
                problems["name"] = ["name is required, as A/B documents name the metric."];
            }

            if (body.Kind is not ("proportion" or "mean"))
            {
                problems["kind"] = ["kind is proportion (0/1 per unit, compared with a z-test) or mean (Welch's t-test)."];
            }

            if (string.IsNullOrWhiteSpace(body.Sql))
            {
                problems["sql"] = ["sql is required: a query returning unit_id and value, one row per unit."];
            }

            if (problems.Count > 0)
            {
                return Results.ValidationProblem(problems, title: "The metric cannot be defined.");
            }

            return Results.Ok(await tests.DefineMetricAsync(body.Name!, body.Kind!, body.Sql!, body.Description, body.HigherIsBetter ?? true, ct));
        }).RequireAuthorization(Roles.Analyst);
        group.MapGet("/{name}", async (string name, AbTests tests, CancellationToken ct) =>
            await tests.GetAsync(name, ct) is { } found ? Results.Text(found.Document, "application/json") : NotFound(name));
        group.MapGet("/{name}/results", async (string name, AbTests tests, CancellationToken ct) =>
        {
            try
            {
                return Results.Ok(await tests.ResultsAsync(name, ct));
            }
            catch (KeyNotFoundException)
            {
                return NotFound(name);
            }
        });
        group.MapPost("/{name}/promote", async (string name, PromoteRequest? body, AbTests tests, ServingEngine serving, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var by = Roles.Caller(user).UserName;
            try
            {
                return Results.Ok(await tests.PromoteAsync(name, body?.Winner, by, ServeOnly(serving, by), ct));
            }
            catch (KeyNotFoundException)
            {
                return NotFound(name);
            }
            catch (ArgumentException e)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["winner"] = [e.Message.Split(" (Parameter", 2)[0]] });
            }
            catch (InvalidOperationException e)
            {
                return Results.Problem(title: "Not promoted.", detail: e.Message, statusCode: StatusCodes.Status409Conflict);
            }
        }).RequireAuthorization(Roles.Analyst);
    }

    /// <summary>How a promotion makes the deployment serve the winner alone (the page promotes through it too).</summary>
    public static Func<string, string, CancellationToken, Task> ServeOnly(ServingEngine serving, string by) => async (deployment, model, c) =>
    {
        var result = await serving.UpdateAsync(deployment, new JsonObject { ["model_ref"] = model }, merge: true, by, c);
        if (result.Deployment is null)
        {
            throw new InvalidOperationException($"Deployment '{deployment}' could not switch to {model}: {result.Conflict ?? string.Join("; ", result.Problems.Select(p => p.Message))}");
        }
    };

    /// <summary>The deployment serving <paramref name="model"/> (name/version), for a test that names none.</summary>
    public static async Task<string?> ServingAsync(ServingEngine serving, string model, CancellationToken ct) =>
        (await serving.ListAsync(ct)).FirstOrDefault(d => $"{d.ModelName}/{d.ModelVersion}" == model || d.ModelRef == model)?.Name;

    private static IResult NotFound(string name) =>
        Results.Problem(title: "No such A/B test.", detail: $"No A/B test is named '{name}'.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>A/B tests, newest first by default, a page at a time in the database; <c>q</c> matches the name, deployment or state.</summary>
    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_sorts.Keys, "started_at");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var tests = db.Set<AbTestRecord>().AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            tests = tests.Where(t => t.Name.ToLower().Contains(q) || t.Deployment.ToLower().Contains(q) || t.State.ToLower().Contains(q));
        }

        var page = await tests.ToPageAsync(request, s_sorts, t => t.Name, ct);
        return Results.Ok(new ListPage<AbTestItem>(
            page.Items.Select(t => new AbTestItem(t.Name, t.Deployment, t.State, t.StartedAt, t.EndsAt, t.Reason)).ToArray(),
            page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>A/B metrics, by name, a page at a time in the database; <c>q</c> matches the name, kind or description.</summary>
    private static async Task<IResult> ListMetricsAsync([AsParameters] PageQuery paging, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_metricSorts.Keys, "name");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var metrics = db.Set<AbMetricRecord>().AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            metrics = metrics.Where(m => m.Name.ToLower().Contains(q) || m.Kind.ToLower().Contains(q) || (m.Description != null && m.Description.ToLower().Contains(q)));
        }

        return Results.Ok(await metrics.ToPageAsync(request, s_metricSorts, m => m.Name, ct));
    }
}
