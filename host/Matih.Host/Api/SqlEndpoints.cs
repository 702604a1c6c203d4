using Matih.Core.Metadata;
using Matih.Core.Query;
using Matih.Host.Auth;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary><c>POST /api/sql</c>: run SQL on the warehouse. Viewers may only read.</summary>
public static class SqlEndpoints
{
    /// <summary>The request body.</summary>
    public sealed record SqlRequest(string? Sql, int? MaxRows);

    /// <summary>The export request body.</summary>
    public sealed record ExportRequest(string? Sql, string? Format);

    /// <summary>A result column.</summary>
    public sealed record ColumnView(string name, string type);

    /// <summary>The response body.</summary>
    public sealed record SqlResponse(IReadOnlyList<ColumnView> columns, IReadOnlyList<object?[]> rows, long rowCount, long elapsedMs, bool truncated, IReadOnlyList<string> written);

    /// <summary>Maps the SQL route.</summary>
    public static void MapSqlEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/sql", RunAsync).RequireAuthorization(Roles.Viewer).WithTags("Query");
        api.MapPost("/sql/export", async (ExportRequest? request, SqlQueryService queries, HttpContext http, Matih.Core.Hosting.MatihOptions options, CancellationToken ct) =>
        {
            var format = (request?.Format ?? "csv").ToLowerInvariant();
            if (string.IsNullOrWhiteSpace(request?.Sql))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["sql"] = ["sql is required: the query whose rows to export."] });
            }

            var folder = Path.Combine(options.DataPath, "exports");
            Directory.CreateDirectory(folder);
            var file = Path.Combine(folder, $"{Guid.NewGuid():N}.{format}");
            var fault = await queries.ExportAsync(request.Sql, Roles.Caller(http.User), format, file, ct);
            if (fault is not null)
            {
                return Results.Problem(title: "The export failed.", detail: fault.Message, statusCode: fault.Kind == "permission" ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest,
                    extensions: new Dictionary<string, object?> { ["kind"] = fault.Kind, ["line"] = fault.Line, ["column"] = fault.Column });
            }

            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.DeleteOnClose);
            return Results.File(stream, format == "csv" ? "text/csv" : "application/vnd.apache.parquet", $"query.{format}");
        }).WithTags("Query");
        api.MapGet("/sql/history", HistoryAsync).WithTags("Query").Produces<ListPage<HistoryItem>>().ProducesValidationProblem();
    }

    private static async Task<IResult> RunAsync(SqlRequest? request, SqlQueryService queries, HttpContext http, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request?.Sql))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["sql"] = ["sql is required: the statement to run."] });
        }

        if (request.MaxRows is < 0)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["maxRows"] = ["maxRows must be zero or more."] });
        }

        var outcome = await queries.RunAsync(request.Sql, Roles.Caller(http.User), request.MaxRows ?? SqlQueryService.DefaultMaxRows, cancellationToken);
        if (outcome.Fault is { } fault)
        {
            var status = fault.Kind switch
            {
                "permission" => StatusCodes.Status403Forbidden,
                "cancelled" => 499,
                _ => StatusCodes.Status400BadRequest,
            };
            return Results.Problem(
                title: fault.Kind == "permission" ? "Not allowed for your role." : "The SQL failed.",
                detail: fault.Message,
                statusCode: status,
                extensions: new Dictionary<string, object?> { ["kind"] = fault.Kind, ["line"] = fault.Line, ["column"] = fault.Column });
        }

        var answer = outcome.Answer!;
        return Results.Ok(new SqlResponse(
            answer.Columns.Select(c => new ColumnView(c.Name, c.SourceType ?? c.Type.ToString().ToUpperInvariant())).ToArray(),
            answer.Rows,
            answer.RowCount,
            answer.ElapsedMs,
            answer.Truncated,
            answer.Written.Select(t => t.ToString()).ToArray()));
    }

    /// <summary>One statement of the caller's SQL history.</summary>
    public sealed record HistoryItem(long Id, string Sql, DateTimeOffset StartedAt, long ElapsedMs, long RowCount, string? Error);

    private static readonly Dictionary<string, SortField<QueryHistoryEntry>> s_historySorts = new(StringComparer.Ordinal)
    {
        // By the time itself, not the id: the (UserName, StartedAt) index then serves the page without sorting every entry.
        ["started_at"] = new(h => h.StartedAt, DescendingByDefault: true),
        ["elapsed_ms"] = new(h => h.ElapsedMs, DescendingByDefault: true),
        ["row_count"] = new(h => h.RowCount, DescendingByDefault: true),
    };

    /// <summary>The caller's statements, newest first, a page at a time in the database; <c>q</c> matches the SQL text.</summary>
    private static async Task<IResult> HistoryAsync([AsParameters] PageQuery paging, IDbContextFactory<MetadataDbContext> contexts, HttpContext http, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_historySorts.Keys, "started_at");
        if (request is null)
        {
            return problem!;
        }

        var user = Roles.Caller(http.User).UserName;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var history = db.QueryHistory.AsNoTracking().Where(h => h.UserName == user);
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            history = history.Where(h => h.Sql.ToLower().Contains(q));
        }

        // Ids grow with time, so they break ties in every sort.
        var page = await history.ToPageAsync(request, s_historySorts, h => h.Id, ct);
        return Results.Ok(new ListPage<HistoryItem>(
            page.Items.Select(h => new HistoryItem(h.Id, h.Sql, h.StartedAt, h.ElapsedMs, h.RowCount, h.Error)).ToArray(),
            page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }
}
