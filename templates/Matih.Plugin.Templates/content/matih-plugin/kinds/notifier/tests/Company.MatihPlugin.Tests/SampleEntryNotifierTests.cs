using System.Text.Json;
using Matih.Sdk.Notifications;
using Matih.Sdk.Plugins;
using Matih.Sdk.Testing;

namespace Company.MatihPlugin.Tests;

public sealed class SampleEntryNotifierTests : IDisposable
{
    private const string PluginFolder = "Company.MatihPlugin";

    private readonly string _directory = Directory.CreateTempSubdirectory("notifications-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Settings => JsonSerializer.Serialize(new { directory = _directory });

    [Fact]
    public void The_plugin_loads_as_a_notifier_for_sdk_1_without_carrying_the_sdk()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder, Settings);

        Assert.Equal("sample-plugin-id", plugin.Manifest.Id);
        Assert.Equal(PluginKind.Notifier, plugin.Manifest.Kind);
        Assert.Equal(SdkInfo.Major, plugin.Manifest.SdkMajor);
        Assert.Empty(plugin.PackagingWarnings);
    }

    [Fact]
    public async Task A_notification_is_appended_to_the_target_file_as_one_json_line()
    {
        using var plugin = PluginHarness.LoadBuilt(PluginFolder, Settings);
        var notifier = plugin.GetSingle<INotifier>();

        var result = await notifier.SendAsync(new Notification("Drift on tenure_days", "PSI 0.31 above 0.2", Severity.Warning, null), "ops", default);

        Assert.True(result.Delivered, result.Error);
        var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(Path.Combine(_directory, "ops.jsonl")))).RootElement;
        Assert.Equal("Drift on tenure_days", line.GetProperty("title").GetString());
        Assert.Equal("warning", line.GetProperty("severity").GetString());
    }

    [Fact]
    public void Without_a_directory_setting_the_plugin_is_faulted_naming_the_setting()
    {
        var attempt = PluginHarness.TryLoad(Path.Combine(PluginHarness.BuiltPluginsDirectory, PluginFolder), settingsJson: "{}");

        Assert.False(attempt.Succeeded);
        Assert.Contains("registration failed: settings.directory: is required", attempt.Error, StringComparison.Ordinal);
    }
}
