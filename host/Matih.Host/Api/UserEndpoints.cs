using Matih.Core.Users;
using Matih.Host.Auth;

namespace Matih.Host.Api;

/// <summary><c>/api/users</c>: admins create users and list them. Passwords are write-only.</summary>
public static class UserEndpoints
{
    /// <summary>The request to create a user.</summary>
    public sealed record CreateUserRequest(string? Username, string? Password, string? Role);

    /// <summary>A user as the API shows it (never the hash).</summary>
    public sealed record UserView(Guid id, string username, string role, bool disabled, DateTimeOffset created_at);

    /// <summary>Maps the user routes.</summary>
    public static void MapUserEndpoints(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").RequireAuthorization(Roles.Admin).WithTags("Users");
        users.MapGet("/", async (UserDirectory directory, CancellationToken cancellationToken) =>
            (await directory.ListAsync(cancellationToken)).Select(ToView));
        users.MapPost("/", CreateAsync);
    }

    private static async Task<IResult> CreateAsync(CreateUserRequest? request, UserDirectory directory, CancellationToken cancellationToken)
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
        else if (UserDirectory.PasswordProblem(request.Password) is { } weak)
        {
            problems["password"] = [weak];
        }

        if (!Enum.TryParse<Role>(request?.Role, ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            problems["role"] = ["role must be one of viewer, analyst, admin."];
        }

        if (problems.Count > 0)
        {
            return Results.ValidationProblem(problems, title: "The user cannot be created.");
        }

        try
        {
            var user = await directory.CreateAsync(request!.Username!, request.Password!, role, cancellationToken);
            return Results.Created($"/api/users/{user.Id}", ToView(user));
        }
        catch (ArgumentException e)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [e.ParamName == "password" ? "password" : "username"] = [e.Message.Split(" (Parameter", 2)[0]] });
        }
    }

    private static UserView ToView(UserAccount u) => new(u.Id, u.UserName, Roles.Name(u.Role), u.Disabled, u.CreatedAt);
}
