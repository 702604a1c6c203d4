using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Matih.Testing;

namespace Matih.Host.Tests.Security;

[Collection(SecurityCollection.Name)]
public sealed partial class RoleMatrixTests(SecurityHostFixture fixture)
{
    private static readonly string s_docs = Path.Combine(MatihHost.RepositoryRoot, "docs", "security.md");
    private const string DocsStart = "<!-- role-matrix:start (generated from tests/Matih.Host.Tests/Security/RoleMatrix.cs) -->";
    private const string DocsEnd = "<!-- role-matrix:end -->";

    [Fact]
    public async Task Every_route_the_host_maps_has_a_row_in_the_matrix_and_every_row_a_route()
    {
        var mapped = await MappedRoutesAsync();
        var rows = RoleMatrix.Rules.Select(r => $"{r.Method} {r.Pattern}").ToHashSet();

        Assert.True(rows.Count == RoleMatrix.Rules.Count, "The matrix has a route twice.");
        Assert.Empty(mapped.Except(rows).Select(r => $"{r} has no row in RoleMatrix.Rules (tests/Matih.Host.Tests/Security/RoleMatrix.cs) and docs/security.md"));
        Assert.Empty(rows.Except(mapped).Select(r => $"{r} is in the matrix but the host does not map it"));
    }

    [Fact]
    public async Task Each_role_is_allowed_exactly_the_routes_the_matrix_says_with_a_jwt_or_an_api_token()
    {
        var wrong = new List<string>();
        foreach (var rule in RoleMatrix.Rules)
        {
            var outcomes = await Task.WhenAll(fixture.Clients.Select(async credential =>
            {
                using var request = new HttpRequestMessage(new HttpMethod(rule.Method), Concrete(rule.Pattern).TrimStart('/'));
                if (rule.Method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = JsonContent.Create(new { });
                }

                using var response = await credential.Value.SendAsync(request);
                return (Credential: credential.Key, response.StatusCode);
            }));
            foreach (var (credential, status) in outcomes)
            {
                var role = credential == "anonymous" ? Access.Anonymous : Enum.Parse<Access>(credential.Split(' ')[0], ignoreCase: true);
                var allowed = role >= rule.Minimum;
                var denied = status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
                var expectedDenial = role == Access.Anonymous ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
                if (allowed == denied || (!allowed && status != expectedDenial))
                {
                    wrong.Add($"{rule.Method} {rule.Pattern} as {credential}: {(int)status}, expected {(allowed ? "allowed" : $"{(int)expectedDenial}")}");
                }
            }
        }

        Assert.Empty(wrong);
    }

    [Fact]
    public void Docs_security_md_shows_the_matrix_the_test_checks()
    {
        var table = RoleMatrix.Markdown();
        var docs = File.ReadAllText(s_docs).ReplaceLineEndings("\n");
        var start = docs.IndexOf(DocsStart, StringComparison.Ordinal);
        var end = docs.IndexOf(DocsEnd, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/security.md needs the markers {DocsStart} and {DocsEnd}.");
        var current = docs[(start + DocsStart.Length)..end].Trim('\n') + "\n";
        if (current != table && Environment.GetEnvironmentVariable("MATIH_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(s_docs, docs[..(start + DocsStart.Length)] + "\n" + table + docs[end..]);
            return;
        }

        Assert.True(current == table, "docs/security.md's role matrix is out of date: run this test with MATIH_UPDATE_DOCS=1 to regenerate it.");
    }

    private async Task<HashSet<string>> MappedRoutesAsync()
    {
        var routes = await fixture.Clients["admin"].GetFromJsonAsync<JsonElement>("api/routes");
        var mapped = new HashSet<string>();
        foreach (var route in routes.EnumerateArray())
        {
            foreach (var method in route.GetProperty("methods").EnumerateArray())
            {
                // "/api/users/" and "/api/users" are one route to a caller.
                mapped.Add($"{method.GetString()} {route.GetProperty("pattern").GetString()!.TrimEnd('/')}");
            }
        }

        return mapped;
    }

    // Route values that name nothing: each allowed call reaches its handler (404 or 400), each denied one never does.
    private static string Concrete(string pattern) =>
        GuidParameter().Replace(CatchAll().Replace(pattern, "health"), "5f0c8d7e-0000-4000-8000-00000000beef") is var withGuids
            ? Parameter().Replace(withGuids, "matrix-probe")
            : pattern;

    [GeneratedRegex(@"\{\*\*[^}]+\}")]
    private static partial Regex CatchAll();

    [GeneratedRegex(@"\{[^}:]+:guid\}")]
    private static partial Regex GuidParameter();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex Parameter();
}
