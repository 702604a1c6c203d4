using Hangfire.Dashboard;

namespace Matih.Host.Auth;

/// <summary>Lets only signed-in admins (workbench cookie) into the Hangfire dashboard.</summary>
public sealed class HangfireAdminFilter : IDashboardAuthorizationFilter
{
    /// <inheritdoc />
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && user.IsInRole(Roles.Admin);
    }
}
