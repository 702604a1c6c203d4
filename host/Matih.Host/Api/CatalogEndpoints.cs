using Matih.Core.Catalog;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;

namespace Matih.Host.Api;

/// <summary><c>/api/catalog</c>: search, table details, column profiles and previews.</summary>
public static class CatalogEndpoints
{
    /// <summary>Maps the catalog routes (lineage is mapped with the query routes).</summary>
    public static void MapCatalogEndpoints(this RouteGroupBuilder api)
    {
        var catalog = api.MapGroup("/catalog").WithTags("Catalog");
        catalog.MapGet("/search", async ([AsParameters] PageQuery paging, CatalogService service, CancellationToken ct) =>
        {
            // Hits come best match first (then by name); q matches names, columns, descriptions and tags.
            var (request, problem) = (paging with { PageSize = paging.PageSize ?? 25 }).Validate(["relevance"], "relevance");
            if (request is null)
            {
                return problem!;
            }

            var found = await service.SearchAsync(request.Q, request.Page, request.PageSize, ct);
            return Results.Ok(new
            {
                total = found.Total,
                page = found.Page,
                pageSize = found.PageSize,
                sort = request.Sort,
                order = "desc",
                items = found.Items.Select(h => new
                {
                    table = h.Entry.Table.Table,
                    name = h.Entry.Table.ToString(),
                    schema = h.Entry.DisplaySchema,
                    kind = h.Entry.Kind,
                    columns = h.Entry.Columns.Count,
                    rows = h.Entry.Rows,
                    last_updated = h.Entry.LastUpdated,
                    quality_score = h.Entry.QualityScore,
                    source = h.Entry.SourceLocation,
                    origin = h.Entry.Origin,
                    matched_on = h.MatchedOn,
                }),
            });
        });
        catalog.MapGet("/tables/{name}", async (string name, CatalogService service, CancellationToken ct) =>
            await WithTableAsync(name, async table => await service.GetAsync(table, ct) is { } entry
                ? Results.Ok(new
                {
                    name = entry.Table.ToString(),
                    schema = entry.DisplaySchema,
                    kind = entry.Kind,
                    rows = entry.Rows,
                    last_updated = entry.LastUpdated,
                    quality_score = entry.QualityScore,
                    source = entry.SourceLocation,
                    origin = entry.Origin,
                    description = entry.Description,
                    columns = entry.Columns.Select(c => new { name = c.Name, type = c.SourceType ?? c.Type.ToString().ToUpperInvariant(), nullable = c.Nullable, description = c.Description }),
                })
                : NotFound(table)));
        catalog.MapGet("/tables/{name}/profile", async (string name, bool? approx, TableProfiler profiler, CancellationToken ct) =>
            await WithTableAsync(name, async table => await profiler.ProfileAsync(table, approx, ct) is { } profile ? Results.Ok(profile) : NotFound(table)));
        catalog.MapGet("/tables/{name}/profiles", async (string name, int? take, TableProfiler profiler, CancellationToken ct) =>
            await WithTableAsync(name, async table => Results.Ok(await profiler.HistoryAsync(table, Math.Clamp(take ?? 10, 1, 100), ct))));
        catalog.MapGet("/tables/{name}/preview", async (string name, int? rows, DuckDbWarehouse warehouse, CancellationToken ct) =>
            await WithTableAsync(name, async table =>
            {
                if (await warehouse.GetSchemaAsync(table, ct) is null)
                {
                    return NotFound(table);
                }

                var result = await warehouse.QueryAsync($"SELECT * FROM {table.ToSql()} LIMIT {Math.Clamp(rows ?? 50, 1, 1000)}", ct);
                return Results.Ok(new { columns = result.Columns.Select(c => c.Name), rows = result.Rows });
            }));
    }

    private static async Task<IResult> WithTableAsync(string name, Func<TableRef, Task<IResult>> action) =>
        TableRef.TryParse(name, out var table)
            ? await action(table)
            : Results.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"'{name}' is not a three-part table name (catalog.schema.table)."] });

    private static IResult NotFound(TableRef table) =>
        Results.Problem(title: "No such table.", detail: $"The catalog has no table {table}.", statusCode: StatusCodes.Status404NotFound);
}
