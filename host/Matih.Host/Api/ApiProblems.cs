using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matih.Host.Api;

/// <summary>
/// RFC 7807 for every error: model-binding failures (a query value that is not a number, a body that is not JSON, a
/// wrong content type) answer problem+json naming the parameter or JSON path, like the routes' own validation.
/// 401/403 come from the bearer scheme's events, 404/405 from the status-code pages, 500 from the exception handler.
/// </summary>
public static partial class ApiProblems
{
    /// <summary>Registers the binding-failure handler and makes minimal APIs raise binding failures to it.</summary>
    public static IServiceCollection AddMatihApiProblems(this IServiceCollection services)
    {
        // Without this, a binding failure in Production is a bare 400 with an empty body and the reason only in the log.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestHandler>();
        services.AddExceptionHandler<WarehouseBusyHandler>();
        services.Configure<ProblemDetailsOptions>(o => o.CustomizeProblemDetails = Explain);
        return services;
    }

    /// <summary>
    /// Maps <c>GET /api/diagnostics/fault</c>, which fails on purpose, when <c>Matih:Api:FaultRoute</c> is true: lets a
    /// test or an operator see what an unexpected error answers (problem+json, no stack trace) on a real host.
    /// </summary>
    public static void MapFaultRoute(this RouteGroupBuilder api, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>("Matih:Api:FaultRoute"))
        {
            api.MapGet("/diagnostics/fault", IResult () => throw new InvalidOperationException("A deliberate failure (Matih:Api:FaultRoute)."))
                .WithTags("Meta");
        }
    }

    /// <summary>Says what to do about the status-code pages' bare 404 and 405.</summary>
    private static void Explain(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var request = context.HttpContext.Request;
        if (problem.Detail is not null)
        {
            return;
        }

        problem.Detail = problem.Status switch
        {
            StatusCodes.Status404NotFound when context.HttpContext.GetEndpoint() is null =>
                $"No route answers {request.Method} {request.Path}. Every route is described at /openapi/v1.json.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not answer {request.Method}.",
            StatusCodes.Status415UnsupportedMediaType => $"{request.Method} {request.Path} does not accept '{request.ContentType}'; send application/json.",
            _ => null,
        };
    }

    /// <summary>The validation problem of a binding failure: the parameter (or JSON path) and what was wrong with it.</summary>
    public static ValidationProblem Describe(BadHttpRequestException exception)
    {
        string field;
        string message;
        if (exception.InnerException is JsonException json)
        {
            field = json.Path ?? "$";
            // System.Text.Json names .NET types ("could not be converted to System.Int32"); say it in the caller's terms.
            var reason = json.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? "the value has the wrong type for this field"
                : json.Message.Split(" Path:", 2)[0].TrimEnd('.');
            message = json.LineNumber is { } line
                ? $"Not valid for this route at line {line + 1}, position {json.BytePositionInLine + 1}: {reason}."
                : $"Not valid for this route: {reason}.";
        }
        else
        {
            // Parameters bound through [AsParameters] records are PascalCase properties; the query string is camelCase.
            field = ParameterName().Match(exception.Message) is { Success: true } m ? JsonNamingPolicy.CamelCase.ConvertName(m.Groups["name"].Value) : "$";
            message = BindFailure().Match(exception.Message) is { Success: true } bind
                ? $"{field} must be {Expected(bind.Groups["type"].Value)}; got '{bind.Groups["value"].Value}'."
                : exception.Message;
        }

        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] },
            title: exception.StatusCode == StatusCodes.Status415UnsupportedMediaType ? "Unsupported content type." : "The request could not be read.");
    }

    private static string Expected(string type) => type.Replace("Nullable<", "", StringComparison.Ordinal).TrimEnd('>', '?') switch
    {
        "int" or "long" or "short" => "a whole number",
        "double" or "decimal" or "float" => "a number",
        "bool" => "true or false",
        "Guid" => "a GUID",
        "DateTimeOffset" or "DateTime" => "a date and time (ISO 8601, e.g. 2026-01-31T00:00:00Z)",
        var other => $"a valid {other}",
    };

    [GeneratedRegex("""^Failed to bind parameter "(?<type>[^"]*)\s(?<name>[A-Za-z_][A-Za-z0-9_]*)" from "(?<value>[^"]*)"\.?$""")]
    private static partial Regex BindFailure();

    // 'Failed to bind parameter "int? take" from "abc".' / 'Required parameter "string name" was not provided ...'
    [GeneratedRegex("""parameter "(?:[^"]*\s)?(?<name>[A-Za-z_][A-Za-z0-9_]*)"[^"]*""")]
    private static partial Regex ParameterName();

    private sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad)
            {
                return false;
            }

            var described = Describe(bad);
            httpContext.Response.StatusCode = bad.StatusCode;
            described.ProblemDetails.Status = bad.StatusCode;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = described.ProblemDetails,
                Exception = exception,
            });
        }
    }

    // Another host held the shared warehouse past the lease wait: the request can be retried as it is.
    private sealed class WarehouseBusyHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not Matih.Core.Warehouse.WarehouseBusyException busy)
            {
                return false;
            }

            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            httpContext.Response.Headers.RetryAfter = "5";
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = "The warehouse is busy on another host.", Detail = busy.Message },
                Exception = exception,
            });
        }
    }
}
