using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

public sealed class PluginsTests
{
    [Fact]
    public async Task Every_built_in_plugin_is_loaded()
    {
        await using var host = await MatihHost.StartAsync();
        using var client = await host.SignedInAsync();

        var plugins = await client.GetFromJsonAsync<JsonElement>("api/plugins");

        var faker = plugins.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "source-faker");
        Assert.Equal("loaded", faker.GetProperty("state").GetString());
        Assert.Equal("connector", faker.GetProperty("kind").GetString());
        Assert.Equal(1, faker.GetProperty("sdk_major").GetInt32());
        Assert.All(plugins.EnumerateArray(), p => Assert.Equal("loaded", p.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task A_host_with_a_broken_plugins_file_keeps_running_and_says_where_the_file_is_wrong()
    {
        var folder = Directory.CreateTempSubdirectory("matih-badplugins-").FullName;
        var file = Path.Combine(folder, "plugins.json");
        await File.WriteAllTextAsync(file, "{ \"plugins\": [\n  { \"id\": \"source-faker\", \"path\": }\n] }");
        try
        {
            await using var host = await MatihHost.StartAsync(extraArgs: ["--plugins", file]);
            using var client = await host.SignedInAsync();

            var plugins = await client.GetFromJsonAsync<JsonElement>("api/plugins");

            var problem = Assert.Single(plugins.EnumerateArray());
            Assert.Equal("faulted", problem.GetProperty("state").GetString());
            Assert.Contains("plugins.json line 2, column", problem.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
