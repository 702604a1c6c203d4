using System.Security.Claims;
using Matih.Core.Metadata;
using Matih.Core.Scripting;
using Matih.Host.Auth;
using Matih.Host.Scripting;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/scripts</c> (admins only: a script runs arbitrary C# on the host machine): one-shot runs, REPL sessions,
/// completion with signature help, and the audit trail. A script that fails (does not compile, throws, times out,
/// crashes its process) is a result with <c>state</c> failed and the reason in words, not an HTTP error.
/// </summary>
public static class ScriptEndpoints
{
    /// <summary>The body of a run.</summary>
    /// <param name="Code">The C# code.</param>
    /// <param name="Args">The script's arguments.</param>
    /// <param name="TimeoutSeconds">Its time limit.</param>
    /// <param name="Name">Its name in diagnostics (a file path); default <c>api</c>.</param>
    public sealed record RunRequest(string? Code, IReadOnlyList<string>? Args, int? TimeoutSeconds, string? Name);

    /// <summary>The body of a REPL submission.</summary>
    /// <param name="Code">The C# code.</param>
    /// <param name="TimeoutSeconds">Its time limit.</param>
    public sealed record SubmitRequest(string? Code, int? TimeoutSeconds);

    /// <summary>The body of a completion request.</summary>
    /// <param name="Code">The editor's text.</param>
    /// <param name="Position">The caret as an offset into <paramref name="Code"/>.</param>
    /// <param name="SessionId">The REPL session, so its variables complete.</param>
    public sealed record CompleteRequest(string? Code, int? Position, Guid? SessionId);

    /// <summary>Maps the routes.</summary>
    public static void MapScriptEndpoints(this RouteGroupBuilder api)
    {
        var scripts = api.MapGroup("/scripts").RequireAuthorization(Roles.Admin).WithTags("Scripts");

        scripts.MapPost("/run", async (RunRequest? request, ScriptEngine engine, ClaimsPrincipal user, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request?.Code))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["code is required: the C# script to run."] });
            }

            if (request.TimeoutSeconds is < 1 || request.TimeoutSeconds > engine.Options.MaxTimeoutSeconds)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["timeoutSeconds"] = [$"timeoutSeconds must be from 1 to {engine.Options.MaxTimeoutSeconds}."],
                });
            }

            return await GuardAsync(async () => Results.Ok(await engine.RunAsync(request.Code, Roles.Caller(user).UserName,
                new ScriptRunOptions(string.IsNullOrWhiteSpace(request.Name) ? "api" : request.Name, request.Args, engine.Options.Timeout(request.TimeoutSeconds), "api"), ct)));
        });

        scripts.MapPost("/sessions", async (ScriptSessions sessions, ClaimsPrincipal user, CancellationToken ct) =>
            await GuardAsync(async () =>
            {
                var session = await sessions.OpenAsync(Roles.Caller(user).UserName, ct);
                return Results.Created($"/api/scripts/sessions/{session.Id}", Describe(session));
            }));

        scripts.MapGet("/sessions", (ScriptSessions sessions, ClaimsPrincipal user) =>
            sessions.List(Roles.Caller(user).UserName).Select(Describe));

        scripts.MapGet("/sessions/{id:guid}", (Guid id, ScriptSessions sessions, ClaimsPrincipal user) =>
            sessions.Find(id, Roles.Caller(user).UserName) is { } session
                ? Results.Ok(new { session = Describe(session), history = session.History })
                : NoSession(id));

        scripts.MapPost("/sessions/{id:guid}/submit", async (Guid id, SubmitRequest? request, ScriptSessions sessions, ScriptEngine engine, ClaimsPrincipal user,
            CancellationToken ct) =>
        {
            if (sessions.Find(id, Roles.Caller(user).UserName) is not { } session)
            {
                return NoSession(id);
            }

            if (string.IsNullOrWhiteSpace(request?.Code))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["code"] = ["code is required: the C# to submit."] });
            }

            return await GuardAsync(async () => Results.Ok(await sessions.SubmitAsync(session, request.Code, engine.Options.Timeout(request.TimeoutSeconds), null, ct)));
        });

        scripts.MapDelete("/sessions/{id:guid}", async (Guid id, ScriptSessions sessions, ClaimsPrincipal user) =>
            await sessions.CloseAsync(id, Roles.Caller(user).UserName) ? Results.NoContent() : NoSession(id));

        scripts.MapPost("/complete", async (CompleteRequest? request, ScriptLanguageService language, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var code = request?.Code ?? "";
            var position = request?.Position ?? code.Length;
            if (position < 0 || position > code.Length)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["position"] = [$"position must be from 0 to the code's length ({code.Length})."] });
            }

            return await GuardAsync(async () => Results.Ok(await language.CompleteAsync(code, position, request?.SessionId, Roles.Caller(user).UserName, ct)));
        });

        scripts.MapGet("/runs", ListRunsAsync).ProducesValidationProblem();
    }

    private static readonly Dictionary<string, SortField<ScriptRunRecord>> s_runSorts = new(StringComparer.Ordinal)
    {
        ["started_at"] = new(r => r.StartedAt, DescendingByDefault: true),
        ["elapsed_ms"] = new(r => r.ElapsedMs, DescendingByDefault: true),
        ["user"] = new(r => r.UserName),
        ["script"] = new(r => r.ScriptName),
        ["state"] = new(r => r.State),
    };

    /// <summary>
    /// The audited script runs (of one <paramref name="user"/> when given), newest first by default, a page at a time
    /// in the database; <c>q</c> matches the script name, the source (api, pipeline:..., console) or the user.
    /// </summary>
    private static async Task<IResult> ListRunsAsync(string? user, [AsParameters] PageQuery paging, ScriptAudit audit, IDbContextFactory<MetadataDbContext> contexts,
        CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_runSorts.Keys, "started_at");
        if (request is null)
        {
            return problem!;
        }

        // Runs are written in batches; the list shows every run that has finished.
        await audit.FlushAsync(ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var runs = db.Set<ScriptRunRecord>().AsNoTracking();
        if (user is not null)
        {
            runs = runs.Where(r => r.UserName == user);
        }

        if (request.Q?.ToLowerInvariant() is { } q)
        {
            runs = runs.Where(r => r.ScriptName.ToLower().Contains(q) || r.Source.ToLower().Contains(q) || r.UserName.ToLower().Contains(q));
        }

        var page = await runs.ToPageAsync(request, s_runSorts, r => r.Id, ct);
        var items = page.Items.Select(r => (object)new
        {
            runId = r.Id,
            user = r.UserName,
            source = r.Source,
            script = r.ScriptName,
            codeHash = r.CodeHash,
            codeLength = r.CodeLength,
            startedAt = r.StartedAt,
            elapsedMs = r.ElapsedMs,
            state = r.State,
            failure = r.Failure,
            message = r.Message,
        }).ToArray();
        return Results.Ok(new ListPage<object>(items, page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    private static object Describe(ScriptSession session) => new
    {
        id = session.Id,
        user = session.UserName,
        createdAt = session.CreatedAt,
        lastUsedAt = session.LastUsedAt,
        submissions = session.History.Count,
    };

    private static async Task<IResult> GuardAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (ScriptAccessException e)
        {
            return Results.Problem(title: "The user cannot run scripts.", detail: e.Message, statusCode: StatusCodes.Status403Forbidden);
        }
        catch (InvalidOperationException e)
        {
            // The runner is missing or did not start, or too many sessions are open.
            return Results.Problem(title: "Scripts cannot run now.", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult NoSession(Guid id) =>
        Results.Problem(title: "No such session.", detail: $"You have no console session {id}; open one with POST /api/scripts/sessions.", statusCode: StatusCodes.Status404NotFound);
}
