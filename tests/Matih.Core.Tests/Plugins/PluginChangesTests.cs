using System.IO.Compression;
using System.Text.Json.Nodes;
using Matih.Core.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Tests.Plugins;

public sealed class PluginChangesTests : IDisposable
{
    private static readonly string s_builtIn = Path.Combine(AppContext.BaseDirectory, "plugins");
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-pluginchanges-").FullName;

    private string FilePath => Path.Combine(_folder, "plugins.json");

    private string InstallDirectory => Path.Combine(_folder, "data", "plugins");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Settings_outside_the_declared_range_are_refused_by_path_and_nothing_is_written()
    {
        var changes = Start("""{ "plugins": [ { "id": "source-faker", "path": "Matih.Plugins.SourceFaker", "enabled": true, "settings": {} } ] }""");
        var before = File.ReadAllText(FilePath);

        var change = await changes.UpdateSettingsAsync("source-faker", new JsonObject { ["default_scale"] = 500, ["batch_rows"] = 10 }, "admin");

        Assert.False(change.Succeeded);
        Assert.Equal(["settings.default_scale", "settings.batch_rows"], change.Problems.Select(p => p.Path));
        Assert.Equal("default_scale must be at most 100.", change.Problems[0].Message);
        Assert.Equal(before, File.ReadAllText(FilePath));
    }

    [Fact]
    public async Task Settings_the_declared_specs_allow_but_the_plugin_refuses_are_named_by_the_plugins_own_message()
    {
        var changes = Start("""{ "plugins": [ { "id": "source-faker", "path": "Matih.Plugins.SourceFaker", "enabled": true, "settings": {} } ] }""");
        var before = File.ReadAllText(FilePath);

        // The spec's minimum is inclusive; the plugin itself wants a scale greater than 0.
        var change = await changes.UpdateSettingsAsync("source-faker", new JsonObject { ["default_scale"] = 0 }, "admin");

        var problem = Assert.Single(change.Problems);
        Assert.Equal("settings.default_scale", problem.Path);
        Assert.StartsWith("must be a number greater than 0 and at most 100", problem.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(FilePath));
    }

    [Fact]
    public async Task Valid_settings_are_written_and_the_plugin_waits_for_a_restart()
    {
        var changes = Start("""{ "plugins": [ { "id": "source-faker", "path": "Matih.Plugins.SourceFaker", "enabled": true, "settings": {} } ] }""");

        var change = await changes.UpdateSettingsAsync("source-faker", new JsonObject { ["default_scale"] = 0.02, ["max_parallelism"] = 2 }, "admin");

        Assert.True(change.Succeeded);
        Assert.True(change.RestartRequired);
        Assert.True(change.Plugin!.PendingRestart);
        Assert.Equal(PluginState.Loaded, change.Plugin.Status.State);
        var settings = PluginsFile.Read(FilePath).Entries.Single().Settings!.Value;
        Assert.Equal(0.02, settings.GetProperty("default_scale").GetDouble());
        Assert.Equal(2, settings.GetProperty("max_parallelism").GetInt32());
    }

    [Fact]
    public async Task Disabling_a_loaded_plugin_is_pending_until_restart_and_enabling_it_again_is_not()
    {
        var changes = Start("""
            { "plugins": [
              { "id": "json-new", "path": "Matih.TestPlugins.JsonNew" },
              { "id": "source-faker", "path": "Matih.Plugins.SourceFaker" } ] }
            """);

        var disabled = await changes.SetEnabledAsync("json-new", false, "admin");

        Assert.True(disabled.Succeeded);
        Assert.False(disabled.Plugin!.Enabled);
        Assert.True(disabled.Plugin.PendingRestart);
        Assert.Equal(PluginState.Loaded, disabled.Plugin.Status.State);
        Assert.False(changes.Find("source-faker")!.PendingRestart);

        var enabled = await changes.SetEnabledAsync("json-new", true, "admin");
        Assert.False(enabled.Plugin!.PendingRestart);
        Assert.True((await changes.SetEnabledAsync("ghost", true, "admin")).NotFound);
    }

    [Fact]
    public void A_disabled_plugin_shows_its_kind_version_and_declared_settings_without_being_loaded()
    {
        var changes = Start("""{ "plugins": [ { "id": "source-faker", "path": "Matih.Plugins.SourceFaker", "enabled": false } ] }""");

        var faker = changes.Find("source-faker")!;

        Assert.Equal(PluginState.Disabled, faker.Status.State);
        Assert.Equal("connector", faker.Status.Kind);
        Assert.Equal("1.0.0", faker.Status.Version);
        Assert.Equal(1, faker.Status.SdkMajor);
        Assert.Contains(faker.DeclaredSettings, s => s.Name == "default_scale" && s.Maximum == 100);
        Assert.False(faker.PendingRestart);
    }

