using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary>Every kind of error answers RFC 7807 problem+json that says what went wrong and where.</summary>
[Collection(OpenApiHostCollection.Name)]
public sealed class OpenApiProblemDetailsTests(OpenApiHostFixture fixture)
{
    private MatihHost Host => fixture.Host;

    [Fact]
    public async Task A_request_without_a_token_answers_401_problem_json()
    {
        using var client = Host.Anonymous();

        var problem = await ProblemAsync(await client.GetAsync("api/connections"), HttpStatusCode.Unauthorized);

        Assert.Contains("POST /api/auth/token", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_creating_a_connection_answers_403_problem_json_naming_the_role()
    {
        using var admin = await Host.SignedInAsync();
        (await admin.PostAsJsonAsync("api/users", new { username = "paula", password = "viewer-password-1", role = "viewer" })).EnsureSuccessStatusCode();
        using var viewer = await Host.SignedInAsync("paula", "viewer-password-1");

        var response = await viewer.PostAsync("api/connections", new StringContent(SeedDocuments.PostgresConnection, Encoding.UTF8, "application/json"));
        var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);

        Assert.Contains("viewer", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_route_that_does_not_exist_answers_404_problem_json_pointing_at_the_document()
    {
        using var admin = await Host.SignedInAsync();

        var problem = await ProblemAsync(await admin.GetAsync("api/no-such-thing"), HttpStatusCode.NotFound);

        Assert.Contains("/openapi/v1.json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_id_answers_404_problem_json_naming_it()
    {
        using var admin = await Host.SignedInAsync();

        var problem = await ProblemAsync(await admin.GetAsync("api/connections/no-such-connection"), HttpStatusCode.NotFound);

        Assert.Contains("no-such-connection", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_method_the_route_does_not_answer_is_405_problem_json()
    {
        using var admin = await Host.SignedInAsync();

        var problem = await ProblemAsync(await admin.DeleteAsync("api/plugins"), HttpStatusCode.MethodNotAllowed);

        Assert.Contains("DELETE", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_problem_json()
    {
        using var admin = await Host.SignedInAsync();

        var response = await admin.PostAsync("api/connections/check", new StringContent("connector=source-faker", Encoding.UTF8, "text/plain"));
        var problem = await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_value_of_the_wrong_type_is_400_problem_json_naming_the_parameter()
    {
        using var admin = await Host.SignedInAsync();

        var problem = await ProblemAsync(await admin.GetAsync("api/catalog/tables/analytics.main.orders/profiles?take=lots"), HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("take", out var messages), problem.ToString());
        Assert.Equal("take must be a whole number; got 'lots'.", messages[0].GetString());
    }

    [Fact]
    public async Task A_json_body_of_the_wrong_shape_is_400_problem_json_naming_the_json_path()
    {
        using var admin = await Host.SignedInAsync();

        var response = await admin.PostAsync("api/connections/check", new StringContent("""{"connector": 5}""", Encoding.UTF8, "application/json"));
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("$.connector", out var messages), problem.ToString());
        Assert.Contains("line 1", messages[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Matih.", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unexpected_failure_is_500_problem_json_without_internals()
    {
        using var admin = await Host.SignedInAsync();

        var problem = await ProblemAsync(await admin.GetAsync("api/diagnostics/fault"), HttpStatusCode.InternalServerError);

        Assert.True(problem.TryGetProperty("traceId", out _));
        Assert.DoesNotContain("deliberate", problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", problem.ToString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }
}
