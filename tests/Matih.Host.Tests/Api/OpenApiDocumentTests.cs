using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Testing;
using Microsoft.OpenApi;

namespace Matih.Host.Tests.Api;

[Collection(OpenApiHostCollection.Name)]
public sealed partial class OpenApiDocumentTests(OpenApiHostFixture fixture)
{
    private MatihHost Host => fixture.Host;

    /// <summary>The routes that take a seed document verbatim, and the document they take.</summary>
    public static TheoryData<string, string, string> SeedRoutes => new()
    {
        { "POST", "/api/connections", "postgres-connection.json" },
        { "POST", "/api/pipelines", "churn-feature-refresh.json" },
        { "POST", "/api/quality/suites", "churn-features-validation.json" },
        { "POST", "/api/models", "model-registration.json" },
        { "POST", "/api/deployments", "deployment.json" },
        { "POST", "/serve/{deployment}/predict", "churn-predict-request.json" },
        { "POST", "/api/monitors", "churn-predictor-drift.json" },
        { "POST", "/api/abtests", "churn-model-comparison.json" },
    };

    [Fact]
    public async Task The_document_is_served_without_a_token_and_reads_as_OpenAPI_without_errors()
    {
        using var client = Host.Anonymous();

        var response = await client.GetAsync("openapi/v1.json");
        var (document, diagnostic) = OpenApiDocument.Parse(await response.Content.ReadAsStringAsync(), "json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(document);
        Assert.Empty(diagnostic?.Errors ?? []);
        Assert.Equal("Matih API", document.Info.Title);
        var bearer = Assert.IsType<OpenApiSecurityScheme>(document.Components?.SecuritySchemes?["Bearer"]);
        Assert.Equal(SecuritySchemeType.Http, bearer.Type);
        Assert.Equal("bearer", bearer.Scheme);
    }

    [Fact]
    public async Task Every_mapped_api_and_serve_route_is_in_the_document_with_its_methods_and_token_requirement()
    {
        var routes = await MappedRoutesAsync();
        var document = await DocumentAsync();

        Assert.Contains(routes, r => r.Pattern == "/api/connections");
        Assert.Contains(routes, r => r.Pattern.StartsWith("/serve/", StringComparison.Ordinal));
        var missing = new List<string>();
        var wrongSecurity = new List<string>();
        foreach (var route in routes)
        {
            var path = Normalize(route.Pattern);
            foreach (var method in route.Methods)
            {
                if (document.Paths.GetValueOrDefault(path)?.Operations?.GetValueOrDefault(new HttpMethod(method)) is not { } operation)
                {
                    missing.Add($"{method} {path}");
                    continue;
                }

                var secured = operation.Security?.Any(r => r.Keys.Any(s => s.Reference.Id == "Bearer")) == true;
                if (secured != route.RequiresToken)
                {
                    wrongSecurity.Add($"{method} {path} (token required: {route.RequiresToken}, document says {secured})");
                }
            }
        }

        Assert.Empty(missing);
        Assert.Empty(wrongSecurity);
    }

    [Fact]
    public async Task Only_health_and_the_token_route_are_open_in_the_document()
    {
        var document = await DocumentAsync();

        var open = document.Paths.SelectMany(p => p.Value.Operations!.Where(o => o.Value.Security is not { Count: > 0 }).Select(o => $"{o.Key.Method} {p.Key}"))
            .Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(["GET /health", "POST /api/auth/token"], open);
    }

    [Theory]
    [MemberData(nameof(SeedRoutes))]
    public async Task The_seed_document_is_the_request_example_of_the_route_that_accepts_it(string method, string path, string seedFile)
    {
        var document = await DocumentAsync();
        var seed = JsonNode.Parse(File.ReadAllText(Path.Combine(MatihHost.RepositoryRoot, "scripts", "seed", seedFile)));

        var operation = document.Paths[path].Operations![new HttpMethod(method)];
        var json = operation.RequestBody?.Content?["application/json"];

        Assert.NotNull(json);
        Assert.True(JsonNode.DeepEquals(seed, json.Example), $"{method} {path}: the example is not {seedFile}.");
    }

    [Fact]
    public async Task Every_operation_has_a_summary_a_tag_and_problem_json_for_its_errors()
    {
        var document = await DocumentAsync();

        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations!)
            {
                var name = $"{method.Method} {path}";
                Assert.False(string.IsNullOrWhiteSpace(operation.Summary), $"{name} has no summary.");
                Assert.NotEmpty(operation.Tags ?? new HashSet<OpenApiTagReference>());
                var problem = Assert.Contains("default", operation.Responses!);
                Assert.Contains("application/problem+json", problem.Content!);
                if (operation.Security is { Count: > 0 })
                {
                    Assert.Contains("401", operation.Responses!);
                    Assert.Contains("403", operation.Responses!);
                }
            }
        }
    }

    [Fact]
    public async Task Typed_responses_carry_their_schema()
    {
        var document = await DocumentAsync();

        var token = document.Paths["/api/auth/token"].Operations![HttpMethod.Post].Responses!["200"].Content!["application/json"].Schema;

        Assert.NotNull(token);
        Assert.Contains("access_token", token.Properties!.Keys);
    }

    [Fact]
    public async Task The_API_reference_is_served_by_the_host_and_loads_nothing_from_elsewhere()
    {
        using var client = Host.Anonymous();

        var html = await client.GetStringAsync("scalar/");
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups["src"].Value).ToArray();
        var bundle = await client.GetAsync("scalar/scalar.js");

        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, src => Assert.DoesNotMatch("^(https?:)?//", src));
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.True((await bundle.Content.ReadAsByteArrayAsync()).Length > 1_000_000, "scalar.js should be the bundled reference, not a loader.");
    }

    private async Task<OpenApiDocument> DocumentAsync()
    {
        using var client = Host.Anonymous();
        var (document, _) = OpenApiDocument.Parse(await client.GetStringAsync("openapi/v1.json"), "json");
        return document ?? throw new InvalidOperationException("The document did not parse.");
    }

    private async Task<IReadOnlyList<Route>> MappedRoutesAsync()
    {
        using var admin = await Host.SignedInAsync();
        return await admin.GetFromJsonAsync<Route[]>("api/routes", new JsonSerializerOptions(JsonSerializerDefaults.Web)) ?? [];
    }

    /// <summary>A route pattern as OpenAPI writes it: no constraints, no catch-all stars, no optional marks.</summary>
    private static string Normalize(string pattern) => RouteParameter().Replace(pattern, m => "{" + m.Groups["name"].Value + "}");

    [GeneratedRegex(@"\{\**(?<name>[A-Za-z0-9_]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex("""<script[^>]*\ssrc="(?<src>[^"]+)"[^>]*>""")]
    private static partial Regex ScriptSource();

    private sealed record Route(string Pattern, string[] Methods, bool RequiresToken);
}
