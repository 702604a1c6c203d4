using System.Net.Http.Json;
using System.Text.Json;

namespace Matih.Host.Tests.Api;

[Collection(ScriptCollection.Name)]
public sealed class ScriptSafetyTests(ScriptHostFixture fixture)
{
    [Fact]
    public async Task A_tight_loop_is_stopped_at_its_time_limit_and_the_host_carries_on()
    {
        var started = DateTime.UtcNow;

        var run = await fixture.RunAsync("var n = 0L;\nwhile (true) { n++; }", timeoutSeconds: 2);

        Assert.Equal(("failed", "timed_out"), (run.GetProperty("state").GetString(), run.GetProperty("failure").GetString()));
        Assert.Contains("ran past its 2 s limit", run.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "The loop was not stopped promptly.");
        await fixture.AssertHealthyAsync();
        Assert.Equal("2", (await fixture.RunAsync("1 + 1")).GetProperty("result").GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_script_awaiting_past_its_limit_is_cancelled_without_killing_its_process()
    {
        var run = await fixture.RunAsync("await SleepAsync(TimeSpan.FromMinutes(10));", timeoutSeconds: 1);

        Assert.Equal("timed_out", run.GetProperty("failure").GetString());
        Assert.Contains("ran past its 1 s limit and was stopped", run.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stack_overflow_ends_only_the_script_process()
    {
        var run = await fixture.RunAsync("int Down(int n) => Down(n + 1) + 1;\nDown(0)");

        Assert.Equal(("failed", "stack_overflow"), (run.GetProperty("state").GetString(), run.GetProperty("failure").GetString()));
        Assert.Contains("overflowed its stack", run.GetProperty("message").GetString(), StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
        Assert.Equal("succeeded", (await fixture.RunAsync("\"still working\"")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_memory_hog_runs_out_of_memory_and_the_host_carries_on()
    {
        var run = await fixture.RunAsync("var hoard = new List<byte[]>();\nwhile (true) { hoard.Add(new byte[8 * 1024 * 1024]); hoard[^1][0] = 1; }", timeoutSeconds: 60);

        Assert.Equal(("failed", "out_of_memory"), (run.GetProperty("state").GetString(), run.GetProperty("failure").GetString()));
        Assert.Contains("out of memory", run.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        await fixture.AssertHealthyAsync();
        Assert.Equal("succeeded", (await fixture.RunAsync("new int[1000].Length")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Native_memory_past_the_process_limit_gets_the_script_process_killed()
    {
        // Unmanaged memory is outside the heap limit; the watchdog sees the process's resident memory (256 + 512 MB here).
        var run = await fixture.RunAsync("""
            var chunk = new byte[64 << 20];
            Array.Fill(chunk, (byte)1);
            var blocks = new List<IntPtr>();
            while (true) { var block = System.Runtime.InteropServices.Marshal.AllocHGlobal(chunk.Length); System.Runtime.InteropServices.Marshal.Copy(chunk, 0, block, chunk.Length); blocks.Add(block); }
            """, timeoutSeconds: 60);

        Assert.Equal(("failed", "out_of_memory"), (run.GetProperty("state").GetString(), run.GetProperty("failure").GetString()));
        Assert.Contains("used more than 768 MB and was killed", run.GetProperty("message").GetString(), StringComparison.Ordinal);
        await fixture.AssertHealthyAsync();
        Assert.Equal("succeeded", (await fixture.RunAsync("\"after the hog\"")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_tight_loop_in_a_session_is_killed_and_the_session_starts_afresh()
    {
        using var client = await fixture.Host.SignedInAsync();
        var id = (await (await client.PostAsync("api/scripts/sessions", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await client.PostAsJsonAsync($"api/scripts/sessions/{id}/submit", new { code = "var before = 1;" });

        var looped = await (await client.PostAsJsonAsync($"api/scripts/sessions/{id}/submit", new { code = "while (true) { }", timeoutSeconds = 1 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var after = await (await client.PostAsJsonAsync($"api/scripts/sessions/{id}/submit", new { code = "1 + 2" })).Content.ReadFromJsonAsync<JsonElement>();
        await client.DeleteAsync($"api/scripts/sessions/{id}");

        Assert.Equal("timed_out", looped.GetProperty("failure").GetString());
        Assert.True(looped.GetProperty("sessionReset").GetBoolean());
        Assert.Contains("variables are gone", looped.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("3", after.GetProperty("result").GetProperty("text").GetString());
    }
}
