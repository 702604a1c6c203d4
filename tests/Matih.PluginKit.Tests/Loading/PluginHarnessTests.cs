using System.Reflection;
using Matih.Core.Plugins;
using Matih.Sdk.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.PluginKit.Tests.Loading;

/// <summary>The test kit loads plugins as the host does: same shared types, same checks, same reasons.</summary>
public sealed class PluginHarnessTests : IDisposable
{
    private static readonly string s_builtIn = Path.Combine(AppContext.BaseDirectory, "plugins");

    private readonly string _folder = Directory.CreateTempSubdirectory("matih-kit-load-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_kit_shares_exactly_the_types_the_host_shares_with_plugins()
    {
        // Private in the host on purpose; read here so the kit cannot drift from it unnoticed.
        var field = typeof(PluginLoading).GetField("s_sharedTypes", BindingFlags.NonPublic | BindingFlags.Static);
        var hostShared = (Type[])field!.GetValue(null)!;

        Assert.Equal(hostShared, PluginHarness.SharedTypes);
    }

    [Fact]
    public void Bad_settings_are_refused_by_the_kit_with_the_reason_the_host_gives()
    {
        const string settings = """{ "webhook": "not a url" }""";
        var host = LoadWithHost("needs-settings", "Matih.TestPlugins.NeedsSettings", settings);

        var kit = PluginHarness.TryLoad(Path.Combine(s_builtIn, "Matih.TestPlugins.NeedsSettings"), settings, expectedId: "needs-settings");

        Assert.Equal(PluginState.Faulted, host.State);
        Assert.False(kit.Succeeded);
        Assert.Equal("needs-settings: registration failed: settings.webhook: expected an absolute URL, got 'not a url'.", kit.Error);
        Assert.Equal(host.Error!.Replace("plugins[0] (needs-settings)", "needs-settings", StringComparison.Ordinal), kit.Error);
    }

    [Fact]
    public void A_plugin_built_for_another_sdk_major_is_refused_by_the_kit_as_by_the_host()
    {
        var host = LoadWithHost("future-sdk", "Matih.TestPlugins.FutureSdk", null);

        var kit = PluginHarness.TryLoad(Path.Combine(s_builtIn, "Matih.TestPlugins.FutureSdk"), expectedId: "future-sdk");

        Assert.Equal(PluginState.Faulted, host.State);
        Assert.Equal(host.Error!.Replace("plugins[0] (future-sdk)", "future-sdk", StringComparison.Ordinal), kit.Error);
        Assert.Throws<PluginLoadException>(() => PluginHarness.Load(Path.Combine(s_builtIn, "Matih.TestPlugins.FutureSdk")));
    }

    [Fact]
    public void Good_settings_load_the_plugin_with_what_it_registered()
    {
        using var plugin = PluginHarness.Load(Path.Combine(s_builtIn, "Matih.TestPlugins.NeedsSettings"), """{ "webhook": "http://127.0.0.1:9/hook" }""");

        Assert.Equal("needs-settings", plugin.Manifest.Id);
        Assert.Equal(["INotifier -> HalfRegisteredNotifier"], plugin.Contributions);
        Assert.Equal("needs-settings", plugin.GetSingle<Matih.Sdk.Notifications.INotifier>().Channel);
    }

    private PluginStatus LoadWithHost(string id, string path, string? settings)
    {
        var file = Path.Combine(_folder, "plugins.json");
        File.WriteAllText(file, $$"""{ "plugins": [ { "id": "{{id}}", "path": "{{path}}", "settings": {{settings ?? "{}"}} } ] }""");
        return Assert.Single(PluginLoading.LoadAll(PluginsFile.Read(file), s_builtIn, new ServiceCollection(), NullLogger.Instance).Statuses);
    }
}
