using System.Net;
using System.Net.Http.Json;

namespace Matih.Host.Tests.Api;

[Collection(ScriptCollection.Name)]
public sealed class ScriptAccessTests(ScriptHostFixture fixture)
{
    [Theory]
    [InlineData("api/scripts/run")]
    [InlineData("api/scripts/sessions")]
    [InlineData("api/scripts/complete")]
    public async Task Without_a_token_the_script_routes_answer_401(string route)
    {
        using var client = fixture.Host.Anonymous();

        var response = await client.PostAsJsonAsync(route, new { code = "1", position = 1 });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("api/scripts/run")]
    [InlineData("api/scripts/sessions")]
    [InlineData("api/scripts/complete")]
    public async Task An_analyst_may_not_run_scripts(string route)
    {
        using var client = await fixture.Host.SignedInAsync("ana", ScriptHostFixture.AnalystPassword);

        var response = await client.PostAsJsonAsync(route, new { code = "1", position = 1 });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("analyst", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_script_is_a_validation_problem_naming_code()
    {
        using var client = await fixture.Host.SignedInAsync();

        var response = await client.PostAsJsonAsync("api/scripts/run", new { code = " " });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("code is required", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scripts_call_the_api_with_the_rights_of_the_user_who_runs_them()
    {
        // An admin's script may read the user list (admin-only route); the token it carries is that admin's.
        var run = await fixture.RunAsync("(await Api.GetAsync(\"api/users\"))![\"items\"]!.AsArray().Count");

        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        Assert.True(int.Parse(run.GetProperty("result").GetProperty("text").GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= 2);
    }
}
