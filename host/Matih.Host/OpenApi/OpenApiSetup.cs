using Matih.Host.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Scalar.AspNetCore;

namespace Matih.Host.OpenApi;

/// <summary>
/// The API as a product: the OpenAPI document of every <c>/api</c>, <c>/serve</c> and <c>/health</c> route at
/// <c>/openapi/v1.json</c>, and Scalar's interactive reference at <c>/scalar</c>, both served by the host itself.
/// </summary>
public static class OpenApiSetup
{
    /// <summary>The document's name: <c>/openapi/{DocumentName}.json</c>.</summary>
    public const string DocumentName = "v1";

    /// <summary>Where the document is served.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Where the interactive reference is served.</summary>
    public const string ReferencePath = "/scalar";

    /// <summary>The security scheme's name in the document (a bearer JWT from <c>POST /api/auth/token</c>).</summary>
    public const string BearerScheme = "Bearer";

    /// <summary>Registers the document generator with Matih's transformers (security, problem responses, summaries, seed examples).</summary>
    public static IServiceCollection AddMatihOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(DocumentName, options =>
        {
            // The workbench pages, the sign-in form and Hangfire's dashboard are not part of the public API.
            options.ShouldInclude = description => description.RelativePath is { } path
                && (path.StartsWith("api/", StringComparison.Ordinal) || path.StartsWith("serve/", StringComparison.Ordinal) || path == "health");
            // Anonymous response objects are described inline rather than as "AnonymousTypeOf..." components.
            options.CreateSchemaReferenceId = type => type.Type.Name.Contains("AnonymousType", StringComparison.Ordinal)
                ? null
                : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddDocumentTransformer<MatihDocumentTransformer>();
            options.AddOperationTransformer<MatihOperationTransformer>();
        });
        return services;
    }

    /// <summary>
    /// Maps the document and the reference. Both are anonymous: they describe the contract, not data, and a client
    /// (or a code generator) needs them before it has a token; every route they describe still checks its token.
    /// </summary>
    public static IEndpointRouteBuilder MapMatihOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous().ExcludeFromDescription();
        app.MapScalarApiReference(ReferencePath, options =>
        {
            options.WithTitle("Matih API reference")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .AddPreferredSecuritySchemes(BearerScheme)
                // Everything from this host: the bundled scalar.js (the default), no font CDN, no telemetry.
                .DisableDefaultFonts()
                .DisableTelemetry();
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Every HTTP route of the public API (<c>/api</c>, <c>/serve</c>, <c>/health</c>) as the running host maps it, with
    /// its methods and whether it needs a token: what the OpenAPI document must describe.
    /// </summary>
    public static IReadOnlyList<MappedRoute> MappedRoutes(EndpointDataSource endpoints) =>
        endpoints.Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Pattern: "/" + (e.RoutePattern.RawText ?? "").Trim('/')))
            .Where(e => e.Pattern.StartsWith("/api/", StringComparison.Ordinal) || e.Pattern.StartsWith("/serve/", StringComparison.Ordinal) || e.Pattern == "/health")
            .Where(e => e.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is not null)
            .Select(e => new MappedRoute(
                e.Pattern,
                e.Endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Order(StringComparer.Ordinal).ToArray(),
                RequiresToken(e.Endpoint.Metadata)))
            .OrderBy(r => r.Pattern, StringComparer.Ordinal)
            .ToArray();

    /// <summary>True when the endpoint asks for an authenticated caller (and does not opt out).</summary>
    internal static bool RequiresToken(EndpointMetadataCollection metadata) =>
        metadata.GetMetadata<IAllowAnonymous>() is null && metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0;
}

/// <summary>A mapped route: its pattern as written (<c>/api/connections/{id}/runs/{runId:guid}</c>), methods and whether it needs a token.</summary>
public sealed record MappedRoute(string Pattern, IReadOnlyList<string> Methods, bool RequiresToken);
