using Matih.Core.Features;
using Matih.Core.Lineage;
using Matih.Core.Metadata;
using Matih.Host.Auth;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary><c>/api/features</c>: feature groups with schema, freshness and lineage; online lookups; syncs.</summary>
public static class FeatureEndpoints
{
    /// <summary>The body of a sync: the <c>config</c> of a <c>feature_store_sync</c> task, verbatim.</summary>
    public sealed record SyncRequest(
        [property: System.Text.Json.Serialization.JsonPropertyName("feature_group")] string? FeatureGroup,
        [property: System.Text.Json.Serialization.JsonPropertyName("source_table")] string? SourceTable,
        [property: System.Text.Json.Serialization.JsonPropertyName("entity_key")] string? EntityKey,
        [property: System.Text.Json.Serialization.JsonPropertyName("timestamp_column")] string? TimestampColumn);

    private static readonly Dictionary<string, SortField<FeatureGroupRecord>> s_sorts = new(StringComparer.Ordinal)
    {
        ["name"] = new(g => g.Name),
        ["created_at"] = new(g => g.CreatedAt, DescendingByDefault: true),
        ["synced_at"] = new(g => g.SyncedAt, DescendingByDefault: true),
        ["rows"] = new(g => g.Rows, DescendingByDefault: true),
    };

    /// <summary>Feature groups, a page at a time in the database; <c>q</c> matches the name or source table.</summary>
    private static async Task<IResult> ListAsync([AsParameters] PageQuery paging, FeatureStore store, IDbContextFactory<MetadataDbContext> contexts, CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_sorts.Keys, "name");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = db.Set<FeatureGroupRecord>().AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            query = query.Where(g => g.Name.ToLower().Contains(q) || g.SourceTable.ToLower().Contains(q));
        }

        var page = await query.ToPageAsync(request, s_sorts, g => g.Name, ct);
        return Results.Ok(new ListPage<object>(page.Items.Select(r => Describe(FeatureStore.FromRecord(r), store)).ToArray(), page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>Maps the routes.</summary>
    public static void MapFeatureEndpoints(this RouteGroupBuilder api)
    {
        var features = api.MapGroup("/features").WithTags("Features");
        features.MapGet("/", ListAsync).ProducesValidationProblem();

        features.MapGet("/{group}", async (string group, FeatureStore store, LineageGraph lineage, CancellationToken ct) =>
        {
            if (await store.GetAsync(group, ct) is not { } found)
            {
                return UnknownGroup(group);
            }

            var graph = await lineage.GetAsync(found.OfflineTable.ToString(), 5, ct);
            var versions = await store.VersionsAsync(group, ct);
            return Results.Ok(new
            {
                group = Describe(found, store),
                versions = versions.Select(v => new
                {
                    version = v.Version,
                    rows = v.Rows,
                    entities = v.Entities,
                    null_key_rows = v.NullKeyRows,
                    synced_at = v.SyncedAt,
                    newest_timestamp = v.NewestTimestamp,
                    source_table = v.SourceTable.ToString(),
                    entity_key = v.EntityKey,
                    timestamp_column = v.TimestampColumn,
                    elapsed_ms = (long)v.Elapsed.TotalMilliseconds,
                    columns = v.Schema.Count,
                }),
                lineage = graph,
            });
        });

        features.MapGet("/{group}/online/{key}", async (string group, string key, FeatureStore store, CancellationToken ct) =>
        {
            if (await store.GetOnlineAsync(group, key, ct) is FeatureValues values)
            {
                return Results.Ok(new { group, key, version = values.Version, features = (IReadOnlyDictionary<string, object?>)values });
            }

            if (await store.GetAsync(group, ct) is not { } found)
            {
                return UnknownGroup(group);
            }

            return Results.Problem(
                title: "No such entity.",
                detail: $"Feature group {group} (version {found.LatestVersion}) has no entity with {found.EntityKey} = {key}.",
                statusCode: StatusCodes.Status404NotFound);
        });

        features.MapPost("/", async (SyncRequest? request, FeatureStore store, CancellationToken ct) =>
        {
            if (request is null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["A JSON body with feature_group, source_table, entity_key and timestamp_column is required."] });
            }

            try
            {
                var version = await store.SyncAsync(new FeatureGroupSync(request.FeatureGroup ?? "", request.SourceTable ?? "", request.EntityKey ?? "", request.TimestampColumn ?? ""), ct);
                return Results.Created($"/api/features/{version.Group}", new
                {
                    feature_group = version.Group,
                    version = version.Version,
                    rows = version.Rows,
                    entities = version.Entities,
                    null_key_rows = version.NullKeyRows,
                    synced_at = version.SyncedAt,
                    offline_table = version.OfflineTable.ToString(),
                    elapsed_ms = (long)version.Elapsed.TotalMilliseconds,
                });
            }
            catch (FeatureStoreException e)
            {
                return Results.ValidationProblem(
                    e.Problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                    title: "The feature group cannot be synced.");
            }
        }).RequireAuthorization(Roles.Analyst);
    }

    private static object Describe(FeatureGroup group, FeatureStore store) => new
    {
        name = group.Name,
        source_table = group.SourceTable.ToString(),
        entity_key = group.EntityKey,
        timestamp_column = group.TimestampColumn,
        offline_table = group.OfflineTable.ToString(),
        version = group.LatestVersion,
        rows = group.Rows,
        entities = group.Entities,
        created_at = group.CreatedAt,
        synced_at = group.SyncedAt,
        newest_timestamp = group.NewestTimestamp,
        online_loaded = store.IsOnlineLoaded(group.Name),
        schema = group.Schema.Select(c => new { name = c.Name, type = c.SourceType ?? c.Type.ToString().ToUpperInvariant(), nullable = c.Nullable }),
    };

    private static IResult UnknownGroup(string group) =>
        Results.Problem(title: "No such feature group.", detail: $"No feature group is named '{group}'.", statusCode: StatusCodes.Status404NotFound);
}
