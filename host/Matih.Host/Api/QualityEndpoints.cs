using System.Text.Json;
using Matih.Core.Metadata;
using Matih.Core.Quality;
using Matih.Host.Auth;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Api;

/// <summary><c>/api/quality</c>: expectation suites, their validation runs, and feature distributions.</summary>
public static class QualityEndpoints
{
    /// <summary>The optional body of a validation: another table than the suite's own.</summary>
    public sealed record ValidateRequest(string? Dataset);

    /// <summary>A distribution request: a numeric column, its buckets (<c>0-30, 31-60, 181+</c>) and a label column.</summary>
    public sealed record DistributionRequest(string? Table, string? Column, string? Buckets, string? Label);

    /// <summary>Maps the routes.</summary>
    public static void MapQualityEndpoints(this RouteGroupBuilder api)
    {
        var quality = api.MapGroup("/quality").WithTags("Quality");

        quality.MapGet("/rules", (QualitySuites suites) => suites.Rules
            .OrderBy(r => r.ExpectationType, StringComparer.Ordinal)
            .Select(r => new { type = r.ExpectationType, description = r.Description, kwargs = r.Kwargs }));

        quality.MapPost("/suites", async (HttpRequest request, QualitySuites suites, HttpContext http, CancellationToken ct) =>
        {
            // The document is kept verbatim, so it is read as text rather than bound.
            using var reader = new StreamReader(request.Body);
            var json = await reader.ReadToEndAsync(ct);
            var saved = await suites.SaveAsync(json, Roles.Caller(http.User).UserName, ct);
            if (saved.Suite is not { } suite)
            {
                return Results.ValidationProblem(
                    saved.Problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                    title: "The suite cannot be saved.");
            }

            var body = new { suite_name = suite.Name, dataset = suite.Dataset, expectations = suite.Expectations.Count, created = saved.Created };
            return saved.Created ? Results.Created($"/api/quality/suites/{suite.Name}", body) : Results.Ok(body);
        }).RequireAuthorization(Roles.Analyst);

        quality.MapGet("/suites", ListSuitesAsync).ProducesValidationProblem();

        quality.MapGet("/suites/{name}", async (string name, QualitySuites suites, CancellationToken ct) =>
            await suites.FindAsync(name, ct) is { } stored
                ? Results.Text(stored.Document, "application/json")
                : NoSuite(name));

        quality.MapPost("/suites/{name}/validate", async (string name, ValidateRequest? request, QualityValidations validations, HttpContext http, CancellationToken ct) =>
        {
            try
            {
                var run = await validations.ValidateAsync(name, request?.Dataset, Roles.Caller(http.User).UserName, ct);
                return Results.Ok(Full(run));
            }
            catch (KeyNotFoundException)
            {
                return NoSuite(name);
            }
            catch (ArgumentException ex)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["dataset"] = [ex.Message.Split(" (Parameter", 2)[0]] }, title: "The suite cannot be validated.");
            }
        }).RequireAuthorization(Roles.Analyst);

        quality.MapGet("/suites/{name}/results", ListResultsAsync).ProducesValidationProblem();

        quality.MapGet("/results/{id:guid}", async (Guid id, QualityValidations validations, CancellationToken ct) =>
            await validations.GetAsync(id, ct) is { } run
                ? Results.Ok(Full(run))
                : Results.Problem(title: "No such validation.", detail: $"No validation run has id {id}.", statusCode: StatusCodes.Status404NotFound));

        quality.MapPost("/distribution", async (DistributionRequest? request, FeatureDistributions distributions, CancellationToken ct) =>
        {
            var problems = new Dictionary<string, string[]>();
            if (!TableRef.TryParse(request?.Table, out var table))
            {
                problems["table"] = [$"table must be a three-part name (catalog.schema.table), got '{request?.Table}'."];
            }

            if (string.IsNullOrWhiteSpace(request?.Column))
            {
                problems["column"] = ["column is required: the numeric feature to profile."];
            }

            if (problems.Count > 0)
            {
                return Results.ValidationProblem(problems, title: "The distribution cannot be computed.");
            }

            try
            {
                var profile = await distributions.ProfileAsync(table, request!.Column!, request.Buckets, request.Label, ct);
                return Results.Ok(new
                {
                    table = profile.Table,
                    column = profile.Column,
                    rows = profile.Rows,
                    count = profile.Count,
                    mean = profile.Mean,
                    median = profile.Median,
                    std_dev = profile.StdDev,
                    min = profile.Min,
                    max = profile.Max,
                    buckets = profile.Buckets.Select(b => new { label = b.Label, count = b.Count, share = b.Share }),
                    outside_buckets = profile.OutsideBuckets,
                    label = profile.Label,
                    label_distribution = profile.Labels.Select(l => new { value = l.Value, count = l.Count, share = l.Share }),
                    text = profile.Text,
                    elapsed_ms = profile.ElapsedMilliseconds,
                });
            }
            catch (DistributionRequestException ex) when (ex.Field == "table")
            {
                return Results.Problem(title: "No such table.", detail: ex.Message, statusCode: StatusCodes.Status404NotFound);
            }
            catch (DistributionRequestException ex)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] }, title: "The distribution cannot be computed.");
            }
        });
    }

    private static readonly Dictionary<string, SortField<StoredSuite>> s_suiteSorts = new(StringComparer.Ordinal)
    {
        ["name"] = new(s => s.Name),
        ["dataset"] = new(s => s.Dataset),
        ["expectations"] = new(s => s.Expectations, DescendingByDefault: true),
        ["created_at"] = new(s => s.CreatedAt, DescendingByDefault: true),
        ["updated_at"] = new(s => s.UpdatedAt, DescendingByDefault: true),
    };

    private static readonly Dictionary<string, SortField<ValidationRecord>> s_resultSorts = new(StringComparer.Ordinal)
    {
        ["run_at"] = new(v => v.RunAt, DescendingByDefault: true),
        ["dataset"] = new(v => v.Dataset),
        ["success"] = new(v => v.Success),
        ["triggered_by"] = new(v => v.TriggeredBy),
    };

    /// <summary>
    /// Suites with their last run, a page at a time in the database (default by name); <c>q</c> matches the suite name
    /// or its dataset.
    /// </summary>
    private static async Task<IResult> ListSuitesAsync([AsParameters] PageQuery paging, IDbContextFactory<MetadataDbContext> contexts, QualityValidations validations,
        CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_suiteSorts.Keys, "name");
        if (request is null)
        {
            return problem!;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var suites = db.Set<StoredSuite>().AsNoTracking();
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            suites = suites.Where(s => s.Name.ToLower().Contains(q) || (s.Dataset != null && s.Dataset.ToLower().Contains(q)));
        }

        var page = await suites.ToPageAsync(request, s_suiteSorts, s => s.Name, ct);
        var latest = await validations.LatestBySuiteAsync(page.Items.Select(s => s.Name).ToArray(), ct);
        var items = page.Items.Select(s => (object)new
        {
            suite_name = s.Name,
            dataset = s.Dataset,
            expectations = s.Expectations,
            updated_at = s.UpdatedAt,
            updated_by = s.UpdatedBy,
            last_run = latest.TryGetValue(s.Name, out var run) ? Summary(run) : null,
        }).ToArray();
        return Results.Ok(new ListPage<object>(items, page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    /// <summary>
    /// A suite's validation runs, newest first by default, a page at a time in the database; <c>q</c> matches the
    /// dataset or who triggered the run.
    /// </summary>
    private static async Task<IResult> ListResultsAsync(string name, [AsParameters] PageQuery paging, IDbContextFactory<MetadataDbContext> contexts, QualitySuites suites,
        CancellationToken ct)
    {
        var (request, problem) = paging.Validate(s_resultSorts.Keys, "run_at");
        if (request is null)
        {
            return problem!;
        }

        if (await suites.FindAsync(name, ct) is null)
        {
            return NoSuite(name);
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var runs = db.Set<ValidationRecord>().AsNoTracking().Where(v => v.SuiteName == name);
        if (request.Q?.ToLowerInvariant() is { } q)
        {
            runs = runs.Where(v => v.Dataset.ToLower().Contains(q) || v.TriggeredBy.ToLower().Contains(q));
        }

        var page = await runs.ToPageAsync(request, s_resultSorts, v => v.Id, ct);
        return Results.Ok(new ListPage<object>(page.Items.Select(v => Summary(ValidationRun.From(v))).ToArray(), page.Total, page.Page, page.PageSize, page.Sort, page.Order));
    }

    private static object Summary(ValidationRun run) => new
    {
        runId = run.Id,
        suite = run.SuiteName,
        dataset = run.Dataset,
        runAt = run.RunAt,
        state = run.Success ? "succeeded" : "failed",
        success = run.Success,
        evaluated = run.Evaluated,
        successful = run.Successful,
        failedErrors = run.FailedErrors,
        failedWarnings = run.FailedWarnings,
        triggeredBy = run.TriggeredBy,
        elapsedMs = run.ElapsedMilliseconds,
    };

    private static object Full(ValidationRun run) => new
    {
        runId = run.Id,
        suite = run.SuiteName,
        dataset = run.Dataset,
        runAt = run.RunAt,
        state = run.Success ? "succeeded" : "failed",
        success = run.Success,
        statistics = run.Result.GetProperty("statistics"),
        results = run.Result.GetProperty("results"),
        text = run.Text,
        failedErrors = run.FailedErrors,
        failedWarnings = run.FailedWarnings,
        triggeredBy = run.TriggeredBy,
        queries = run.Queries,
        elapsedMs = run.ElapsedMilliseconds,
    };

    private static IResult NoSuite(string name) =>
        Results.Problem(title: "No such suite.", detail: $"No expectation suite is named '{name}'.", statusCode: StatusCodes.Status404NotFound);
}
