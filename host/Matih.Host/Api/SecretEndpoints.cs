using System.Security.Claims;
using Matih.Core.Audit;
using Matih.Core.Secrets;
using Matih.Host.Auth;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/secrets</c> (admins): the names connections and notifier channels reference as <c>${NAME}</c>. Values are
/// write-only: set and deleted here, never returned, never logged, never in the audit log.
/// </summary>
public static class SecretEndpoints
{
    /// <summary>The body of <c>PUT /api/secrets/{name}</c>.</summary>
    public sealed record SetSecretRequest(string? Value);

    /// <summary>A secret as the API shows it: its name and where it comes from, never its value.</summary>
    public sealed record SecretView(string name, string source, DateTimeOffset? updated_at);

    /// <summary>The list, with whether this host can store secrets itself.</summary>
    public sealed record SecretListView(bool writable, string store, IReadOnlyList<SecretView> items);

    /// <summary>Maps the secret routes.</summary>
    public static void MapSecretEndpoints(this RouteGroupBuilder api)
    {
        var secrets = api.MapGroup("/secrets").RequireAuthorization(Roles.Admin).WithTags("Secrets");
        secrets.MapGet("/", (ISecretStore store) => new SecretListView(
            store.Writable, store.Writable ? "file" : "environment", store.List().Select(s => new SecretView(s.Name, s.Source, s.UpdatedAt)).ToList()));
        secrets.MapPut("/{name}", SetAsync);
        secrets.MapDelete("/{name}", async (string name, ISecretStore store, ClaimsPrincipal caller, AuditLog audit, CancellationToken ct) =>
        {
            if (!store.Writable)
            {
                return ReadOnly(store);
            }

            if (!await store.DeleteAsync(name, ct))
            {
                return Results.Problem(title: "Not found.", detail: $"The encrypted store has no secret named {name}.", statusCode: StatusCodes.Status404NotFound);
            }

            await audit.RecordAsync(UserEndpoints.Actor(caller), "secret.deleted", name, null, ct);
            return Results.NoContent();
        });
    }

    private static async Task<IResult> SetAsync(string name, SetSecretRequest? request, ISecretStore store, ClaimsPrincipal caller, AuditLog audit, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        if (!SecretStore.IsValidName(name))
        {
            problems["name"] = ["A secret name starts with a letter or underscore and has only letters, digits and underscores (at most 100)."];
        }

        if (string.IsNullOrEmpty(request?.Value))
        {
            problems["value"] = ["value is required."];
        }

        if (problems.Count > 0)
        {
            return Results.ValidationProblem(problems, title: "The secret cannot be stored.");
        }

        if (!store.Writable)
        {
            return ReadOnly(store);
        }

        var existed = store.List().Any(s => s.Source == "file" && s.Name == name);
        await store.SetAsync(name, request!.Value!, ct);
        await audit.RecordAsync(UserEndpoints.Actor(caller), existed ? "secret.updated" : "secret.created", name, null, ct);
        return Results.NoContent();
    }

    private static IResult ReadOnly(ISecretStore store) =>
        Results.Problem(title: "Secrets come from the environment on this host.", detail: SecretStore.ReadOnlyMessage, statusCode: StatusCodes.Status409Conflict);
}
