using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed class SettingsTests(Workbench workbench)
{
    [Fact]
    public async Task Settings_show_the_data_directory_the_plugins_file_and_the_role()
    {
        var page = await workbench.SignedInPageAsync();

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench" }).GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();

        var host = page.GetByTestId("host-settings");
        await Expect(host).ToContainTextAsync(Path.GetFullPath(workbench.Host.DataDirectory));
        await Expect(host).ToContainTextAsync("plugins.json");
        await Expect(page.GetByTestId("user-settings")).ToContainTextAsync("admin");
        await Workbench.ScreenshotAsync(page, "settings");
        await page.CloseAsync();
    }
}
