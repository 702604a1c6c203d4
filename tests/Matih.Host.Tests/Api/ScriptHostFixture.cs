using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary>
/// One host for the script tests, with a small script heap (256 MB) so the memory-hog test is quick, and an analyst
/// user for the permission tests. The script test classes share it (one collection), so they run one after another.
/// </summary>
public sealed class ScriptHostFixture : IAsyncLifetime
{
    public const string AnalystPassword = "console-password-1";

    public MatihHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await MatihHost.StartAsync(extraArgs: ["--Matih:Scripts:MemoryLimitMb=256"]);
        using var admin = await Host.SignedInAsync();
        (await admin.PostAsJsonAsync("api/users", new { username = "ana", password = AnalystPassword, role = "analyst" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    /// <summary>Runs <paramref name="code"/> through <c>POST /api/scripts/run</c> as admin.</summary>
    public async Task<JsonElement> RunAsync(string code, int? timeoutSeconds = null, string[]? args = null)
    {
        using var client = await Host.SignedInAsync();
        var response = await client.PostAsJsonAsync("api/scripts/run", new { code, timeoutSeconds, args });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>GET /health answers 200 with status healthy or degraded.</summary>
    public async Task AssertHealthyAsync()
    {
        using var client = Host.Anonymous();
        var response = await client.GetAsync("health");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}

[CollectionDefinition(Name)]
public sealed class ScriptCollection : ICollectionFixture<ScriptHostFixture>
{
    public const string Name = "scripts";
}
