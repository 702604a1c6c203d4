using System.Security.Claims;
using System.Text.Json.Serialization;
using Matih.Core.Audit;
using Matih.Core.Metadata;
using Matih.Core.Users;
using Matih.Host.Auth;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/users</c> (admins): create, list, disable, reset passwords, assign roles. <c>/api/tokens</c> (anyone signed
/// in): personal API tokens, shown once. Passwords and token secrets are write-only.
/// </summary>
public static class UserEndpoints
{
    /// <summary>The request to create a user.</summary>
    public sealed record CreateUserRequest(string? Username, string? Password, string? Role);

    /// <summary>A change to a user: any of role and disabled.</summary>
    public sealed record UpdateUserRequest(string? Role, bool? Disabled);

    /// <summary>A new password set by an admin.</summary>
    public sealed record ResetPasswordRequest(string? Password);

    /// <summary>The request to make a personal API token.</summary>
    /// <param name="Name">What it is for, e.g. "nightly CI".</param>
    /// <param name="Role">At most the caller's role; the caller's role when omitted.</param>
    /// <param name="ExpiresAt">When it stops working by itself; never when omitted.</param>
    public sealed record CreateTokenRequest(string? Name, string? Role, [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt);

    /// <summary>A user as the API shows it (never the hash).</summary>
    public sealed record UserView(Guid id, string username, string role, bool disabled, bool locked, DateTimeOffset created_at);

    /// <summary>A token as lists show it: never the secret.</summary>
    public sealed record TokenView(Guid id, string name, string username, string role, string prefix, DateTimeOffset created_at,
        DateTimeOffset? expires_at, DateTimeOffset? revoked_at);

    /// <summary>A token just made: the only time <c>token</c> (the secret) is returned.</summary>
    public sealed record IssuedTokenView(Guid id, string name, string role, string token, DateTimeOffset created_at, DateTimeOffset? expires_at);

    private static readonly Dictionary<string, SortField<UserAccount>> s_userSorts = new(StringComparer.Ordinal)
    {
        ["username"] = new(u => u.UserName),
        ["role"] = new(u => u.Role),
        ["created_at"] = new(u => u.CreatedAt, DescendingByDefault: true),
    };

    private static readonly Dictionary<string, SortField<ApiToken>> s_tokenSorts = new(StringComparer.Ordinal)
    {
        ["created_at"] = new(t => t.CreatedAt, DescendingByDefault: true),
        ["name"] = new(t => t.Name),
        ["username"] = new(t => t.UserName),
        ["expires_at"] = new(t => t.ExpiresAt),
    };

    /// <summary>Maps the user and token routes.</summary>
    public static void MapUserEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").RequireAuthorization(Roles.Admin).WithTags("Users");
        users.MapGet("/", ListUsersAsync).Produces<ListPage<UserView>>().ProducesValidationProblem();
        users.MapPost("/", CreateAsync);
        users.MapGet("/{id:guid}", async (Guid id, UserDirectory directory, TimeProvider clock, CancellationToken cancellationToken) =>
            await directory.FindAsync(id, cancellationToken) is { } user ? Results.Ok(ToView(user, clock.GetUtcNow())) : NoUser(id));
        users.MapPatch("/{id:guid}", UpdateAsync);
        users.MapPost("/{id:guid}/password", ResetPasswordAsync);

        var tokens = api.MapGroup("/tokens").WithTags("Tokens");
        tokens.MapGet("/", ListTokensAsync).Produces<ListPage<TokenView>>().ProducesValidationProblem();
        tokens.MapPost("/", CreateTokenAsync);
        tokens.MapDelete("/{id:guid}", RevokeTokenAsync);
    }

    /// <summary>Users, a page at a time in the database (default by username); <c>q</c> matches the username.</summary>
    private static async Task<IResult> ListUsersAsync([AsParameters] PageQuery paging, IDbContextFactory<MetadataDbContext> contexts, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var (request, problem) = paging.Validate(s_userSorts.Keys, "username");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var users = db.Users.AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            users = users.Where(u => u.UserName.ToLower().Contains(q));
        }

        var page = await users.ToPageAsync(request, s_userSorts, u => u.Id, cancellationToken);
        var now = clock.GetUtcNow();
        return Results.Ok(new ListPage<UserView>(page.Items.Select(u => ToView(u, now)).ToArray(), page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>
    /// The caller's tokens (everyone's for an admin asking <c>all=true</c>), a page at a time in the database, newest
    /// first by default; <c>q</c> matches the token's name, its user's name or its prefix.
    /// </summary>
    private static async Task<IResult> ListTokensAsync([AsParameters] PageQuery paging, ClaimsPrincipal caller, bool? all, IDbContextFactory<MetadataDbContext> contexts,
        CancellationToken cancellationToken)
    {
        var (request, problem) = paging.Validate(s_tokenSorts.Keys, "created_at");
        if (request is null)
        {
            return problem!;
        }

        // Admins may list everyone's tokens (to revoke a leaked one); others see their own.
        var everyone = all == true && caller.IsInRole(Roles.Admin);
        var owner = UserId(caller);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tokens = db.Set<ApiToken>().AsNoTracking();
        if (!everyone)
        {
            tokens = tokens.Where(t => t.UserId == owner);
        }

        if (request.Q?.ToLowerInvariant() is { } q)
        {
            tokens = tokens.Where(t => t.Name.ToLower().Contains(q) || t.UserName.ToLower().Contains(q) || t.Prefix.ToLower().Contains(q));
        }

        var page = await tokens.ToPageAsync(request, s_tokenSorts, t => t.Id, cancellationToken);
        return Results.Ok(new ListPage<TokenView>(page.Items.Select(ToView).ToArray(), page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    private static async Task<IResult> CreateAsync(CreateUserRequest? request, ClaimsPrincipal caller, UserDirectory directory, AuditLog audit, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request?.Username))
        {
            problems["username"] = ["username is required."];
        }
        else if (UserDirectory.UserNameProblem(request.Username) is { } badName)
        {
            problems["username"] = [badName];
        }

        if (string.IsNullOrEmpty(request?.Password))
        {
            problems["password"] = ["password is required."];
        }
        else if (PasswordRules.Problems(request.Password, request.Username) is { Count: > 0 } weak)
        {
            problems["password"] = [.. weak];
        }

        if (ParseRole(request?.Role) is not { } role)
        {
            problems["role"] = ["role must be one of viewer, analyst, admin."];
            role = Role.Viewer;
        }

        if (problems.Count > 0)
        {
            return Results.ValidationProblem(problems, title: "The user cannot be created.");
        }

        try
        {
            var user = await directory.CreateAsync(request!.Username!, request.Password!, role, cancellationToken);
            await audit.RecordAsync(Actor(caller), "user.created", user.UserName, $"role {Roles.Name(user.Role)}", cancellationToken);
            return Results.Created($"/api/users/{user.Id}", ToView(user, clock.GetUtcNow()));
        }
        catch (ArgumentException e)
        {
            return FieldProblem(e, "The user cannot be created.");
        }
    }

    private static async Task<IResult> UpdateAsync(Guid id, UpdateUserRequest? request, ClaimsPrincipal caller, UserDirectory directory, AuditLog audit, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        Role? role = null;
        if (request?.Role is not null)
        {
            role = ParseRole(request.Role);
            if (role is null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["role"] = ["role must be one of viewer, analyst, admin."] }, title: "The user cannot be changed.");
            }
        }

        if (role is null && request?.Disabled is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["$"] = ["Send role, disabled, or both."] }, title: "The user cannot be changed.");
        }

        try
        {
            UserAccount? user = null;
            if (role is { } newRole)
            {
                var before = await directory.FindAsync(id, cancellationToken);
                user = await directory.SetRoleAsync(id, newRole, cancellationToken);
                if (user is not null && before is not null && before.Role != newRole)
                {
                    await audit.RecordAsync(Actor(caller), "user.role_changed", user.UserName, $"{Roles.Name(before.Role)} -> {Roles.Name(newRole)}", cancellationToken);
                }
            }

            if (request!.Disabled is { } disabled)
            {
                if (disabled && UserId(caller) == id)
                {
                    return Results.ValidationProblem(new Dictionary<string, string[]> { ["disabled"] = ["You cannot disable yourself."] }, title: "The user cannot be changed.");
                }

                var before = await directory.FindAsync(id, cancellationToken);
                user = await directory.SetDisabledAsync(id, disabled, cancellationToken);
                if (user is not null && before is not null && before.Disabled != disabled)
                {
                    await audit.RecordAsync(Actor(caller), disabled ? "user.disabled" : "user.enabled", user.UserName, null, cancellationToken);
                }
            }

            return user is null ? NoUser(id) : Results.Ok(ToView(user, clock.GetUtcNow()));
        }
        catch (ArgumentException e)
        {
            return FieldProblem(e, "The user cannot be changed.");
        }
    }

    private static async Task<IResult> ResetPasswordAsync(Guid id, ResetPasswordRequest? request, ClaimsPrincipal caller, UserDirectory directory, AuditLog audit,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request?.Password))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["password"] = ["password is required."] }, title: "The password cannot be reset.");
        }

        if (await directory.FindAsync(id, cancellationToken) is not { } existing)
        {
            return NoUser(id);
        }

        if (PasswordRules.Problems(request.Password, existing.UserName) is { Count: > 0 } weak)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["password"] = [.. weak] }, title: "The password cannot be reset.");
        }

        var user = await directory.ResetPasswordAsync(id, request.Password, cancellationToken);
        if (user is null)
        {
            return NoUser(id);
        }

        await audit.RecordAsync(Actor(caller), "user.password_reset", user.UserName, null, cancellationToken);
        return Results.Ok(ToView(user, clock.GetUtcNow()));
    }

    private static async Task<IResult> CreateTokenAsync(CreateTokenRequest? request, ClaimsPrincipal caller, UserDirectory directory, ApiTokens store, AuditLog audit,
        CancellationToken cancellationToken)
    {
        if (UserId(caller) is not { } ownerId || await directory.FindAsync(ownerId, cancellationToken) is not { } owner)
        {
            return Results.Problem(title: "No user.", detail: "This credential does not belong to a user who can own tokens.", statusCode: StatusCodes.Status403Forbidden);
        }

        var problems = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request?.Name))
        {
            problems["name"] = ["name is required: say what the token is for, e.g. \"nightly CI\"."];
        }

        var role = owner.Role;
        if (request?.Role is not null)
        {
            if (ParseRole(request.Role) is { } asked)
            {
                role = asked;
            }
            else
            {
                problems["role"] = ["role must be one of viewer, analyst, admin."];
            }
        }

        // A token made with another token never does more than the token it was made with.
        if (caller.FindFirst(AuthSetup.TokenClaim) is not null && ParseRole(caller.FindFirst(TokenIssuer.RoleClaim)?.Value) is { } current && role > current)
        {
            problems["role"] = [$"A token cannot do more than the credential that makes it ({Roles.Name(current)})."];
        }

        if (problems.Count > 0)
        {
            return Results.ValidationProblem(problems, title: "The token cannot be made.");
        }

        try
        {
            var issued = await store.CreateAsync(owner, request!.Name!, role, request.ExpiresAt, cancellationToken);
            await audit.RecordAsync(owner.UserName, "token.created", $"{issued.Token.Name} ({issued.Token.Prefix}…)", $"role {Roles.Name(role)}", cancellationToken);
            var t = issued.Token;
            return Results.Created($"/api/tokens/{t.Id}", new IssuedTokenView(t.Id, t.Name, Roles.Name(t.Role), issued.Secret, t.CreatedAt, t.ExpiresAt));
        }
        catch (ArgumentException e)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                [e.ParamName switch { "expiresAt" => "expires_at", "role" => "role", _ => "name" }] = [e.Message.Split(" (Parameter", 2)[0]],
            }, title: "The token cannot be made.");
        }
    }

    private static async Task<IResult> RevokeTokenAsync(Guid id, ClaimsPrincipal caller, ApiTokens store, AuditLog audit, CancellationToken cancellationToken)
    {
        Guid? owner = caller.IsInRole(Roles.Admin) ? null : UserId(caller) ?? Guid.Empty;
        var token = await store.RevokeAsync(id, owner, cancellationToken);
        if (token is null)
        {
            return Results.Problem(title: "Not found.", detail: $"You have no token with id {id}.", statusCode: StatusCodes.Status404NotFound);
        }

        await audit.RecordAsync(Actor(caller), "token.revoked", $"{token.Name} ({token.Prefix}…)", $"owner {token.UserName}", cancellationToken);
        return Results.NoContent();
    }

    /// <summary>The role named <paramref name="text"/> (viewer, analyst, admin), or null.</summary>
    internal static Role? ParseRole(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        Roles.Viewer => Role.Viewer,
        Roles.Analyst => Role.Analyst,
        Roles.Admin => Role.Admin,
        _ => null,
    };

    /// <summary>The signed-in user's name for the audit log.</summary>
    internal static string Actor(ClaimsPrincipal caller) => Roles.Caller(caller).UserName;

    private static Guid? UserId(ClaimsPrincipal caller) => Guid.TryParse(caller.FindFirst("sub")?.Value, out var id) ? id : null;

    private static IResult FieldProblem(ArgumentException e, string title) => Results.ValidationProblem(
        new Dictionary<string, string[]> { [e.ParamName switch { "password" => "password", "userName" => "username", "disabled" => "disabled", "role" => "role", _ => "$" }] = [e.Message.Split(" (Parameter", 2)[0]] },
        title: title);

    private static IResult NoUser(Guid id) => Results.Problem(title: "Not found.", detail: $"There is no user with id {id}.", statusCode: StatusCodes.Status404NotFound);

    private static UserView ToView(UserAccount u, DateTimeOffset now) =>
        new(u.Id, u.UserName, Roles.Name(u.Role), u.Disabled, u.LockedUntil > now, u.CreatedAt);

    private static TokenView ToView(ApiToken t) =>
        new(t.Id, t.Name, t.UserName, Roles.Name(t.Role), t.Prefix, t.CreatedAt, t.ExpiresAt, t.RevokedAt);
}
