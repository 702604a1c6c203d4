using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Matih.Host.Tests.Security;

[Collection(SecurityCollection.Name)]
public sealed class AuditApiTests(SecurityHostFixture fixture)
{
    private HttpClient Admin => fixture.Clients["admin"];

    [Fact]
    public async Task Sign_ins_and_user_changes_are_in_the_audit_log_filtered_by_actor_and_action()
    {
        using var anonymous = fixture.Host.Anonymous();
        await anonymous.PostAsJsonAsync("api/auth/token", new { username = "admin", password = "not-the-password" });
        (await Admin.PostAsJsonAsync("api/users", new { username = "audited", password = SecurityHostFixture.Password, role = "viewer" })).EnsureSuccessStatusCode();

        var failures = await Admin.GetFromJsonAsync<JsonElement>("api/audit?action=auth.login_failed&actor=admin");
        var created = await Admin.GetFromJsonAsync<JsonElement>("api/audit?action=user.*");

        Assert.Contains(failures.GetProperty("items").EnumerateArray(), e => e.GetProperty("detail").GetString()!.Contains("wrong password", StringComparison.Ordinal));
        Assert.Contains(created.GetProperty("items").EnumerateArray(),
            e => e.GetProperty("action").GetString() == "user.created" && e.GetProperty("target").GetString() == "audited" && e.GetProperty("actor").GetString() == "admin");
        Assert.All(created.GetProperty("items").EnumerateArray(), e => Assert.StartsWith("user.", e.GetProperty("action").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_audit_log_pages_like_every_list_newest_first_and_exports_as_csv()
    {
        using var anonymous = fixture.Host.Anonymous();
        for (var i = 0; i < 3; i++)
        {
            (await anonymous.PostAsJsonAsync("api/auth/token", new { username = "admin", password = Testing.MatihHost.AdminPassword })).EnsureSuccessStatusCode();
        }

        var first = await Admin.GetFromJsonAsync<JsonElement>("api/audit?pageSize=2");
        var second = await Admin.GetFromJsonAsync<JsonElement>("api/audit?pageSize=2&page=2");
        var firstIds = first.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
        var secondIds = second.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(2, firstIds.Count);
        Assert.True(firstIds[0] > firstIds[1]);
        Assert.True(secondIds.Max() < firstIds.Min());
        Assert.True(first.GetProperty("total").GetInt32() >= 4);
        Assert.Equal(("at", "desc", 1, 2), (first.GetProperty("sort").GetString(), first.GetProperty("order").GetString(),
            first.GetProperty("page").GetInt32(), first.GetProperty("pageSize").GetInt32()));

        var csv = await Admin.GetAsync("api/audit.csv?action=auth.login");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,at,actor,action,target,detail", lines[0]);
        Assert.True(lines.Length >= 4);
        Assert.All(lines.Skip(1), l => Assert.Contains(",auth.login,", l, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("api/audit?format=csv")).StatusCode);
    }

    [Fact]
    public async Task Connection_changes_are_audited_with_who_made_them()
    {
        var analyst = fixture.Clients["analyst"];
        var created = await analyst.PostAsJsonAsync("api/connections", new
        {
            name = "Audited faker",
            connector = "source-faker",
            config = new { scale = 0.001 },
            streams = new object[] { new { name = "customers", sync_mode = "full_refresh" } },
            destination = new { catalog = "postgresql", schema = "audited" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var entries = await Admin.GetFromJsonAsync<JsonElement>("api/audit?action=connection.created");

        var entry = Assert.Single(entries.GetProperty("items").EnumerateArray());
        Assert.Equal("matrix-analyst", entry.GetProperty("actor").GetString());
        Assert.Equal("audited-faker", entry.GetProperty("target").GetString());
    }

    [Fact]
    public async Task A_pipeline_changed_and_run_through_the_api_is_audited_once_per_change_by_the_caller()
    {
        var analyst = fixture.Clients["analyst"];
        const string Document = """
            { "pipeline_id": "audited-once", "name": "Audited once", "tasks": [ { "task_id": "one", "type": "sql_execute", "config": { "sql": "SELECT 1" } } ] }
            """;
        (await analyst.PostAsync("api/pipelines", new StringContent(Document, System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await analyst.PutAsync("api/pipelines/audited-once", new StringContent(Document.Replace("\"tasks\"", "\"schedule\": \"0 3 * * *\", \"tasks\"", StringComparison.Ordinal),
            System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        (await analyst.PostAsync("api/pipelines/audited-once/runs", null)).EnsureSuccessStatusCode();
        (await analyst.DeleteAsync("api/pipelines/audited-once")).EnsureSuccessStatusCode();

        var entries = (await Admin.GetFromJsonAsync<JsonElement>("api/audit?action=pipeline.*&pageSize=500")).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("target").GetString() == "audited-once").Reverse().ToArray();

        Assert.Equal(["pipeline.created", "pipeline.updated", "pipeline.run_started", "pipeline.deleted"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries, e => Assert.Equal("matrix-analyst", e.GetProperty("actor").GetString()));
        Assert.Equal("1 task(s); schedule changed from none to 0 3 * * *", entries[1].GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_audit_log_sorts_by_actor_or_action_and_q_finds_text_in_actor_action_or_target()
    {
        (await Admin.PostAsJsonAsync("api/users", new { username = "zz-qfind", password = SecurityHostFixture.Password, role = "viewer" })).EnsureSuccessStatusCode();

        var byTarget = await Admin.GetFromJsonAsync<JsonElement>("api/audit?q=ZZ-QFIND");
        var byAction = await Admin.GetFromJsonAsync<JsonElement>("api/audit?q=login_fail&pageSize=500");
        var byActor = await Admin.GetFromJsonAsync<JsonElement>("api/audit?sort=actor&pageSize=500");
        var byActionDesc = await Admin.GetFromJsonAsync<JsonElement>("api/audit?sort=action&order=desc&pageSize=500");

        var created = Assert.Single(byTarget.GetProperty("items").EnumerateArray());
        Assert.Equal(("user.created", "zz-qfind"), (created.GetProperty("action").GetString(), created.GetProperty("target").GetString()));
        Assert.All(byAction.GetProperty("items").EnumerateArray(), e => Assert.Equal("auth.login_failed", e.GetProperty("action").GetString()));
        var actors = byActor.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("actor").GetString()!).ToArray();
        Assert.Equal(actors.Order(StringComparer.Ordinal), actors);
        Assert.Equal("asc", byActor.GetProperty("order").GetString());
        var actions = byActionDesc.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()!).ToArray();
        Assert.Equal(actions.OrderDescending(StringComparer.Ordinal), actions);
    }

    [Theory]
    [InlineData("api/audit?cursor=12", "cursor")]
    [InlineData("api/audit?limit=10", "limit")]
    [InlineData("api/audit?sort=target", "sort")]
    [InlineData("api/audit?to=soon", "to")]
    public async Task The_old_cursor_parameters_and_bad_values_are_a_400_naming_the_parameter(string url, string parameter)
    {
        var response = await Admin.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(parameter, out _), body);
    }

    [Fact]
    public async Task A_bad_time_filter_names_the_parameter()
    {
        var response = await Admin.GetAsync("api/audit?from=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("from must be an ISO 8601 time", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
