using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class NavigationTests(Workbench workbench)
{
    // Monitoring and A/B Tests were the last placeholders: every page of the drawer is now real.
    private static readonly string[] s_lastPlannedPages = ["Monitoring", "A/B Tests"];

    [Fact]
    public async Task The_pages_that_were_planned_open_as_real_pages_without_the_coming_soon_marker()
    {
        var page = await workbench.SignedInPageAsync();
        var navigation = page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench", Exact = true });

        foreach (var title in s_lastPlannedPages)
        {
            var link = navigation.GetByRole(AriaRole.Link, new() { Name = title, Exact = true });
            await link.ClickAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("coming-soon")).ToHaveCountAsync(0);
            await Expect(navigation).Not.ToContainTextAsync("soon");
        }

        await page.CloseAsync();
    }

    [Fact]
    public async Task Signing_out_returns_to_the_login_page_and_closes_the_workbench()
    {
        var page = await workbench.SignedInPageAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(LoginPage());
        await page.GotoAsync("/settings");

        await Expect(page).ToHaveURLAsync(LoginPage());
        await page.CloseAsync();
    }

    [GeneratedRegex(@"/login(\?.*)?$")]
    private static partial Regex LoginPage();
}
