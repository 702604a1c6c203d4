using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Core.Metadata;
using Matih.Core.Models;
using Matih.Host.Auth;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/models</c>: the model registry. Register versions with the seed's registration JSON, list models and
/// versions, read a version with its lineage (run, feature table, upstream), and move versions between stages.
/// Answers use the registration document's snake_case names.
/// </summary>
public static class ModelEndpoints
{
    /// <summary>JSON for registry and deployment answers: the documents' snake_case, dictionary keys as stored.</summary>
    public static readonly JsonSerializerOptions SnakeCase = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>A stage change: <c>{"stage": "production", "archive_existing_versions": true}</c>.</summary>
    /// <param name="Stage">none, staging, production or archived.</param>
    /// <param name="ArchiveExistingVersions">Archive the versions already in that stage (default true, as MLflow).</param>
    public sealed record StageRequest(string? Stage, bool? ArchiveExistingVersions);

    /// <summary>Maps the registry routes.</summary>
    public static void MapModelEndpoints(this RouteGroupBuilder api)
    {
        var models = api.MapGroup("/models").WithTags("Models");
        models.MapPost("/", RegisterAsync).RequireAuthorization(Roles.Analyst);
        models.MapGet("/", ListAsync).Produces<ListPage<JsonObject>>().ProducesValidationProblem();
        models.MapGet("/{name}/versions", ListVersionsAsync).Produces<ListPage<JsonObject>>().ProducesValidationProblem();
        models.MapGet("/{name}/versions/{version}", GetVersionAsync);
        models.MapGet("/{name}/history", async (string name, ModelRegistry registry, CancellationToken ct) =>
            await registry.VersionsAsync(name, ct) is null ? NoModel(name) : Results.Json(await registry.StageHistoryAsync(name, ct), SnakeCase));
        models.MapPost("/{name}/versions/{version}/stage", SetStageAsync).RequireAuthorization(Roles.Analyst);
    }

    private static readonly Dictionary<string, SortField<RegisteredModelRecord>> s_sorts = new(StringComparer.Ordinal)
    {
        ["name"] = new(m => m.Name),
        ["created_at"] = new(m => m.CreatedAt, DescendingByDefault: true),
        ["updated_at"] = new(m => m.UpdatedAt, DescendingByDefault: true),
    };

    private static readonly Dictionary<string, SortField<ModelVersionRecord>> s_versionSorts = new(StringComparer.Ordinal)
    {
        ["registered_at"] = new(v => v.RegisteredAt, DescendingByDefault: true),
        ["stage"] = new(v => v.Stage),
        ["stage_changed_at"] = new(v => v.StageChangedAt, DescendingByDefault: true),
    };

