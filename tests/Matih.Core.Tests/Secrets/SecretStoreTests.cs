using Matih.Core.Secrets;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;

namespace Matih.Core.Tests.Secrets;

public sealed class SecretStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-secrets-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_file_store_keeps_values_encrypted_and_resolves_them_before_settings_and_environment()
    {
        var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Secrets:PG_PASSWORD"] = "from-settings" }).Build();
        var store = Store(settings, writable: true);

        await store.SetAsync("PG_PASSWORD", "from-the-file-store", default);

        Assert.Equal("from-the-file-store", store.Resolve("PG_PASSWORD"));
        Assert.DoesNotContain("from-the-file-store", await File.ReadAllTextAsync(Path.Combine(_folder, "secrets.json")), StringComparison.Ordinal);
        Assert.Equal([new SecretInfo("PG_PASSWORD", "file", store.List()[0].UpdatedAt)], store.List());
        Assert.True(await store.DeleteAsync("PG_PASSWORD", default));
        Assert.Equal("from-settings", store.Resolve("PG_PASSWORD"));
    }

    [Fact]
    public async Task Another_host_sharing_the_data_directory_sees_a_new_secret()
    {
        var first = Store(new ConfigurationBuilder().Build(), writable: true);
        var second = Store(new ConfigurationBuilder().Build(), writable: true);
        Assert.Null(second.Resolve("SLACK_WEBHOOK"));

        await first.SetAsync("SLACK_WEBHOOK", "https://hooks.example/abc", default);

        Assert.Equal("https://hooks.example/abc", second.Resolve("SLACK_WEBHOOK"));
    }

    [Fact]
    public async Task The_environment_store_reads_variables_and_refuses_writes_saying_how_to_switch()
    {
        Environment.SetEnvironmentVariable("MATIH_TEST_SECRET_STORE", "from-env");
        var store = Store(new ConfigurationBuilder().Build(), writable: false);

        Assert.Equal("from-env", store.Resolve("MATIH_TEST_SECRET_STORE"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.SetAsync("X", "y", default));
        Assert.Contains("Matih__Secrets__Store=file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_must_be_usable_as_references()
    {
        var store = Store(new ConfigurationBuilder().Build(), writable: true);

        Assert.Equal("name", (await Assert.ThrowsAsync<ArgumentException>(() => store.SetAsync("9 lives", "x", default))).ParamName);
        Assert.True(SecretStore.IsValidName("_PG_PASSWORD2"));
    }

    [Fact]
    public async Task Configuration_shows_file_secrets_as_Secrets_NAME_for_plugins()
    {
        var builder = new ConfigurationManager();
        var store = Store(builder, writable: true);
        builder.Sources.Add(new SecretStoreConfigurationSource(store));

        await store.SetAsync("WEBHOOK_TOKEN", "t0ken", default);

        Assert.Equal("t0ken", builder["Secrets:WEBHOOK_TOKEN"]);
        Assert.Null(builder["Secrets:UNSET"]);
    }

    private SecretStore Store(IConfiguration configuration, bool writable) =>
        new(DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(_folder, "keys")), b => b.SetApplicationName("Matih")), configuration,
            Path.Combine(_folder, "secrets.json"), writable);
}
