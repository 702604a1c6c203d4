using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class LoginTests(Workbench workbench)
{
    [Fact]
    public async Task Wrong_password_shows_the_reason_on_the_login_page()
    {
        var page = await workbench.SignedOutPageAsync();
        await page.GotoAsync("/login");

        await Workbench.SignInAsync(page, "admin", "not-the-password");

        await Expect(page).ToHaveURLAsync(LoginWithError());
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Unknown user name or wrong password.");
        await Expect(page.GetByLabel("User name")).ToBeVisibleAsync();
        await Workbench.ScreenshotAsync(page, "login");
        await page.CloseAsync();
    }

    [GeneratedRegex(@"/login\?error=")]
    private static partial Regex LoginWithError();
}