    /// <summary>Registered models (snake_case items), a page at a time in the database; <c>q</c> matches the name or who created it.</summary>
    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, ModelRegistry registry, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_sorts.Keys, "name");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Set<RegisteredModelRecord>().AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            query = query.Where(m => m.Name.ToLower().Contains(q) || m.CreatedBy.ToLower().Contains(q));
        }

        var page = await query.ToPageAsync(request, s_sorts, m => m.Name, ct);
        var items = (await registry.SummarizeAsync(page.Items, ct)).Select(m => JsonSerializer.SerializeToNode(m, SnakeCase)!.AsObject()).ToArray();
        return Results.Ok(new ListPage<JsonObject>(items, page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>
    /// A model's versions (snake_case items), newest registration first by default, paged in the database; <c>q</c> matches
    /// the version, stage, framework or trainer.
    /// </summary>
    private static async Task<IResult> ListVersionsAsync(string name, [AsParameters] PageQuery paging, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_versionSorts.Keys, "registered_at");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Set<RegisteredModelRecord>().AnyAsync(m => m.Name == name, ct))
        {
            return NoModel(name);
        }

        var query = db.Set<ModelVersionRecord>().AsNoTracking().Where(v => v.ModelName == name);
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            query = query.Where(v => v.Version.ToLower().Contains(q) || v.Stage.ToLower().Contains(q) || v.Framework.ToLower().Contains(q) || v.Trainer.ToLower().Contains(q));
        }

        var page = await query.ToPageAsync(request, s_versionSorts, v => v.Version, ct);
        return Results.Ok(new ListPage<JsonObject>(page.Items.Select(v => Version(ModelRegistry.Describe(v))).ToArray(), page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>A version as the API shows it: the registration's fields, then what the registry added.</summary>
    public static JsonObject Version(ModelVersionView v, ModelLineage? lineage = null, IEnumerable<ModelStageHistoryEntry>? history = null)
    {
        var inputs = new JsonObject();
        foreach (var input in v.InputSchema)
        {
            inputs[input.Name] = input.TypeName;
        }

        var body = new JsonObject
        {
            ["model_name"] = v.ModelName,
            ["version"] = v.Version,
            ["reference"] = v.Reference,
            ["stage"] = v.Stage,
            ["source_experiment"] = v.Source.Run,
            ["framework"] = v.Framework,
            ["metrics"] = JsonSerializer.SerializeToNode(v.Metrics),
            ["run_metrics"] = JsonSerializer.SerializeToNode(v.RunMetrics),
            ["feature_set"] = v.FeatureSet,
            ["input_schema"] = inputs,
            ["tags"] = JsonSerializer.SerializeToNode(v.Tags),
            ["description"] = v.Description,
            ["source"] = JsonSerializer.SerializeToNode(v.Source, SnakeCase),
            ["artifact"] = JsonSerializer.SerializeToNode(v.Artifact, SnakeCase),
            ["training_data"] = JsonSerializer.SerializeToNode(v.TrainingData, SnakeCase),
            ["warnings"] = JsonSerializer.SerializeToNode(v.Warnings, SnakeCase),
            ["registered_by"] = v.RegisteredBy,
            ["registered_at"] = v.RegisteredAt,
            ["stage_changed_at"] = v.StageChangedAt,
        };
        if (lineage is not null)
        {
            body["lineage"] = JsonSerializer.SerializeToNode(lineage, SnakeCase);
        }

        if (history is not null)
        {
            body["stage_history"] = JsonSerializer.SerializeToNode(history.ToArray(), SnakeCase);
        }

        return body;
    }

    /// <summary>Problems as RFC 7807 validation problems keyed by JSON path.</summary>
    public static IResult Problems(IReadOnlyList<DocumentProblem> problems, string title) =>
        Results.ValidationProblem(problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()), title: title);

    /// <summary>Reads a JSON body as a node; a syntax error is a problem naming line and position.</summary>
    public static async Task<(JsonNode? Node, IResult? Error)> ReadJsonAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            return (await JsonNode.ParseAsync(request.Body, cancellationToken: ct), null);
        }
        catch (JsonException e)
        {
            return (null, Results.ValidationProblem(
                new Dictionary<string, string[]> { [e.Path ?? "$"] = [$"Not valid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}."] },
                title: "The body is not JSON."));
        }
    }

    private static async Task<IResult> RegisterAsync(HttpRequest request, ModelRegistry registry, HttpContext http, CancellationToken ct)
    {
        var (document, error) = await ReadJsonAsync(request, ct);
        if (error is not null)
        {
            return error;
        }

        var result = await registry.RegisterAsync(document, Roles.Caller(http.User).UserName, ct);
        if (result.Conflict is { } conflict)
        {
            return Results.Problem(title: "The version exists with different content.", detail: conflict, statusCode: StatusCodes.Status409Conflict);
        }

        if (result.Version is not { } version)
        {
            return Problems(result.Problems, $"The registration has {result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")}.");
        }

        var body = Version(version);
        body["created"] = result.Created;
        return result.Created
            ? new WithLocation(Results.Json(body, SnakeCase, statusCode: StatusCodes.Status201Created), Location(version))
            : Results.Json(body, SnakeCase);
    }

    private static string Location(ModelVersionView version) =>
        $"/api/models/{Uri.EscapeDataString(version.ModelName)}/versions/{Uri.EscapeDataString(version.Version)}";

    private static async Task<IResult> GetVersionAsync(string name, string version, ModelRegistry registry, CancellationToken ct)
    {
        var found = await registry.GetVersionAsync(name, version, ct);
        if (found is null)
        {
            return await registry.VersionsAsync(name, ct) is null
                ? NoModel(name)
                : Results.Problem(title: "No such version.", detail: $"{name} has no version {version}.", statusCode: StatusCodes.Status404NotFound);
        }

        var lineage = await registry.LineageAsync(name, found.Version, ct);
        var history = (await registry.StageHistoryAsync(name, ct)).Where(h => h.Version == found.Version);
        return Results.Json(Version(found, lineage, history), SnakeCase);
    }

    private static async Task<IResult> SetStageAsync(string name, string version, StageRequest? request, ModelRegistry registry, HttpContext http, CancellationToken ct)
    {
        var change = await registry.SetStageAsync(name, version, request?.Stage, request?.ArchiveExistingVersions ?? true, Roles.Caller(http.User).UserName, ct);
        if (change is null)
        {
            return Results.Problem(title: "No such version.", detail: $"{name} has no version {version}.", statusCode: StatusCodes.Status404NotFound);
        }

        if (change.Problem is { } problem)
        {
            return Problems([problem], "The stage change is not valid.");
        }

        if (change.Conflict is { } conflict)
        {
            return Results.Problem(title: "The stage change conflicts.", detail: conflict, statusCode: StatusCodes.Status409Conflict);
        }

        var body = Version(change.Version!);
        body["archived_versions"] = JsonSerializer.SerializeToNode(change.Archived);
        return Results.Json(body, SnakeCase);
    }

    private static IResult NoModel(string name) =>
        Results.Problem(title: "No such model.", detail: $"No model is registered as '{name}'.", statusCode: StatusCodes.Status404NotFound);

    /// <summary>Adds a Location header to another result.</summary>
    internal sealed class WithLocation(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
