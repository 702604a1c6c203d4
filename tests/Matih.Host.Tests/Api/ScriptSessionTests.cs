using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matih.Host.Tests.Api;

[Collection(ScriptCollection.Name)]
public sealed class ScriptSessionTests(ScriptHostFixture fixture)
{
    [Fact]
    public async Task Variables_and_functions_persist_between_submissions_of_a_session()
    {
        using var client = await fixture.Host.SignedInAsync();
        var session = await (await client.PostAsync("api/scripts/sessions", null)).Content.ReadFromJsonAsync<JsonElement>();
        var id = session.GetProperty("id").GetGuid();

        var first = await SubmitAsync(client, id, "var churnRate = 0.183;\ndouble Percent(double x) => Math.Round(x * 100, 1);");
        var second = await SubmitAsync(client, id, "var customers = (await SqlAsync(\"SELECT 2100000 AS n\")).Scalar<long>();");
        var third = await SubmitAsync(client, id, "$\"{Percent(churnRate)}% of {customers:N0}\"");
        var history = await client.GetFromJsonAsync<JsonElement>($"api/scripts/sessions/{id}");
        var closed = await client.DeleteAsync($"api/scripts/sessions/{id}");
        var afterClose = await client.PostAsJsonAsync($"api/scripts/sessions/{id}/submit", new { code = "churnRate" });

        Assert.Equal("succeeded", first.GetProperty("state").GetString());
        Assert.Equal("succeeded", second.GetProperty("state").GetString());
        Assert.Equal("18.3% of 2,100,000", third.GetProperty("result").GetProperty("text").GetString());
        Assert.Equal(3, history.GetProperty("history").GetArrayLength());
        Assert.Equal(HttpStatusCode.NoContent, closed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, afterClose.StatusCode);
    }

    [Fact]
    public async Task Completion_lists_platform_members_with_documentation()
    {
        using var client = await fixture.Host.SignedInAsync();

        var response = await client.PostAsJsonAsync("api/scripts/complete", new { code = "var runs = await Pipelines.Ru", position = 29 });

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var items = body.GetProperty("items").EnumerateArray().ToArray();
        var run = items.Single(i => i.GetProperty("label").GetString() == "RunAsync");
        Assert.Equal("method", run.GetProperty("kind").GetString());
        Assert.Contains("Runs pipeline", run.GetProperty("documentation").GetString(), StringComparison.Ordinal);
        Assert.Equal(27, body.GetProperty("replaceFrom").GetInt32());
    }

    [Fact]
    public async Task Signature_help_follows_the_argument_being_typed()
    {
        using var client = await fixture.Host.SignedInAsync();
        var code = "await Quality.DistributionAsync(\"analytics.derived.churn_features\", \"days_since_last_order\", ";

        var body = await (await client.PostAsJsonAsync("api/scripts/complete", new { code, position = code.Length })).Content.ReadFromJsonAsync<JsonElement>();

        var help = body.GetProperty("signatures");
        Assert.Equal(2, help.GetProperty("activeParameter").GetInt32());
        var signature = help.GetProperty("signatures")[help.GetProperty("activeSignature").GetInt32()];
        Assert.Contains("DistributionAsync(string table, string column, [string? buckets = null], [string? label = null])", signature.GetProperty("label").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_in_a_session_knows_its_variables()
    {
        using var client = await fixture.Host.SignedInAsync();
        var id = (await (await client.PostAsync("api/scripts/sessions", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await SubmitAsync(client, id, "var segmentCounts = new Dictionary<string, long>();");

        var body = await (await client.PostAsJsonAsync("api/scripts/complete", new { code = "segmentCounts.Ke", position = 16, sessionId = id })).Content.ReadFromJsonAsync<JsonElement>();
        await client.DeleteAsync($"api/scripts/sessions/{id}");

        Assert.Contains(body.GetProperty("items").EnumerateArray(), i => i.GetProperty("label").GetString() == "Keys");
    }

    private static async Task<JsonElement> SubmitAsync(HttpClient client, Guid session, string code)
    {
        var response = await client.PostAsJsonAsync($"api/scripts/sessions/{session}/submit", new { code });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
