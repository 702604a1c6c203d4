using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class ScriptConsoleTests(Workbench workbench)
{
    [Fact]
    public async Task A_viewer_neither_sees_nor_opens_the_script_console()
    {
        const string password = "viewer-password-1";
        using (var admin = await workbench.Host.SignedInAsync())
        {
            var created = await admin.PostAsJsonAsync("api/users", new { username = "vera", password, role = "viewer" });
            created.EnsureSuccessStatusCode();
        }

        var page = await workbench.SignedInPageAsync("vera", password);
        await Expect(page.GetByTestId("signed-in-user")).ToContainTextAsync("vera (viewer)");
        var navigation = page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench" });
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Plugins", Exact = true })).ToBeVisibleAsync();
        await Expect(navigation.GetByRole(AriaRole.Link, new() { Name = "Script Console", Exact = true })).ToHaveCountAsync(0);

        await page.GotoAsync("/console");

        await Expect(page).ToHaveURLAsync(DeniedPage());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Not allowed for your role");
        await Expect(page.GetByText("Your role (viewer) may not open this page.")).ToBeVisibleAsync();
        await Workbench.ScreenshotAsync(page, "denied");
        await page.CloseAsync();
    }

    [GeneratedRegex(@"/denied\?ReturnUrl=%2Fconsole$")]
    private static partial Regex DeniedPage();
}
