using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Connections;
using Matih.Core.Experiments;
using Matih.Core.Metadata;
using Matih.Host.Auth;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary>
/// <c>/api/experiments</c>: start training runs as background jobs, follow their progress, and read the comparison
/// table (paged, sortable) and each run's metrics, curves, importances, artifact and data snapshot.
/// <c>/api/trainers</c> lists the trainers with their hyperparameters.
/// </summary>
public static class ExperimentEndpoints
{
    /// <summary>Maps the experiment routes.</summary>
    public static void MapExperimentEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/trainers", (ExperimentRuns runs) => runs.Trainers.Select(t => new
        {
            id = t.Id,
            name = t.DisplayName,
            framework = t.Framework,
            hyperparameters = t.Hyperparameters,
        })).WithTags("Experiments");

        var group = api.MapGroup("/experiments").WithTags("Experiments");
        group.MapGet("/", ListExperimentsAsync).Produces<ListPage<ExperimentSummary>>().ProducesValidationProblem();
        group.MapPost("/{name}/runs", StartAsync).RequireAuthorization(Roles.Analyst);
        group.MapGet("/{name}/runs", ListAsync).Produces<ExperimentRunPage>().ProducesValidationProblem();
        group.MapGet("/{name}/runs/{run}", async (string name, string run, ExperimentRuns runs, CancellationToken ct) =>
            await runs.GetRunAsync(name, run, ct) is { } found ? Results.Ok(Flatten(found)) : NoRun(name, run));
        group.MapPost("/{name}/runs/{run}/cancel", async (string name, string run, ExperimentRuns runs, CancellationToken ct) =>
            await runs.CancelAsync(name, run, ct)
                ? Results.Accepted()
                : Results.Problem(title: "Nothing to cancel.", detail: $"Experiment '{name}' has no queued or running run '{run}'.", statusCode: StatusCodes.Status409Conflict))
            .RequireAuthorization(Roles.Analyst);
    }

    private static async Task<IResult> StartAsync(string name, HttpRequest request, ExperimentRuns runs, ClaimsPrincipal user, CancellationToken ct)
    {
        JsonNode? document;
        try
        {
            document = await JsonNode.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { [e.Path ?? "$"] = [$"Not valid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}."] });
        }

        var started = await runs.StartAsync(name, document, Roles.Caller(user).UserName, ct);
        if (started.Conflict is { } conflict)
        {
            return Results.Problem(title: "The run exists.", detail: conflict, statusCode: StatusCodes.Status409Conflict);
        }

        if (started.RunId is not { } runId)
        {
            return Problems(started.Problems);
        }

        return Results.Accepted($"/api/experiments/{Uri.EscapeDataString(name)}/runs/{runId}", new { runId, state = started.State });
    }

    private static async Task<IResult> ListAsync(string name, [AsParameters] PageQuery paging, ExperimentRuns runs, CancellationToken ct)
    {
        // Sort and order are checked by the run store, which knows its columns; page and pageSize here, like every list.
        if (paging.Page is < 1 || paging.PageSize is < 1 or > ExperimentRuns.MaxPageSize)
        {
            return (paging with { Sort = null, Order = null }).Validate(["queued_at"], "queued_at").Problem!;
        }

        try
        {
            return await runs.ListRunsAsync(name, paging.Page ?? 1, paging.PageSize ?? PageQuery.DefaultPageSize, paging.Sort, paging.Order, ct) is { } found
                ? Results.Ok(found)
                : Results.Problem(title: "No such experiment.", detail: $"No experiment is named '{name}'.", statusCode: StatusCodes.Status404NotFound);
        }
        catch (ArgumentException e)
        {
            var field = e.Message.Split(':', 2)[0];
            return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [e.Message] });
        }
    }

    /// <summary>A run as one flat object: the comparison figures, then what the run recorded.</summary>
    private static object Flatten(ExperimentRunView run)
    {
        var s = run.Summary;
        return new
        {
            s.RunId,
            s.Experiment,
            s.Name,
            s.Trainer,
            s.Model,
            run.Framework,
            s.State,
            s.Stage,
            s.Progress,
            run.Table,
            run.Label,
            s.Features,
            run.NumericFeatures,
            run.CategoricalFeatures,
            run.Params,
            run.Hyperparameters,
            run.Split,
            s.Tags,
            Metrics = new
            {
                s.Auc,
                s.Precision,
                s.Recall,
                s.F1,
                s.Accuracy,
                s.LogLoss,
                s.TrainingSeconds,
                s.TrainRows,
                s.TestRows,
            },
            run.Confusion,
            run.Roc,
            run.PrecisionRecall,
            run.FeatureImportance,
            run.Artifact,
            run.Snapshot,
            run.CreatedBy,
            s.QueuedAt,
            s.StartedAt,
            s.EndedAt,
            s.Error,
        };
    }

    private static IResult Problems(IReadOnlyList<DocumentProblem> problems) =>
        Results.ValidationProblem(problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
            title: $"The run request has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}.");

    private static IResult NoRun(string name, string run) =>
        Results.Problem(title: "No such run.", detail: $"Experiment '{name}' has no run '{run}'.", statusCode: StatusCodes.Status404NotFound);

    private static readonly Dictionary<string, SortField<ExperimentRecord>> s_experimentSorts = new(StringComparer.Ordinal)
    {
        ["created_at"] = new(e => e.CreatedAt, DescendingByDefault: true),
        ["name"] = new(e => e.Name),
        ["created_by"] = new(e => e.CreatedBy),
    };

    /// <summary>
    /// Experiments, newest first by default, a page at a time in the database (run counts and best AUC are summed for
    /// the page only); <c>q</c> matches the name or who created it.
    /// </summary>
    private static async Task<IResult> ListExperimentsAsync([AsParameters] PageQuery paging, IDbContextFactory<MetadataDbContext> contexts, ExperimentRuns runs,
        CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_experimentSorts.Keys, "created_at");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var experiments = db.Set<ExperimentRecord>().AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            experiments = experiments.Where(e => e.Name.ToLower().Contains(q) || e.CreatedBy.ToLower().Contains(q));
        }

        var page = await experiments.ToPageAsync(request, s_experimentSorts, e => e.Name, ct);
        return Results.Ok(new ListPage<ExperimentSummary>(await runs.SummarizeAsync(page.Items, ct), page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }
}
