using System.Text.Json.Serialization;
using Matih.Core.Demo;
using Matih.Host.Auth;

namespace Matih.Host.Api;

/// <summary><c>/api/demo</c>: what the NovaMart demo can do on request, beyond what it loads at start.</summary>
public static class DemoEndpoints
{
    /// <summary>Body of a replay; every field is optional.</summary>
    /// <param name="Days">Days of traffic, ending now (14).</param>
    /// <param name="DriftedDays">The last days of those in which customers drift (7).</param>
    /// <param name="PerDay">Predictions per day (500).</param>
    /// <param name="Seed">Which customers are sampled (42).</param>
    public sealed record ReplayRequest(
        [property: JsonPropertyName("days")] int? Days,
        [property: JsonPropertyName("drifted_days")] int? DriftedDays,
        [property: JsonPropertyName("per_day")] int? PerDay,
        [property: JsonPropertyName("seed")] int? Seed);

    /// <summary>Maps the demo routes.</summary>
    public static void MapDemoEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/demo").WithTags("Demo");
        group.MapPost("/traffic", async (ReplayRequest? body, DemoTraffic traffic, CancellationToken ct) =>
        {
            var defaults = new DemoTrafficOptions();
            var options = new DemoTrafficOptions(body?.Days ?? defaults.Days, body?.DriftedDays ?? defaults.DriftedDays, body?.PerDay ?? defaults.PerDay, body?.Seed ?? defaults.Seed);
            if (options.Problems() is { Count: > 0 } problems)
            {
                return Results.ValidationProblem(problems.GroupBy(p => p.Path).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));
            }

            var result = await traffic.ReplayAsync(options, ct);
            return result.Replayed
                ? Results.Ok(new { message = result.Message, predictions = result.Predictions, prepared = result.Prepared, evaluation = result.Evaluation })
                : Results.Problem(result.Message, statusCode: StatusCodes.Status409Conflict, title: "The demo cannot replay traffic yet");
        }).RequireAuthorization(Roles.Analyst)
        .WithSummary("Replays past prediction traffic on the NovaMart demo (the seed's deployment and monitor), with a drifted last week.");
    }
}
