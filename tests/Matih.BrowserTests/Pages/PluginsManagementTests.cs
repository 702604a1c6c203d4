using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Matih.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed class PluginsManagementTests(Workbench workbench)
{
    [Fact]
    public async Task Admin_disables_a_plugin_sees_pending_restart_and_fixes_a_wrong_notifier_setting_before_it_is_saved()
    {
        var folder = Directory.CreateTempSubdirectory("matih-pluginsui-").FullName;
        var pluginsFile = Path.Combine(folder, "plugins.json");
        File.Copy(Path.Combine(MatihHost.RepositoryRoot, "plugins.json"), pluginsFile);
        try
        {
            await using var host = await MatihHost.StartAsync(extraArgs: ["--plugins", pluginsFile]);
            var page = await workbench.SignedInPageAsync(host: host);
            await page.GotoAsync(new Uri(host.BaseAddress, "plugins").ToString());
            await Workbench.WaitUntilInteractiveAsync(page);
            await Expect(page.GetByTestId("restart-note")).ToContainTextAsync("apply when the host restarts");

            var postgres = PluginRow(page, "source-postgres");
            await Expect(postgres.GetByTestId("pending-restart")).ToHaveCountAsync(0);
            await postgres.GetByTestId("plugin-enabled").ClickAsync();
            await Expect(postgres.GetByTestId("pending-restart")).ToHaveTextAsync("pending restart");
            await Expect(postgres.GetByTestId("plugin-state")).ToHaveTextAsync("loaded");
            Assert.False(Entry(pluginsFile, "source-postgres")["enabled"]!.GetValue<bool>());

            await PluginRow(page, "notifiers").GetByTestId("edit-settings").ClickAsync();
            var editor = page.GetByTestId("plugin-settings-editor");
            await Expect(editor).ToContainTextAsync("Settings of notifiers");
            await editor.GetByLabel("Max attempts").FillAsync("50");
            await editor.GetByTestId("save-settings").ClickAsync();

            await Expect(editor.GetByText("max_attempts must be at most 10.").First).ToBeVisibleAsync();
            await Expect(editor.GetByTestId("settings-problems")).ToContainTextAsync("settings.max_attempts");
            Assert.Null(Entry(pluginsFile, "notifiers")["settings"]!["max_attempts"]);
            await Workbench.ScreenshotAsync(page, "plugins-settings-error");

            await editor.GetByLabel("Max attempts").FillAsync("5");
            await editor.GetByTestId("save-settings").ClickAsync();

            await Expect(page.GetByTestId("plugins-message")).ToContainTextAsync("Settings of notifiers saved to plugins.json. They apply when the host restarts.");
            await Expect(PluginRow(page, "notifiers").GetByTestId("pending-restart")).ToHaveTextAsync("pending restart");
            var settings = Entry(pluginsFile, "notifiers")["settings"]!;
            Assert.Equal(5, settings["max_attempts"]!.GetValue<int>());
            Assert.Equal("${SMTP_PASSWORD}", settings["email"]!["password"]!.GetValue<string>());
            Assert.Equal("${SLACK_DATA_ALERTS_URL}", settings["slack"]!["webhooks"]!["#data-alerts"]!.GetValue<string>());
            await Workbench.ScreenshotAsync(page, "plugins-pending-restart");
            await page.CloseAsync();

            // A viewer sees the same list, pending restarts included, and nothing to change.
            using var api = await host.SignedInAsync();
            (await api.PostAsJsonAsync("api/users", new { username = "plugin-viewer", password = "viewer-password-123", role = "viewer" })).EnsureSuccessStatusCode();
            var viewer = await workbench.SignedInPageAsync("plugin-viewer", "viewer-password-123", host);
            await viewer.GotoAsync(new Uri(host.BaseAddress, "plugins").ToString());
            await Expect(PluginRow(viewer, "notifiers").GetByTestId("pending-restart")).ToHaveTextAsync("pending restart");
            await Expect(viewer.GetByTestId("plugin-enabled")).ToHaveCountAsync(0);
            await Expect(viewer.GetByTestId("edit-settings")).ToHaveCountAsync(0);
            await Expect(viewer.GetByTestId("install-plugin")).ToHaveCountAsync(0);
            await viewer.CloseAsync();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static JsonNode Entry(string pluginsFile, string id) =>
        JsonNode.Parse(File.ReadAllText(pluginsFile))!["plugins"]!.AsArray().Single(p => p!["id"]!.GetValue<string>() == id)!;

    private static ILocator PluginRow(IPage page, string id) =>
        page.Locator("tr.plugin-row").Filter(new() { Has = page.Locator("td.plugin-id", new() { HasTextRegex = new Regex($"^{Regex.Escape(id)}$") }) });
}
