using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

public sealed class AuthTests(DemoHostFixture fixture) : IClassFixture<DemoHostFixture>
{
    private MatihHost Host => fixture.Host;

    [Fact]
    public async Task Health_answers_without_sign_in_and_names_each_store()
    {
        using var client = Host.Anonymous();

        var health = await client.GetFromJsonAsync<JsonElement>("health");

        Assert.Equal("healthy", health.GetProperty("status").GetString());
        foreach (var store in new[] { "warehouse", "metadata", "jobs" })
        {
            Assert.Equal("healthy", health.GetProperty("stores").GetProperty(store).GetProperty("status").GetString());
        }

        Assert.Equal("ready", health.GetProperty("demo").GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("GET", "api/plugins")]
    [InlineData("POST", "api/sql")]
    [InlineData("GET", "api/users")]
    public async Task Api_routes_without_a_token_answer_401_saying_how_to_sign_in(string method, string path)
    {
        using var client = Host.Anonymous();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { sql = "SELECT 1" }) });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("POST /api/auth/token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_token_is_refused_as_invalid()
    {
        using var client = Host.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYW1lIjoiYWRtaW4iLCJyb2xlIjoiYWRtaW4iLCJpc3MiOiJtYXRpaCIsImF1ZCI6Im1hdGloIn0.c2lnbmF0dXJl");

        var response = await client.GetAsync("api/plugins");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid or expired", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_is_issued_for_the_right_password_only()
    {
        using var client = Host.Anonymous();

        var good = await client.PostAsJsonAsync("api/auth/token", new { username = "admin", password = MatihHost.AdminPassword });
        var bad = await client.PostAsJsonAsync("api/auth/token", new { username = "admin", password = "not-the-password" });
        var missing = await client.PostAsJsonAsync("api/auth/token", new { username = "admin" });

        var token = await good.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal(8 * 3600, token.GetProperty("expires_in").GetInt32());
        Assert.Equal(3, token.GetProperty("access_token").GetString()!.Split('.').Length);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Contains("Unknown user name or wrong password.", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal("password is required.", (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("password")[0].GetString());
    }

    [Fact]
    public async Task A_viewer_may_read_but_not_write_tables_or_manage_users()
    {
        using var admin = await Host.SignedInAsync();
        var created = await admin.PostAsJsonAsync("api/users", new { username = "vera", password = "viewer-password-1", role = "viewer" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var viewer = await Host.SignedInAsync("vera", "viewer-password-1");

        var read = await viewer.PostAsJsonAsync("api/sql", new { sql = "SELECT count(*) FROM postgresql.novamart.products" });
        var write = await viewer.PostAsJsonAsync("api/sql", new { sql = "CREATE TABLE analytics.main.mine AS SELECT 1" });
        var users = await viewer.GetAsync("api/users");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Contains("may only read", await write.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
        Assert.Contains("Your role (viewer) may not use GET /api/users", await users.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_a_user_with_bad_fields_names_each_field()
    {
        using var admin = await Host.SignedInAsync();

        var response = await admin.PostAsJsonAsync("api/users", new { username = "", password = "short", role = "owner" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("username is required.", errors.GetProperty("username")[0].GetString());
        Assert.Equal("Passwords need at least 10 characters.", errors.GetProperty("password")[0].GetString());
        Assert.Equal("role must be one of viewer, analyst, admin.", errors.GetProperty("role")[0].GetString());
    }
}
