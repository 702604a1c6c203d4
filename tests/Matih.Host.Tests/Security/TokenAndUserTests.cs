using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matih.Host.Tests.Security;

[Collection(SecurityCollection.Name)]
public sealed class TokenAndUserTests(SecurityHostFixture fixture)
{
    private HttpClient Admin => fixture.Clients["admin"];

    [Fact]
    public async Task An_api_token_is_shown_once_works_on_api_and_serve_and_stops_the_moment_it_is_revoked()
    {
        var created = await Admin.PostAsJsonAsync("api/tokens", new { name = "ci revoke test", role = "analyst" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var secret = body.GetProperty("token").GetString()!;
        var id = body.GetProperty("id").GetString();
        using var ci = fixture.WithBearer(secret);

        Assert.Equal(HttpStatusCode.OK, (await ci.GetAsync("api/plugins")).StatusCode);
        // Reaches the serving handler (no such deployment), so the token was accepted on /serve.
        Assert.Equal(HttpStatusCode.NotFound, (await ci.PostAsJsonAsync("serve/no-such-model/predict", new { })).StatusCode);
        var listed = await Admin.GetStringAsync("api/tokens");
        Assert.Contains("ci revoke test", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"api/tokens/{id}")).StatusCode);

        var refused = await ci.GetAsync("api/plugins");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("revoked", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_cannot_be_scoped_above_its_owner()
    {
        using var analyst = await fixture.Host.SignedInAsync("matrix-analyst", SecurityHostFixture.Password);

        var response = await analyst.PostAsJsonAsync("api/tokens", new { name = "too much", role = "admin" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("cannot do more than its owner", problem.GetProperty("errors").GetProperty("role")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabling_a_user_stops_their_jwt_and_their_api_tokens_at_once()
    {
        var user = await CreateUserAsync("dana", "analyst");
        using var jwt = await fixture.Host.SignedInAsync("dana", SecurityHostFixture.Password);
        using var token = fixture.WithBearer(await SecurityHostFixture.CreateTokenAsync(jwt, "dana's script"));
        Assert.Equal(HttpStatusCode.OK, (await jwt.GetAsync("api/plugins")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync("api/plugins")).StatusCode);

        (await Admin.PatchAsJsonAsync($"api/users/{user}", new { disabled = true })).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await jwt.GetAsync("api/plugins")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await token.GetAsync("api/plugins")).StatusCode);
        var signIn = await fixture.Host.Anonymous().PostAsJsonAsync("api/auth/token", new { username = "dana", password = SecurityHostFixture.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
        Assert.Contains("disabled", await signIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admins_assign_roles_and_reset_passwords_and_the_new_ones_apply()
    {
        var user = await CreateUserAsync("omar", "viewer");

        var changed = await Admin.PatchAsJsonAsync($"api/users/{user}", new { role = "analyst" });
        Assert.Equal("analyst", (await changed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("role").GetString());
        (await Admin.PostAsJsonAsync($"api/users/{user}/password", new { password = "a-brand-new-password" })).EnsureSuccessStatusCode();

        using var omar = await fixture.Host.SignedInAsync("omar", "a-brand-new-password");
        Assert.NotEqual(HttpStatusCode.Forbidden, (await omar.PostAsJsonAsync("api/pipelines/validate", new { })).StatusCode);
    }

    [Fact]
    public async Task Password_rules_are_reported_per_field()
    {
        var response = await Admin.PostAsJsonAsync("api/users", new { username = "lee", password = "lee", role = "owner" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["Passwords need at least 10 characters.", "Passwords cannot contain the user name."],
            errors.GetProperty("password").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("role must be one of viewer, analyst, admin.", errors.GetProperty("role")[0].GetString());
    }

    [Fact]
    public async Task Five_failed_sign_ins_lock_the_account()
    {
        await CreateUserAsync("lockme", "viewer");
        using var anonymous = fixture.Host.Anonymous();
        for (var i = 0; i < 5; i++)
        {
            await anonymous.PostAsJsonAsync("api/auth/token", new { username = "lockme", password = "wrong-password" });
        }

        var locked = await anonymous.PostAsJsonAsync("api/auth/token", new { username = "lockme", password = SecurityHostFixture.Password });

        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("Too many failed sign-ins", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var users = await Admin.GetFromJsonAsync<JsonElement>("api/users?q=lockme");
        Assert.True(users.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("username").GetString() == "lockme").GetProperty("locked").GetBoolean());
    }

    private async Task<string> CreateUserAsync(string name, string role)
    {
        var response = await Admin.PostAsJsonAsync("api/users", new { username = name, password = SecurityHostFixture.Password, role });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
