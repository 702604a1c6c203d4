using Matih.Core.Query;
using Matih.Host.Auth;

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
        api.MapGet("/sql/history", async (SqlQueryService queries, HttpContext http, int? take, CancellationToken ct) =>
            (await queries.HistoryAsync(Roles.Caller(http.User).UserName, Math.Clamp(take ?? 50, 1, 500), ct))
                .Select(h => new { h.Id, h.Sql, h.StartedAt, h.ElapsedMs, h.RowCount, h.Error })).WithTags("Query");
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
}
