using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Matih.Host.OpenApi;

/// <summary>The document as a whole: what Matih is, the bearer scheme, and the tags in the workbench's order.</summary>
internal sealed class MatihDocumentTransformer : IOpenApiDocumentTransformer
{
    private static readonly (string Name, string Description)[] s_tags =
    [
        ("Auth", "Bearer tokens: POST /api/auth/token with {username, password}, then send Authorization: Bearer <access_token>."),
        ("Health", "The stores, plugins and demo; no token needed."),
        ("Plugins", "Installed plugins with their state."),
        ("Connections", "Sources in the seed's Airbyte-style format; syncs and their runs."),
        ("Files", "CSV, Parquet and JSON uploads: preview and import."),
        ("Catalog", "Search tables, read their schema, profile and lineage."),
        ("Query", "SQL against the warehouse and saved queries."),
        ("Pipelines", "DAGs of tasks in the seed's pipeline format; runs, retries, reruns."),
        ("Quality", "Expectation suites and their validations."),
        ("Features", "Feature groups, offline and online."),
        ("Experiments", "Training runs and their comparison."),
        ("Models", "The model registry: versions and stages."),
        ("Deployments", "Models served under /serve/{deployment}."),
        ("Serving", "Predictions and health of deployed models."),
        ("Monitoring", "Drift monitors, their reports and alerts."),
        ("A/B tests", "Traffic splits between two model versions, results and promotion."),
        ("Scripts", "C# scripts against the platform (admin)."),
        ("Users", "Accounts and roles (admin)."),
        ("Tokens", "Personal API tokens for scripts and CI, shown once."),
        ("Audit", "Who did what when (admin)."),
        ("Demo", "The NovaMart demo."),
        ("Meta", "The API describing itself."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Matih API",
            Version = "v1",
            Description = "The REST surface of Matih, the data and ML workbench: the same routes the workbench, scripts and CI use. "
                + "Every route except /health and POST /api/auth/token needs a bearer token (viewer, analyst or admin). "
                + "Errors are RFC 7807 problem details (application/problem+json) naming the field, JSON path or parameter at fault. "
                + "List routes page with ?page=&pageSize=&sort=&order=&q= and answer {items, total, page, pageSize}.",
        };

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[OpenApiSetup.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A token from POST /api/auth/token. Its role (viewer < analyst < admin) decides what a route allows.",
        };

        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var known = s_tags.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        document.Tags = new HashSet<OpenApiTag>(s_tags.Where(t => used.Contains(t.Name)).Select(t => new OpenApiTag { Name = t.Name, Description = t.Description })
            .Concat(used.Where(t => t is not null && !known.Contains(t)).Order(StringComparer.Ordinal).Select(t => new OpenApiTag { Name = t })));
        return Task.CompletedTask;
    }
}
