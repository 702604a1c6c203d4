using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Matih.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class PluginsTests(Workbench workbench)
{
    [Fact]
    public async Task Admin_signs_in_and_sees_every_plugin_with_its_state()
    {
        var page = await workbench.SignedOutPageAsync();
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(LoginReturningHome());

        await Workbench.SignInAsync(page, "admin", MatihHost.AdminPassword);
        await Workbench.WaitUntilInteractiveAsync(page);
        await Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync("admin (admin)");
        await page.GetByRole(AriaRole.Link, new() { Name = "Plugins", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PluginsPage());

        // The page shows what the API reports: every plugin, each with its state.
        using var api = await workbench.Host.SignedInAsync();
        var plugins = await api.GetFromJsonAsync<JsonElement[]>("api/plugins");
        Assert.NotNull(plugins);
        Assert.Contains(plugins, p => p.GetProperty("id").GetString() == "source-faker");
        await Expect(page.Locator("tr.plugin-row")).ToHaveCountAsync(plugins.Length);
        foreach (var plugin in plugins)
        {
            var row = PluginRow(page, plugin.GetProperty("id").GetString()!);
            await Expect(row.GetByTestId("plugin-state")).ToHaveTextAsync(plugin.GetProperty("state").GetString()!);
        }

        var faker = PluginRow(page, "source-faker");
        await Expect(faker.GetByTestId("plugin-state")).ToHaveTextAsync("loaded");
        await faker.GetByRole(AriaRole.Button).First.ClickAsync();
        await Expect(page.GetByText("Contributes")).ToBeVisibleAsync();
        await Workbench.ScreenshotAsync(page, "plugins");
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_faulted_plugin_shows_why_in_full_and_a_disabled_one_is_listed()
    {
        var folder = Directory.CreateTempSubdirectory("matih-plugins-").FullName;
        var pluginsFile = Path.Combine(folder, "plugins.json");
        await File.WriteAllTextAsync(pluginsFile, """
            {
              "plugins": [
                { "id": "source-faker", "path": "Matih.Plugins.SourceFaker", "enabled": true, "settings": {} },
                { "id": "source-vanished", "path": "Matih.Plugins.Vanished", "enabled": true, "settings": {} },
                { "id": "source-parked", "path": "Matih.Plugins.Parked", "enabled": false, "settings": {} }
              ]
            }
            """);
        await using var host = await MatihHost.StartAsync(extraArgs: ["--plugins", pluginsFile]);
        var page = await workbench.SignedInPageAsync(host: host);

        await page.GotoAsync(new Uri(host.BaseAddress, "plugins").ToString());

        var faulted = PluginRow(page, "source-vanished");
        await Expect(faulted.GetByTestId("plugin-state")).ToHaveTextAsync("faulted");
        await Expect(faulted).ToContainTextAsync("path \"Matih.Plugins.Vanished\" was not found (looked for built-in plugin folder");
        await Expect(PluginRow(page, "source-parked").GetByTestId("plugin-state")).ToHaveTextAsync("disabled");
        await Expect(PluginRow(page, "source-faker").GetByTestId("plugin-state")).ToHaveTextAsync("loaded");
        await Workbench.ScreenshotAsync(page, "plugins-faulted");
        await page.CloseAsync();
        Directory.Delete(folder, recursive: true);
    }

    // The grid's own rows (not the expanded detail rows), picked by the plugin id in their Id cell.
    private static ILocator PluginRow(IPage page, string id) =>
        page.Locator("tr.plugin-row").Filter(new() { Has = page.Locator("td.plugin-id", new() { HasTextRegex = new Regex($"^{Regex.Escape(id)}$") }) });

    [GeneratedRegex(@"/login\?ReturnUrl=%2F$")]
    private static partial Regex LoginReturningHome();

    [GeneratedRegex(@"/plugins$")]
    private static partial Regex PluginsPage();
}
