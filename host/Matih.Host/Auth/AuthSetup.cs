using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Matih.Host.Auth;

/// <summary>
/// Two ways in: bearer JWTs for the API and serving (scripts, CI, third parties) and a cookie for the workbench.
/// API routes accept only the bearer scheme, so a browser cookie cannot be replayed against them.
/// </summary>
public static class AuthSetup
{
    /// <summary>The API's authentication scheme.</summary>
    public const string Bearer = JwtBearerDefaults.AuthenticationScheme;

    /// <summary>The workbench's authentication scheme.</summary>
    public const string Cookie = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>Registers both schemes, the token issuer and the role policies.</summary>
    public static IServiceCollection AddMatihAuth(this IServiceCollection services, string dataDirectory)
    {
        var key = TokenIssuer.LoadOrCreateKey(dataDirectory);
        services.AddSingleton(sp => new TokenIssuer(key, sp.GetRequiredService<TimeProvider>()));
        services.AddAuthentication(Cookie)
            .AddCookie(Cookie, options =>
            {
                options.LoginPath = "/login";
                options.LogoutPath = "/account/logout";
                options.AccessDeniedPath = "/denied";
                options.Cookie.Name = "matih.auth";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
            })
            .AddJwtBearer(Bearer, options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = TokenIssuer.Issuer,
                    ValidAudience = TokenIssuer.Issuer,
                    IssuerSigningKey = key,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = TokenIssuer.NameClaim,
                    RoleClaimType = TokenIssuer.RoleClaim,
                };
                options.Events = new JwtBearerEvents
                {
                    // Answer 401/403 as problem details that say what to do, not an empty body.
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        var detail = context.AuthenticateFailure is null
                            ? "Send a bearer token: POST /api/auth/token with {username, password}, then Authorization: Bearer <access_token>."
                            : "The bearer token is invalid or expired; request a new one from POST /api/auth/token.";
                        await Results.Problem(title: "Authentication required.", detail: detail, statusCode: StatusCodes.Status401Unauthorized)
                            .ExecuteAsync(context.HttpContext);
                    },
                    OnForbidden = async context =>
                    {
                        var role = context.HttpContext.User.FindFirst(TokenIssuer.RoleClaim)?.Value ?? "none";
                        await Results.Problem(title: "Not allowed for your role.", detail: $"Your role ({role}) may not use {context.Request.Method} {context.Request.Path}.",
                            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context.HttpContext);
                    },
                };
            });

        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Viewer, p => p.RequireRole(Roles.AtLeast(Roles.Viewer)))
            .AddPolicy(Roles.Analyst, p => p.RequireRole(Roles.AtLeast(Roles.Analyst)))
            .AddPolicy(Roles.Admin, p => p.RequireRole(Roles.AtLeast(Roles.Admin)));
        services.AddCascadingAuthenticationState();
        return services;
    }
}
