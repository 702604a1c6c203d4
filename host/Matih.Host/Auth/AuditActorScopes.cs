using Matih.Core.Audit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Matih.Host.Auth;

/// <summary>
/// Sets <see cref="AuditActor"/> for everything the host does on a user's behalf: each HTTP request (after
/// authentication and authorization, so API routes see their bearer user) and each activity of a workbench circuit.
/// The engine services then record their changes by the right user whichever surface called them.
/// </summary>
public static class AuditActorScopes
{
    /// <summary>Registers the circuit handler that flows the signed-in user into circuit activity.</summary>
    public static IServiceCollection AddAuditActor(this IServiceCollection services) =>
        services.AddScoped<CircuitHandler, AuditActorCircuitHandler>();

    /// <summary>Makes the request's user the audit actor; place after <c>UseAuthorization</c>.</summary>
    public static IApplicationBuilder UseAuditActor(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        using (AuditActor.Use(Roles.Caller(http.User).UserName))
        {
            await next(http);
        }
    });
}

/// <summary>
/// Flows a circuit's signed-in user into <see cref="AuditActor"/> for every inbound activity (events, JS interop,
/// navigation), the documented way to reach circuit state from services outside the components.
/// </summary>
internal sealed class AuditActorCircuitHandler(AuthenticationStateProvider authentication) : CircuitHandler
{
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) => async context =>
    {
        var state = await authentication.GetAuthenticationStateAsync();
        using (AuditActor.Use(Roles.Caller(state.User).UserName))
        {
            await next(context);
        }
    };
}
