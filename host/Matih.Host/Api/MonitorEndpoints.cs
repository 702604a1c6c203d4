using System.Security.Claims;
using Matih.Core.Connections;
using Matih.Core.Metadata;
using Matih.Core.Monitoring;
using Matih.Host.Auth;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/monitors</c>: save the seed's monitor document as written, evaluate its checks now or on their schedules,
/// and read the dashboard report (JSON with the seed's text beside it).
/// </summary>
public static class MonitorEndpoints
{
    /// <summary>Body of an evaluation: which checks (drift, accuracy, all) and the time to evaluate at.</summary>
    public sealed record EvaluateRequest(string? Checks, DateTimeOffset? AsOf);

    /// <summary>One monitor in the list.</summary>
    public sealed record MonitorItem(string Name, string Deployment, string Owner, DateTimeOffset UpdatedAt);

    private static readonly Dictionary<string, SortField<MonitorRecord>> s_sorts = new(StringComparer.Ordinal)
    {
        ["name"] = new(m => m.Name),
        ["deployment"] = new(m => m.Deployment),
        ["owner"] = new(m => m.Owner),
        ["updated_at"] = new(m => m.UpdatedAt, DescendingByDefault: true),
    };

    /// <summary>Maps the monitor routes.</summary>
    public static void MapMonitorEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/monitors").WithTags("Monitoring");
        group.MapGet("/", ListAsync).Produces<ListPage<MonitorItem>>().ProducesValidationProblem();
        group.MapPost("/", async (HttpRequest request, Monitors monitors, ClaimsPrincipal user, CancellationToken ct) =>
        {
            using var reader = new StreamReader(request.Body);
            var json = await reader.ReadToEndAsync(ct);
            try
            {
                var existed = MonitorDefinition.Parse(json, []).Definition is { } peek && await monitors.GetAsync(peek.Name, ct) is not null;
                var definition = await monitors.SaveAsync(json, Roles.Caller(user).UserName, ct);
                var body = new { name = definition.Name, deployment = definition.Deployment, checks = definition.Checks.Select(c => c.Key) };
                return existed ? Results.Ok(body) : Results.Created($"/api/monitors/{definition.Name}", body);
            }
            catch (MonitorDocumentException e)
            {
                return Problems(e.Problems);
            }
        }).RequireAuthorization(Roles.Analyst);
        group.MapGet("/{name}", async (string name, Monitors monitors, CancellationToken ct) =>
            await monitors.GetAsync(name, ct) is { } found ? Results.Text(found.Document, "application/json") : NotFound(name));
        group.MapDelete("/{name}", async (string name, Monitors monitors, CancellationToken ct) =>
            await monitors.DeleteAsync(name, ct) ? Results.NoContent() : NotFound(name)).RequireAuthorization(Roles.Analyst);
        group.MapPost("/{name}/evaluate", async (string name, EvaluateRequest? body, Monitors monitors, CancellationToken ct) =>
        {
            var selection = body?.Checks?.ToLowerInvariant() switch
            {
                null or "all" => CheckSelection.All,
                "drift" => CheckSelection.Drift,
                "accuracy" => CheckSelection.Accuracy,
                _ => (CheckSelection?)null,
            };
            if (selection is null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["checks"] = ["checks is drift, accuracy or all."] });
            }

            try
            {
                return Results.Ok(await monitors.EvaluateAsync(name, selection.Value, body?.AsOf, ct));
            }
            catch (KeyNotFoundException)
            {
                return NotFound(name);
            }
        }).RequireAuthorization(Roles.Analyst);
        group.MapGet("/{name}/alerts", async (string name, Monitors monitors, CancellationToken ct) =>
            await monitors.GetAsync(name, ct) is null
                ? NotFound(name)
                : Results.Ok((await monitors.AlertStatesAsync(name, ct)).Select(s => new { check = s.Check, subject = s.Subject, alerting = s.Alerting, since = s.Since, lastNotified = s.LastNotified })));
        group.MapGet("/{name}/report", async (string name, DateTimeOffset? from, DateTimeOffset? to, Monitors monitors, CancellationToken ct) =>
        {
            try
            {
                var report = await monitors.ReportAsync(name, from, to, ct);
                return Results.Ok(new
                {
                    report.Monitor,
                    report.Deployment,
                    report.From,
                    report.To,
                    report.Traffic,
                    report.Drift,
                    report.RiskBands,
                    report.Accuracy,
                    report.Daily,
                    report.Link,
                    report.Text,
                });
            }
            catch (KeyNotFoundException)
            {
                return NotFound(name);
            }
        });
    }

    private static IResult Problems(IReadOnlyList<DocumentProblem> problems) =>
        Results.ValidationProblem(problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
            title: $"The monitor document has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}.");

    private static IResult NotFound(string name) =>
        Results.Problem(title: "No such monitor.", detail: $"No monitor is named '{name}'.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>Monitors, a page at a time in the database; <c>q</c> matches the name, deployment or owner.</summary>
    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_sorts.Keys, "name");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var monitors = db.Set<MonitorRecord>().AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            monitors = monitors.Where(m => m.Name.ToLower().Contains(q) || m.Deployment.ToLower().Contains(q) || m.Owner.ToLower().Contains(q));
        }

        var page = await monitors.ToPageAsync(request, s_sorts, m => m.Name, ct);
        return Results.Ok(new ListPage<MonitorItem>(
            page.Items.Select(m => new MonitorItem(m.Name, m.Deployment, m.Owner, m.UpdatedAt)).ToArray(),
            page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }
}
