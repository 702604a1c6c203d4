using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Security;

/// <summary>A host keeping secrets in the encrypted file store.</summary>
public sealed class SecretStoreHostFixture : IAsyncLifetime
{
    public MatihHost Host { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Host = await MatihHost.StartAsync(environment: new Dictionary<string, string> { ["Matih__Secrets__Store"] = "file" });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class SecretLeakTests(SecretStoreHostFixture fixture) : IClassFixture<SecretStoreHostFixture>
{
    // Distinctive values: finding either anywhere but in a connector's hands is a leak.
    private const string Seed = "918273645";
    private const string Planted = "planted-Zq9vX-s3cr3t-value";

    [Fact]
    public async Task A_secret_is_used_by_a_sync_but_never_appears_in_api_responses_logs_or_metadata_rows()
    {
        using var admin = await fixture.Host.SignedInAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync("api/secrets/FAKER_SEED", new { value = Seed })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync("api/secrets/WEBHOOK_TOKEN", new { value = Planted })).StatusCode);
        var created = await admin.PostAsJsonAsync("api/connections", new
        {
            name = "Secret faker",
            connector = "source-faker",
            config = new { scale = 0.001, seed = "${FAKER_SEED}" },
            streams = new object[] { new { name = "customers", sync_mode = "full_refresh" } },
            destination = new { catalog = "postgresql", schema = "secretive" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var run = await admin.SyncAsync("secret-faker");
        Assert.Equal("succeeded", run.GetProperty("state").GetString());

        var responses = new StringBuilder(await created.Content.ReadAsStringAsync()).Append(run.GetRawText());
        foreach (var path in new[] { "api/secrets", "api/connections", "api/connections/secret-faker", "api/connections/secret-faker/runs", "api/audit", "api/audit.csv" })
        {
            responses.Append(await admin.GetStringAsync(path));
        }

        foreach (var rule in RoleMatrix.Rules.Where(r => r.Method == "GET" && !r.Pattern.Contains('{', StringComparison.Ordinal)))
        {
            responses.Append(await (await admin.GetAsync(rule.Pattern.TrimStart('/'))).Content.ReadAsStringAsync());
        }

        var listed = await admin.GetFromJsonAsync<JsonElement>("api/secrets");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), s => s.GetProperty("name").GetString() == "FAKER_SEED" && s.GetProperty("source").GetString() == "file");
        Assert.Contains("secret.created", responses.ToString(), StringComparison.Ordinal);
        foreach (var secret in new[] { Seed, Planted })
        {
            Assert.DoesNotContain(secret, responses.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, fixture.Host.Output, StringComparison.Ordinal);
            foreach (var file in Directory.GetFiles(fixture.Host.DataDirectory, "metadata.db*").Append(Path.Combine(fixture.Host.DataDirectory, "secrets", "secrets.json")))
            {
                var bytes = await ReadSharedAsync(file);
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{Path.GetFileName(file)} holds the secret in plain text.");
            }
        }
    }

    [Fact]
    public async Task Secret_names_are_checked_and_values_are_required()
    {
        using var admin = await fixture.Host.SignedInAsync();

        var response = await admin.PutAsJsonAsync("api/secrets/9-bad-name", new { value = "" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.StartsWith("A secret name starts with a letter", errors.GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal("value is required.", errors.GetProperty("value")[0].GetString());
    }

    private static async Task<byte[]> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
