using Matih.Core.Users;

namespace Matih.Host.Auth;

/// <summary>Role names in tokens and the authorization policies built on them.</summary>
public static class Roles
{
    /// <summary>Policy: any signed-in user (viewer, analyst or admin).</summary>
    public const string Viewer = "viewer";

    /// <summary>Policy: analysts and admins.</summary>
    public const string Analyst = "analyst";

    /// <summary>Policy: admins only.</summary>
    public const string Admin = "admin";

    /// <summary>The claim value for <paramref name="role"/>.</summary>
    public static string Name(Role role) => role switch
    {
        Role.Viewer => Viewer,
        Role.Analyst => Analyst,
        Role.Admin => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>The caller behind a signed-in principal (bearer or cookie).</summary>
    public static Matih.Core.Query.SqlCaller Caller(System.Security.Claims.ClaimsPrincipal user) => new(
        user.FindFirst(TokenIssuer.NameClaim)?.Value ?? "anonymous",
        user.FindFirst(TokenIssuer.RoleClaim)?.Value switch
        {
            Admin => Role.Admin,
            Analyst => Role.Analyst,
            _ => Role.Viewer,
        });

    /// <summary>The roles a policy admits.</summary>
    public static string[] AtLeast(string policy) => policy switch
    {
        Viewer => [Viewer, Analyst, Admin],
        Analyst => [Analyst, Admin],
        Admin => [Admin],
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, null),
    };
}
