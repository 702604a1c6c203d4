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
    public async Task The_audit_log_pages_with_a_cursor_and_exports_as_csv()
    {
        using var anonymous = fixture.Host.Anonymous();
        for (var i = 0; i < 3; i++)
        {
            (await anonymous.PostAsJsonAsync("api/auth/token", new { username = "admin", password = Testing.MatihHost.AdminPassword })).EnsureSuccessStatusCode();
        }

        var first = await Admin.GetFromJsonAsync<JsonElement>("api/audit?limit=2");
        var second = await Admin.GetFromJsonAsync<JsonElement>($"api/audit?limit=2&cursor={first.GetProperty("next_cursor").GetString()}");
        var firstIds = first.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
        var secondIds = second.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(2, firstIds.Count);
        Assert.True(secondIds.Max() < firstIds.Min());

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

        var entries = (await Admin.GetFromJsonAsync<JsonElement>("api/audit?action=pipeline.*&limit=1000")).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("target").GetString() == "audited-once").Reverse().ToArray();

        Assert.Equal(["pipeline.created", "pipeline.updated", "pipeline.run_started", "pipeline.deleted"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.All(entries, e => Assert.Equal("matrix-analyst", e.GetProperty("actor").GetString()));
        Assert.Equal("1 task(s); schedule changed from none to 0 3 * * *", entries[1].GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_bad_time_filter_names_the_parameter()
    {
        var response = await Admin.GetAsync("api/audit?from=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("from must be an ISO 8601 time", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
