using System.Collections.Frozen;
using System.Text.Json.Nodes;

namespace Matih.Host.OpenApi;

/// <summary>
/// The seed walkthrough's documents (<c>scripts/seed/*.json</c>, embedded at build time so a published host has them)
/// as request and response examples of the routes that accept them verbatim.
/// </summary>
public static class SeedExamples
{
    /// <summary>Request examples by operation (<c>METHOD route</c>, route as in the document without the leading slash).</summary>
    public static readonly FrozenDictionary<string, string> Requests = new Dictionary<string, string>
    {
        ["POST api/connections"] = "postgres-connection.json",
        ["POST api/pipelines"] = "churn-feature-refresh.json",
        ["POST api/pipelines/validate"] = "churn-feature-refresh.json",
        ["PUT api/pipelines/{id}"] = "churn-feature-refresh.json",
        ["POST api/quality/suites"] = "churn-features-validation.json",
        ["POST api/models"] = "model-registration.json",
        ["POST api/deployments"] = "deployment.json",
        ["PUT api/deployments/{name}"] = "deployment.json",
        ["POST serve/{deployment}/predict"] = "churn-predict-request.json",
        ["POST api/monitors"] = "churn-predictor-drift.json",
        ["POST api/abtests"] = "churn-model-comparison.json",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Success-response examples by operation.</summary>
    public static readonly FrozenDictionary<string, string> Responses = new Dictionary<string, string>
    {
        ["POST serve/{deployment}/predict"] = "churn-predict-response.json",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>A seed document by file name, parsed; null when the build did not embed it.</summary>
    public static JsonNode? Read(string fileName)
    {
        using var stream = typeof(SeedExamples).Assembly.GetManifestResourceStream("Matih.Host.Seed." + fileName);
        return stream is null ? null : JsonNode.Parse(stream);
    }
}
