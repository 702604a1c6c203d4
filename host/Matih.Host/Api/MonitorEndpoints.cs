using System.Security.Claims;
using Matih.Core.Connections;
using Matih.Core.Monitoring;
using Matih.Host.Auth;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/monitors</c>: save the seed's monitor document as written, evaluate its checks now or on their schedules,
/// and read the dashboard report (JSON with the seed's text beside it).
/// </summary>
public static class MonitorEndpoints
{
    /// <summary>Body of an evaluation: which checks (drift, accuracy, all) and the time to evaluate at.</summary>
    public sealed record EvaluateRequest(string? Checks, DateTimeOffset? AsOf);

    /// <summary>Maps the monitor routes.</summary>
    public static void MapMonitorEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/monitors").WithTags("Monitoring");
        group.MapGet("/", async (Monitors monitors, CancellationToken ct) =>
            (await monitors.ListAsync(ct)).Select(m => new { name = m.Name, deployment = m.Deployment, owner = m.Owner, updatedAt = m.UpdatedAt }));
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
}
