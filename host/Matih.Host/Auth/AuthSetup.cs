using System.Security.Claims;
using Matih.Core.Audit;
using Matih.Core.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace Matih.Host.Auth;

/// <summary>
/// Two ways in: bearer JWTs for the API and serving (scripts, CI, third parties) and a cookie for the workbench.
/// API routes accept only the bearer scheme, so a browser cookie cannot be replayed against them. The bearer is
/// either a JWT from <c>POST /api/auth/token</c> or a personal API token (<c>mtk_...</c>); both stop working as soon
/// as their user is disabled, and an API token as soon as it is revoked.
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
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<AuditLog>();
        services.AddAuditActor();
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
                options.Events = new CookieAuthenticationEvents
                {
                    // A disabled user's workbench session ends on their next request.
                    OnValidatePrincipal = async context =>
                    {
                        if (!await IsActiveAsync(context.HttpContext, context.Principal))
                        {
                            context.RejectPrincipal();
                            await context.HttpContext.SignOutAsync(Cookie);
                        }
                    },
                };
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
                    // Personal API tokens are opaque secrets, not JWTs: look them up instead of validating a signature.
                    OnMessageReceived = async context =>
                    {
                        var header = context.Request.Headers.Authorization.ToString();
                        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || !ApiTokens.IsApiToken(header[7..].Trim()))
                        {
                            return;
                        }

                        var tokens = context.HttpContext.RequestServices.GetRequiredService<ApiTokens>();
                        var identity = await tokens.ValidateAsync(header[7..].Trim(), context.HttpContext.RequestAborted);
                        if (identity is null)
                        {
                            context.Fail("The API token is unknown, revoked or expired, or its user is disabled.");
                            return;
                        }

                        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                            [
                                new Claim(TokenIssuer.NameClaim, identity.UserName),
                                new Claim(TokenIssuer.RoleClaim, Roles.Name(identity.Role)),
                                new Claim("sub", identity.UserId.ToString()),
                                new Claim(TokenClaim, identity.TokenId.ToString()),
                            ],
                            Bearer,
                            TokenIssuer.NameClaim,
                            TokenIssuer.RoleClaim));
                        context.Success();
                    },
                    // A JWT outlives nothing: once its user is disabled it is refused, though not yet expired.
                    OnTokenValidated = async context =>
                    {
                        if (!await IsActiveAsync(context.HttpContext, context.Principal))
                        {
                            context.Fail("The user of this token is disabled.");
                        }
                    },
                    // Answer 401/403 as problem details that say what to do, not an empty body.
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        var detail = context.AuthenticateFailure is null
                            ? "Send a bearer token: POST /api/auth/token with {username, password}, then Authorization: Bearer <access_token>."
                            : context.AuthenticateFailure.Message.StartsWith("IDX", StringComparison.Ordinal)
                                ? "The bearer token is invalid or expired; request a new one from POST /api/auth/token."
                                : $"{context.AuthenticateFailure.Message} Request a new JWT from POST /api/auth/token or use a valid API token.";
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

    /// <summary>The claim naming the API token a request came with (absent for JWTs and cookies).</summary>
    public const string TokenClaim = "token_id";

    private static async Task<bool> IsActiveAsync(HttpContext http, ClaimsPrincipal? principal)
    {
        if (!Guid.TryParse(principal?.FindFirst("sub")?.Value, out var userId))
        {
            return false;
        }

        return await http.RequestServices.GetRequiredService<UserDirectory>().IsActiveAsync(userId, http.RequestAborted);
    }
}
