using Matih.Core.Plugins;
using Matih.Sdk.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Tests.Plugins;

public sealed class PluginLoadingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-plugins-").FullName;
    private static readonly string s_builtIn = Path.Combine(AppContext.BaseDirectory, "plugins");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Two_plugins_with_different_versions_of_the_same_package_each_see_their_own()
    {
        var (installed, services) = Load("""
            { "plugins": [
              { "id": "json-old", "path": "Matih.TestPlugins.JsonOld" },
              { "id": "json-new", "path": "Matih.TestPlugins.JsonNew" } ] }
            """);

        Assert.All(installed.Statuses, s => Assert.Equal(PluginState.Loaded, s.State));
        var channels = services.BuildServiceProvider().GetServices<INotifier>().Select(n => n.Channel).Order().ToArray();
        Assert.Equal(2, channels.Length);
        Assert.StartsWith("json-new:13.0.0.0:", channels[0], StringComparison.Ordinal);
        Assert.StartsWith("json-old:12.0.0.0:", channels[1], StringComparison.Ordinal);
        Assert.All(channels, c => Assert.EndsWith("{\"ok\":true}", c, StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_plugin_path_is_faulted_naming_the_entry_and_the_others_still_load()
    {
        var (installed, _) = Load("""
            { "plugins": [
              { "id": "ghost", "path": "Matih.Plugins.Ghost" },
              { "id": "json-new", "path": "Matih.TestPlugins.JsonNew" } ] }
            """);

        var ghost = installed.Statuses.Single(s => s.Id == "ghost");
        Assert.Equal(PluginState.Faulted, ghost.State);
        Assert.Contains("plugins[0] (ghost)", ghost.Error, StringComparison.Ordinal);
        Assert.Contains("\"Matih.Plugins.Ghost\" was not found", ghost.Error, StringComparison.Ordinal);
        Assert.Equal(PluginState.Loaded, installed.Statuses.Single(s => s.Id == "json-new").State);
    }

    [Fact]
    public void A_plugin_that_throws_while_loading_is_faulted_with_its_message()
    {
        var (installed, _) = Load("""{ "plugins": [ { "id": "throws-on-load", "path": "Matih.TestPlugins.ThrowsOnLoad" } ] }""");

        var status = Assert.Single(installed.Statuses);
        Assert.Equal(PluginState.Faulted, status.State);
        Assert.Contains("threw while loading: the license file is missing", status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plugin_whose_registration_fails_leaves_none_of_its_services_behind()
    {
        var (installed, services) = Load("""{ "plugins": [ { "id": "needs-settings", "path": "Matih.TestPlugins.NeedsSettings", "settings": { "webhook": "not a url" } } ] }""");

        var status = Assert.Single(installed.Statuses);
        Assert.Equal(PluginState.Faulted, status.State);
        Assert.Contains("settings.webhook: expected an absolute URL, got 'not a url'", status.Error, StringComparison.Ordinal);
        Assert.Empty(services.BuildServiceProvider().GetServices<INotifier>());
    }

    [Fact]
    public void Plugin_settings_from_plugins_json_reach_the_plugin()
    {
        var (installed, services) = Load("""{ "plugins": [ { "id": "needs-settings", "path": "Matih.TestPlugins.NeedsSettings", "settings": { "webhook": "http://127.0.0.1:9/hook" } } ] }""");

        Assert.Equal(PluginState.Loaded, Assert.Single(installed.Statuses).State);
        Assert.Single(services.BuildServiceProvider().GetServices<INotifier>());
    }

    [Fact]
    public void A_plugin_with_a_type_that_fails_to_load_is_faulted_with_the_missing_assembly_named()
    {
        var (installed, _) = Load("""{ "plugins": [ { "id": "broken-type", "path": "Matih.TestPlugins.BrokenType" } ] }""");

        var status = Assert.Single(installed.Statuses);
        Assert.Equal(PluginState.Faulted, status.State);
        Assert.Contains("failed to load", status.Error, StringComparison.Ordinal);
        Assert.Contains("Matih.TestPlugins.MissingDependency", status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plugin_built_for_another_sdk_major_is_refused_with_what_to_do()
    {
        var (installed, _) = Load("""{ "plugins": [ { "id": "future-sdk", "path": "Matih.TestPlugins.FutureSdk" } ] }""");

        var status = Assert.Single(installed.Statuses);
        Assert.Equal(PluginState.Faulted, status.State);
        Assert.Contains("built for Matih SDK 2.x, but this host runs SDK 1.x", status.Error, StringComparison.Ordinal);
        Assert.Contains("Rebuild the plugin against Matih.Sdk 1.x", status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_disabled_plugin_is_listed_but_not_loaded()
    {
        var (installed, services) = Load("""{ "plugins": [ { "id": "json-old", "path": "Matih.TestPlugins.JsonOld", "enabled": false } ] }""");

        Assert.Equal(PluginState.Disabled, Assert.Single(installed.Statuses).State);
        Assert.Equal(0, installed.LoadedCount);
        Assert.Empty(services.BuildServiceProvider().GetServices<INotifier>());
    }

    [Fact]
    public void An_entry_whose_id_differs_from_the_plugin_manifest_is_refused()
    {
        var (installed, _) = Load("""{ "plugins": [ { "id": "json-older", "path": "Matih.TestPlugins.JsonOld" } ] }""");

        var status = Assert.Single(installed.Statuses);
        Assert.Equal(PluginState.Faulted, status.State);
        Assert.Contains("is plugin \"json-old\", not \"json-older\"", status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plugin_path_relative_to_plugins_json_is_found()
    {
        var copy = Path.Combine(_folder, "third-party", "JsonNew");
        CopyDirectory(Path.Combine(s_builtIn, "Matih.TestPlugins.JsonNew"), copy);

        var (installed, _) = Load("""{ "plugins": [ { "id": "json-new", "path": "third-party/JsonNew/Matih.TestPlugins.JsonNew.dll" } ] }""");

        var status = Assert.Single(installed.Statuses);
        Assert.Equal(PluginState.Loaded, status.State);
        Assert.StartsWith(copy, status.Path, StringComparison.Ordinal);
    }

    private (InstalledPlugins Installed, ServiceCollection Services) Load(string json)
    {
        var file = Path.Combine(_folder, "plugins.json");
        File.WriteAllText(file, json);
        var services = new ServiceCollection();
        var installed = PluginLoading.LoadAll(PluginsFile.Read(file), s_builtIn, services, NullLogger.Instance);
        return (installed, services);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