    [Fact]
    public async Task A_plugin_built_for_another_sdk_major_is_refused_and_nothing_is_copied_or_written()
    {
        var changes = Start("""{ "plugins": [] }""");
        var before = File.ReadAllText(FilePath);

        var change = await changes.InstallFromFolderAsync(Path.Combine(s_builtIn, "Matih.TestPlugins.FutureSdk"), enabled: true, copy: true, "admin");

        var problem = Assert.Single(change.Problems);
        Assert.Equal("path", problem.Path);
        Assert.Contains("built for Matih SDK 2.x, but this host runs SDK 1.x", problem.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(FilePath));
        Assert.False(Directory.Exists(Path.Combine(InstallDirectory, "future-sdk")));
    }

    [Fact]
    public async Task An_installed_folder_is_copied_under_the_data_directory_listed_disabled_and_loads_from_there_once_enabled()
    {
        var changes = Start("""{ "plugins": [ { "id": "source-faker", "path": "Matih.Plugins.SourceFaker" } ] }""");

        var change = await changes.InstallFromFolderAsync(Path.Combine(s_builtIn, "Matih.TestPlugins.JsonNew"), enabled: false, copy: true, "admin");

        Assert.True(change.Succeeded, string.Join(" ", change.Problems.Select(p => p.Message)));
        Assert.Equal("json-new", change.Plugin!.Id);
        Assert.Equal("notifier", change.Plugin.Status.Kind);
        Assert.False(change.Plugin.Enabled);
        Assert.False(change.Plugin.PendingRestart);
        var entry = PluginsFile.Read(FilePath).Entries.Last();
        Assert.Equal(Path.Combine(InstallDirectory, "json-new", "Matih.TestPlugins.JsonNew.dll"), entry.Path);
        Assert.True(File.Exists(Path.Combine(InstallDirectory, "json-new", "Newtonsoft.Json.dll")));

        Assert.True((await changes.SetEnabledAsync("json-new", true, "admin")).Plugin!.PendingRestart);
        var restarted = PluginLoading.LoadAll(PluginsFile.Read(FilePath), s_builtIn, new ServiceCollection(), NullLogger.Instance);
        Assert.Equal(PluginState.Loaded, restarted.Statuses.Single(s => s.Id == "json-new").State);

        var twice = await changes.InstallFromFolderAsync(Path.Combine(s_builtIn, "Matih.TestPlugins.JsonNew"), enabled: false, copy: true, "admin");
        Assert.Contains("already lists \"json-new\"", Assert.Single(twice.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zip_of_a_built_plugin_is_installed_and_a_zip_without_one_is_refused()
    {
        var changes = Start("""{ "plugins": [] }""");
        var zip = Path.Combine(_folder, "needs-settings.zip");
        ZipFile.CreateFromDirectory(Path.Combine(s_builtIn, "Matih.TestPlugins.NeedsSettings"), zip, CompressionLevel.Fastest, includeBaseDirectory: true);

        await using (var stream = File.OpenRead(zip))
        {
            var change = await changes.InstallFromZipAsync(stream, "needs-settings.zip", enabled: true, "admin");

            Assert.True(change.Succeeded, string.Join(" ", change.Problems.Select(p => p.Message)));
            Assert.True(change.Plugin!.Enabled);
            Assert.True(change.Plugin.PendingRestart);
        }

        var empty = Path.Combine(_folder, "empty.zip");
        var notes = Directory.CreateDirectory(Path.Combine(_folder, "notes")).FullName;
        File.WriteAllText(Path.Combine(notes, "README.txt"), "no plugin here");
        ZipFile.CreateFromDirectory(notes, empty);
        await using (var stream = File.OpenRead(empty))
        {
            var refused = await changes.InstallFromZipAsync(stream, "empty.zip", enabled: true, "admin");

            var problem = Assert.Single(refused.Problems);
            Assert.Equal("file", problem.Path);
            Assert.StartsWith("empty.zip: the zip holds no Matih plugin", problem.Message, StringComparison.Ordinal);
        }

        Assert.Equal(["needs-settings"], PluginsFile.Read(FilePath).Entries.Select(e => e.Id));
        Assert.Equal(["needs-settings"], Directory.GetDirectories(InstallDirectory).Select(Path.GetFileName));
    }

    private PluginChanges Start(string json)
    {
        File.WriteAllText(FilePath, json);
        var installed = PluginLoading.LoadAll(PluginsFile.Read(FilePath), s_builtIn, new ServiceCollection(), NullLogger.Instance);
        return new PluginChanges(installed, FilePath, s_builtIn, InstallDirectory);
    }
}
