using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Matih.Host.Tests.Api;

[Collection(ScriptCollection.Name)]
public sealed class ScriptRunTests(ScriptHostFixture fixture)
{
    [Fact]
    public async Task Sql_from_a_script_comes_back_as_a_grid_with_column_types()
    {
        var run = await fixture.RunAsync("var t = await SqlAsync(\"SELECT 42 AS answer, 'Gold' AS segment\");\nt");

        Assert.Equal("succeeded", run.GetProperty("state").GetString());
        var result = run.GetProperty("result");
        Assert.Equal("table", result.GetProperty("kind").GetString());
        Assert.Equal(["answer", "segment"], result.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("INTEGER", result.GetProperty("columns")[0].GetProperty("type").GetString());
        Assert.Equal(42, result.GetProperty("rows")[0][0].GetInt32());
        Assert.Equal("Gold", result.GetProperty("rows")[0][1].GetString());
    }

    [Fact]
    public async Task Numbers_and_text_render_plainly_and_a_series_as_a_chart()
    {
        var number = (await fixture.RunAsync("0.183 * 100")).GetProperty("result");
        var text = (await fixture.RunAsync("\"churn\" + \"-predictor\"")).GetProperty("result");
        var series = (await fixture.RunAsync("new Dictionary<string, int> { [\"0-30\"] = 41, [\"31-60\"] = 16, [\"61-90\"] = 12 }")).GetProperty("result");

        Assert.Equal(("number", "18.3"), (number.GetProperty("kind").GetString(), number.GetProperty("text").GetString()));
        Assert.Equal(("text", "churn-predictor"), (text.GetProperty("kind").GetString(), text.GetProperty("text").GetString()));
        Assert.Equal("series", series.GetProperty("kind").GetString());
        Assert.Equal(["0-30", "31-60", "61-90"], series.GetProperty("series")[0].GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal([41.0, 16.0, 12.0], series.GetProperty("series")[0].GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
    }

    [Fact]
    public async Task Output_args_and_the_user_reach_the_script()
    {
        var run = await fixture.RunAsync("Console.WriteLine($\"{User}: {string.Join(\"|\", Args)}\");", args: ["2025-12-15", "3"]);

        Assert.Equal("admin: 2025-12-15|3\n", run.GetProperty("output").GetString());
    }

    [Fact]
    public async Task A_compile_error_is_a_failed_run_with_line_and_column()
    {
        var run = await fixture.RunAsync("var a = 1;\nvar b = a +;");

        Assert.Equal("failed", run.GetProperty("state").GetString());
        Assert.Equal("compile_error", run.GetProperty("failure").GetString());
        var error = run.GetProperty("diagnostics").EnumerateArray().First(d => d.GetProperty("severity").GetString() == "error");
        Assert.Equal(2, error.GetProperty("line").GetInt32());
        Assert.Equal(12, error.GetProperty("column").GetInt32());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task An_api_error_inside_a_script_names_the_script_line_and_the_servers_reason()
    {
        var run = await fixture.RunAsync("// look up a table that is not there\nvar t = await Catalog.GetTableAsync(\"analytics.derived.nothing_here\");");

        Assert.Equal("exception", run.GetProperty("failure").GetString());
        Assert.Equal(2, run.GetProperty("error").GetProperty("line").GetInt32());
        Assert.Contains("404", run.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("The catalog has no table analytics.derived.nothing_here", run.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_run_is_audited_with_the_user_the_code_hash_and_the_outcome()
    {
        var code = $"// audit {Guid.NewGuid()}\nthrow new Exception(\"audited failure\");";
        var run = await fixture.RunAsync(code);
        using var client = await fixture.Host.SignedInAsync();

        var audit = await client.GetFromJsonAsync<JsonElement>("api/scripts/runs?pageSize=500");

        var record = audit.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("runId").GetGuid() == run.GetProperty("runId").GetGuid());
        Assert.Equal("admin", record.GetProperty("user").GetString());
        Assert.Equal("api", record.GetProperty("source").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code))), record.GetProperty("codeHash").GetString());
        Assert.Equal(("failed", "exception"), (record.GetProperty("state").GetString(), record.GetProperty("failure").GetString()));
        Assert.Contains("audited failure", record.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(record.GetProperty("startedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));

        // And once in the audit log, by the caller, with the run id and the code hash but not the code.
        var runId = run.GetProperty("runId").GetGuid().ToString();
        var entries = (await client.GetFromJsonAsync<JsonElement>("api/audit?action=script.*&pageSize=500")).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("detail").GetString()!.Contains(runId, StringComparison.Ordinal)).ToArray();
        var entry = Assert.Single(entries);
        Assert.Equal(("admin", "script.run"), (entry.GetProperty("actor").GetString(), entry.GetProperty("action").GetString()));
        Assert.Contains(record.GetProperty("codeHash").GetString()![..12], entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("audited failure", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_repeated_script_is_served_from_the_compiled_cache()
    {
        var code = $"var marker = \"{Guid.NewGuid()}\";\nmarker.Length";

        await fixture.RunAsync(code);
        var again = await fixture.RunAsync(code);

        Assert.True(again.GetProperty("cached").GetBoolean());
        Assert.Equal("36", again.GetProperty("result").GetProperty("text").GetString());
    }
}
