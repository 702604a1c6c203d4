using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Security;

/// <summary>
/// One host without the demo, with a user per role and an API token per role (owned by admin), shared by the
/// security tests. plugins.json is a copy, so no route walked as admin can change the repository's.
/// </summary>
public sealed class SecurityHostFixture : IAsyncLifetime
{
    public const string Password = "matrix-password-1";

    private readonly string _folder = Directory.CreateTempSubdirectory("matih-security-").FullName;

    public MatihHost Host { get; private set; } = null!;

    /// <summary>A client per credential: "anonymous", "viewer", "analyst", "admin" (JWTs) and "viewer token", "analyst token", "admin token".</summary>
    public Dictionary<string, HttpClient> Clients { get; } = [];

    public async Task InitializeAsync()
    {
        var plugins = Path.Combine(_folder, "plugins.json");
        File.Copy(Path.Combine(MatihHost.RepositoryRoot, "plugins.json"), plugins);
        Host = await MatihHost.StartAsync(extraArgs: ["--plugins", plugins]);
        var admin = await Host.SignedInAsync();
        Clients["anonymous"] = Host.Anonymous();
        Clients["admin"] = admin;
        foreach (var role in new[] { "viewer", "analyst" })
        {
            (await admin.PostAsJsonAsync("api/users", new { username = $"matrix-{role}", password = Password, role })).EnsureSuccessStatusCode();
            Clients[role] = await Host.SignedInAsync($"matrix-{role}", Password);
        }

        foreach (var role in new[] { "viewer", "analyst", "admin" })
        {
            Clients[$"{role} token"] = WithBearer(await CreateTokenAsync(admin, $"matrix {role}", role));
        }
    }

    /// <summary>A client sending <paramref name="bearer"/>.</summary>
    public HttpClient WithBearer(string bearer)
    {
        var client = Host.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    /// <summary>Makes an API token through the API and returns its secret.</summary>
    public static async Task<string> CreateTokenAsync(HttpClient owner, string name, string? role = null)
    {
        var response = await owner.PostAsJsonAsync("api/tokens", new { name, role });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in Clients.Values)
        {
            client.Dispose();
        }

        await Host.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The security tests share one host (users, tokens and the matrix walk do not interfere).</summary>
[CollectionDefinition(Name)]
public sealed class SecurityCollection : ICollectionFixture<SecurityHostFixture>
{
    public const string Name = "security host";
}
