using System.Globalization;
using System.Text.Json;
using Matih.Core.Deployments;
using Matih.Host.Auth;

namespace Matih.Host.Api;

/// <summary>
/// <c>/serve/{deployment}</c>: predictions and health of deployed models, under bearer JWT like the API. Any signed-in
/// role may predict (viewer, analyst, admin); deploying needs analyst (see <see cref="DeploymentEndpoints"/>).
/// </summary>
public static class ServeEndpoints
{
    /// <summary>Maps <c>POST /serve/{deployment}/predict</c> and <c>GET /serve/{deployment}/health</c>.</summary>
    public static void MapServeEndpoints(this IEndpointRouteBuilder app)
    {
        var serve = app.MapGroup("/serve").WithTags("Serving").RequireAuthorization(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute
        {
            AuthenticationSchemes = AuthSetup.Bearer,
            Policy = Roles.Viewer,
        });
        serve.MapPost("/{deployment}/predict", PredictAsync);
        serve.MapGet("/{deployment}/{**path}", (string deployment, string? path, ServingEngine engine) =>
        {
            var healthPath = engine.HealthPath(deployment);
            if (healthPath is null)
            {
                return NoDeployment(deployment);
            }

            if (path != "health" && "/" + path != healthPath)
            {
                return Results.Problem(title: "Not found.", detail: $"Deployment '{deployment}' answers POST /serve/{deployment}/predict and GET /serve/{deployment}{healthPath}.",
                    statusCode: StatusCodes.Status404NotFound);
            }

            var health = engine.Health(deployment)!;
            return Results.Json(health, ModelEndpoints.SnakeCase, statusCode: health.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }

    private static async Task<IResult> PredictAsync(string deployment, HttpContext http, ServingEngine engine)
    {
        int? topFactors = null;
        if (http.Request.Query.TryGetValue("top_factors", out var given))
        {
            if (!int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > 100)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["top_factors"] = ["must be a whole number from 0 to 100."] }, title: "The request is not valid.");
            }

            topFactors = count;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException e)
        {
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { [e.Path ?? "$"] = [$"Not valid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}."] },
                title: "The body is not JSON.");
        }

        using (document)
        {
            var outcome = await engine.PredictAsync(deployment, document.RootElement, topFactors, http.RequestAborted);
            http.Response.Headers["X-Request-Id"] = outcome.RequestId.ToString();
            switch (outcome.Status)
            {
                case PredictionStatus.Ok:
                    // Written before the document is disposed: the answer echoes the entity key from it.
                    http.Response.StatusCode = StatusCodes.Status200OK;
                    http.Response.ContentType = "application/json; charset=utf-8";
                    await using (var writer = new Utf8JsonWriter(http.Response.BodyWriter))
                    {
                        outcome.WriteTo(writer);
                    }

                    await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
                    return Results.Empty;
                case PredictionStatus.Invalid:
                    return Problems(outcome, StatusCodes.Status400BadRequest);
                case PredictionStatus.NotFound:
                    return Problems(outcome, StatusCodes.Status404NotFound);
                case PredictionStatus.NoDeployment:
                    return NoDeployment(deployment);
                case PredictionStatus.Overloaded or PredictionStatus.Unavailable:
                    http.Response.Headers.RetryAfter = outcome.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    return Results.Problem(title: outcome.Status == PredictionStatus.Overloaded ? "Too many concurrent requests." : "The deployment is not serving.",
                        detail: outcome.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
                default:
                    return Results.Problem(title: "The prediction failed.", detail: outcome.Message, statusCode: StatusCodes.Status500InternalServerError);
            }
        }
    }

    private static IResult Problems(PredictionOutcome outcome, int status) => Results.ValidationProblem(
        outcome.Problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
        detail: outcome.Message,
        statusCode: status,
        title: status == StatusCodes.Status404NotFound ? "No features for that entity." : "The prediction request is not valid.");

    private static IResult NoDeployment(string deployment) =>
        Results.Problem(title: "No such deployment.", detail: $"No deployment is named '{deployment}'.", statusCode: StatusCodes.Status404NotFound);
}
