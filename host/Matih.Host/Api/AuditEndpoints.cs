using System.Globalization;
using Matih.Core.Audit;
using Matih.Host.Auth;

namespace Matih.Host.Api;

/// <summary><c>/api/audit</c> (admins): who did what when, filtered by actor, action and time, paged or as CSV.</summary>
public static class AuditEndpoints
{
    /// <summary>One entry as the API shows it.</summary>
    public sealed record AuditEntryView(long id, DateTimeOffset at, string actor, string action, string target, string? detail);

    /// <summary>A page of entries, newest first; pass <c>next_cursor</c> as <c>cursor</c> for the next page.</summary>
    public sealed record AuditPageView(IReadOnlyList<AuditEntryView> items, string? next_cursor);

    /// <summary>Maps <c>GET /api/audit</c> and <c>GET /api/audit.csv</c>.</summary>
    public static void MapAuditEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", (HttpContext http, AuditLog log) =>
            string.Equals(http.Request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase) ? CsvAsync(http, log) : PageAsync(http, log))
            .RequireAuthorization(Roles.Admin).WithTags("Audit");
        api.MapGet("/audit.csv", CsvAsync).RequireAuthorization(Roles.Admin).WithTags("Audit");
    }

    private static async Task<IResult> PageAsync(HttpContext http, AuditLog log)
    {
        if (Parse(http.Request.Query, paged: true) is not { } query)
        {
            return Invalid(http.Request.Query);
        }

        var page = await log.QueryAsync(query, http.RequestAborted);
        return Results.Ok(new AuditPageView(page.Items.Select(e => new AuditEntryView(e.Id, e.At, e.Actor, e.Action, e.Target, e.Detail)).ToList(),
            page.NextCursor?.ToString(CultureInfo.InvariantCulture)));
    }

    private static async Task<IResult> CsvAsync(HttpContext http, AuditLog log)
    {
        if (Parse(http.Request.Query, paged: false) is not { } query)
        {
            return Invalid(http.Request.Query);
        }

        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"matih-audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false));
        await writer.WriteAsync(AuditLog.CsvHeader + "\r\n");
        await foreach (var entry in log.ExportAsync(query, http.RequestAborted))
        {
            await writer.WriteAsync(AuditLog.CsvLine(entry) + "\r\n");
        }

        return Results.Empty;
    }

    private static AuditQuery? Parse(IQueryCollection q, bool paged)
    {
        if (Problems(q).Count > 0)
        {
            return null;
        }

        return new AuditQuery(
            Actor: NullIfEmpty(q["actor"]),
            Action: NullIfEmpty(q["action"]),
            From: Time(q["from"]),
            To: Time(q["to"]),
            Before: paged && long.TryParse(q["cursor"], NumberStyles.None, CultureInfo.InvariantCulture, out var before) ? before : null,
            Limit: paged && int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) ? limit : 50);
    }

    private static Dictionary<string, string[]> Problems(IQueryCollection q)
    {
        var problems = new Dictionary<string, string[]>();
        foreach (var name in new[] { "from", "to" })
        {
            if (!string.IsNullOrEmpty(q[name]) && Time(q[name]) is null)
            {
                problems[name] = [$"{name} must be an ISO 8601 time, e.g. 2026-11-24T12:00:00Z."];
            }
        }

        if (!string.IsNullOrEmpty(q["cursor"]) && !long.TryParse(q["cursor"], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            problems["cursor"] = ["cursor must be the next_cursor of a previous page."];
        }

        if (!string.IsNullOrEmpty(q["limit"]) && (!int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > AuditLog.MaxLimit))
        {
            problems["limit"] = [$"limit must be a whole number from 1 to {AuditLog.MaxLimit}."];
        }

        return problems;
    }

    private static IResult Invalid(IQueryCollection q) => Results.ValidationProblem(Problems(q), title: "The audit query is not valid.");

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
