using System.Globalization;
using Matih.Core.Audit;
using Matih.Core.Metadata;
using Matih.Host.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary><c>/api/audit</c> (admins): who did what when, filtered by actor, action and time, paged or as CSV.</summary>
public static class AuditEndpoints
{
    /// <summary>One entry as the API shows it.</summary>
    public sealed record AuditEntryView(long id, DateTimeOffset at, string actor, string action, string target, string? detail);

    /// <summary>The audit log's sort fields: newest first by default; ids grow with time, so they break ties.</summary>
    public static readonly IReadOnlyDictionary<string, SortField<AuditEntry>> Sorts = new Dictionary<string, SortField<AuditEntry>>(StringComparer.Ordinal)
    {
        ["at"] = new(e => e.At, DescendingByDefault: true),
        ["actor"] = new(e => e.Actor),
        ["action"] = new(e => e.Action),
    };

    /// <summary>The audit log's own filters, beside the paging parameters.</summary>
    public sealed record AuditFilterQuery
    {
        /// <summary>Exactly this actor (a user name, <c>anonymous</c> or <c>system</c>).</summary>
        [FromQuery(Name = "actor")]
        public string? Actor { get; init; }

        /// <summary>This action (<c>auth.login</c>), or a whole area (<c>user.*</c>).</summary>
        [FromQuery(Name = "action")]
        public string? Action { get; init; }

        /// <summary>At or after this ISO 8601 time.</summary>
        [FromQuery(Name = "from")]
        public string? From { get; init; }

        /// <summary>Before this ISO 8601 time.</summary>
        [FromQuery(Name = "to")]
        public string? To { get; init; }

        /// <summary><c>csv</c> exports every matching entry instead of a page.</summary>
        [FromQuery(Name = "format")]
        public string? Format { get; init; }
    }

    /// <summary>The default sort field.</summary>
    public const string DefaultSort = "at";

    /// <summary>Maps <c>GET /api/audit</c> and <c>GET /api/audit.csv</c>.</summary>
    public static void MapAuditEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", ListAsync).RequireAuthorization(Roles.Admin).WithTags("Audit")
            .WithSummary("The audit log (admin), paged; sort by at (newest first, the default), actor or action; q matches the actor, action or target; "
                + "actor, action (or user.*), from and to filter; format=csv exports.")
            .Produces<ListPage<AuditEntryView>>().ProducesValidationProblem();
        api.MapGet("/audit.csv", CsvAsync).RequireAuthorization(Roles.Admin).WithTags("Audit")
            .WithSummary("Every audit entry matching actor, action, from, to and q as CSV, newest first (admin).")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesValidationProblem();
    }

    /// <summary>
    /// The audit log, a page at a time in the database, newest first by default (sort by <c>at</c>, <c>actor</c> or
    /// <c>action</c>); <c>q</c> matches the actor, action or target; <c>actor</c> (exact), <c>action</c> (exact, or a
    /// whole area as <c>user.*</c>), <c>from</c> and <c>to</c> (ISO 8601) filter too. <c>format=csv</c> exports every
    /// matching entry, as <c>/api/audit.csv</c> does.
    /// </summary>
    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, [AsParameters] AuditFilterQuery filter, HttpContext http, AuditLog log,
        IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        if (string.Equals(filter.Format, "csv", StringComparison.OrdinalIgnoreCase))
        {
            return await CsvAsync(paging, filter, http, log);
        }

        if (Problems(http.Request.Query, paged: true) is { Count: > 0 } problems)
        {
            return Results.ValidationProblem(problems, title: "The audit query is not valid.");
        }

        var (request, problem) = paging.Validate(Sorts.Keys.ToArray(), DefaultSort);
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var page = await AuditLog.Filter(db, Filter(filter, request.Q)).ToPageAsync(request, Sorts, e => e.Id, ct);
        return Results.Ok(new ListPage<AuditEntryView>(page.Items.Select(View).ToArray(), page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>Every entry matching <c>actor</c>, <c>action</c>, <c>from</c>, <c>to</c> and <c>q</c> as CSV, newest first, streamed.</summary>
    private static async Task<IResult> CsvAsync([AsParameters] PageQuery paging, [AsParameters] AuditFilterQuery filter, HttpContext http, AuditLog log)
    {
        if (Problems(http.Request.Query, paged: false) is { Count: > 0 } problems)
        {
            return Results.ValidationProblem(problems, title: "The audit query is not valid.");
        }

        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"matih-audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false));
        await writer.WriteAsync(AuditLog.CsvHeader + "\r\n");
        await foreach (var entry in log.ExportAsync(Filter(filter, paging.Q), http.RequestAborted))
        {
            await writer.WriteAsync(AuditLog.CsvLine(entry) + "\r\n");
        }

        return Results.Empty;
    }

    private static AuditEntryView View(AuditEntry e) => new(e.Id, e.At, e.Actor, e.Action, e.Target, e.Detail);

    private static AuditQuery Filter(AuditFilterQuery filter, string? text) => new(
        Actor: NullIfEmpty(filter.Actor),
        Action: NullIfEmpty(filter.Action),
        From: Time(filter.From),
        To: Time(filter.To),
        Text: NullIfEmpty(text));

    private static Dictionary<string, string[]> Problems(IQueryCollection q, bool paged)
    {
        var problems = new Dictionary<string, string[]>();
        foreach (var name in new[] { "from", "to" })
        {
            if (!string.IsNullOrEmpty(q[name]) && Time(q[name]) is null)
            {
                problems[name] = [$"{name} must be an ISO 8601 time, e.g. 2026-11-24T12:00:00Z."];
            }
        }

        // The old cursor parameters would otherwise be ignored silently and a client would loop on page 1 forever.
        if (paged)
        {
            foreach (var (name, instead) in new[] { ("cursor", "page"), ("limit", "pageSize") })
            {
                if (q.ContainsKey(name))
                {
                    problems[name] = [$"{name} is no longer accepted: the audit log pages like every list, with page and pageSize; use {instead}."];
                }
            }
        }

        return problems;
    }

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
