using System.Security.Claims;
using Matih.Core.Audit;
using Matih.Core.Users;
using Matih.Host.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Matih.Host.Api;

/// <summary>Signing in: bearer tokens for the API, a cookie for the workbench.</summary>
public static class AuthEndpoints
{
    /// <summary>The token request body.</summary>
    public sealed record TokenRequest(string? Username, string? Password);

    /// <summary>The token response, OAuth-style.</summary>
    public sealed record TokenResponse(string access_token, string token_type, int expires_in);

    /// <summary>Maps <c>POST /api/auth/token</c>, <c>POST /account/login</c> and <c>POST /account/logout</c>.</summary>
    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/token", IssueTokenAsync).AllowAnonymous().WithTags("Auth").Produces<TokenResponse>().ProducesValidationProblem();

        app.MapPost("/account/login", SignInAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/account/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(AuthSetup.Cookie);
            return Results.LocalRedirect("/login");
        }).WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute()).ExcludeFromDescription();
    }

    private static async Task<IResult> IssueTokenAsync(TokenRequest? request, UserDirectory users, TokenIssuer tokens, AuditLog audit, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request?.Username))
        {
            problems["username"] = ["username is required."];
        }

        if (string.IsNullOrEmpty(request?.Password))
        {
            problems["password"] = ["password is required."];
        }

        if (problems.Count > 0)
        {
            return Results.ValidationProblem(problems, title: "The token request is incomplete.");
        }

        var result = await users.SignInAsync(request!.Username!, request.Password!, cancellationToken);
        await RecordSignInAsync(audit, request.Username!, result, "api", cancellationToken);
        if (!result.Succeeded)
        {
            return Results.Problem(title: "Sign-in refused.", detail: result.Error, statusCode: StatusCodes.Status401Unauthorized);
        }

        return Results.Ok(new TokenResponse(tokens.Issue(result.User!), "Bearer", (int)TokenIssuer.Lifetime.TotalSeconds));
    }

    private static async Task<IResult> SignInAsync(
        HttpContext http,
        [FromForm] string? username,
        [FromForm] string? password,
        [FromForm] string? returnUrl,
        UserDirectory users,
        AuditLog audit,
        CancellationToken cancellationToken)
    {
        var back = string.IsNullOrEmpty(returnUrl) || !returnUrl.StartsWith('/') || returnUrl.StartsWith("//", StringComparison.Ordinal) ? "/" : returnUrl;
        var result = string.IsNullOrWhiteSpace(username) || string.IsNullOrEmpty(password)
            ? new SignInOutcome(null, "Enter your user name and password.")
            : await users.SignInAsync(username, password, cancellationToken);
        if (!string.IsNullOrWhiteSpace(username))
        {
            await RecordSignInAsync(audit, username, result, "workbench", cancellationToken);
        }

        if (!result.Succeeded)
        {
            return Results.LocalRedirect($"/login?error={Uri.EscapeDataString(result.Error!)}&returnUrl={Uri.EscapeDataString(back)}");
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(TokenIssuer.NameClaim, result.User!.UserName),
                new Claim(TokenIssuer.RoleClaim, Roles.Name(result.User.Role)),
                new Claim("sub", result.User.Id.ToString()),
            ],
            AuthSetup.Cookie,
            TokenIssuer.NameClaim,
            TokenIssuer.RoleClaim);
        await http.SignInAsync(AuthSetup.Cookie, new ClaimsPrincipal(identity));
        return Results.LocalRedirect(back);
    }

    private static Task RecordSignInAsync(AuditLog audit, string userName, SignInOutcome result, string via, CancellationToken cancellationToken) =>
        result.Succeeded
            ? audit.RecordAsync(result.User!.UserName, "auth.login", result.User.UserName, $"via {via}", cancellationToken)
            : audit.RecordAsync(userName, "auth.login_failed", userName, $"via {via}: {result.Error}", cancellationToken);
}
