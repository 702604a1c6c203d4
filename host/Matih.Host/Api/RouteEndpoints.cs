using Matih.Host.Auth;
using Matih.Host.OpenApi;

namespace Matih.Host.Api;

/// <summary><c>GET /api/routes</c> (admin): every mapped API route with its methods and whether it needs a token.</summary>
public static class RouteEndpoints
{
    /// <summary>Maps the route list; it is read from the running host's endpoints, so it cannot drift from them.</summary>
    public static void MapRouteEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/routes", (EndpointDataSource endpoints) => TypedResults.Ok(OpenApiSetup.MappedRoutes(endpoints)))
            .RequireAuthorization(Roles.Admin)
            .WithTags("Meta");
    }
}
