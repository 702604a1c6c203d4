using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class NavigationTests(Workbench workbench)
{
    private static readonly string[] s_plannedPages =
    [

        "Monitoring", "A/B Tests",
    ];

    [Fact]
    public async Task Every_planned_page_says_what_it_will_do_and_that_it_comes_later()
    {
        var page = await workbench.SignedInPageAsync();
        var navigation = page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench" });

        // One page after another in the same tab, as a person clicks through the drawer.
        foreach (var title in s_plannedPages)
        {
            await navigation.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }).ClickAsync();

            var placeholder = page.GetByTestId("coming-soon");
            await Expect(placeholder.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(title);
            await Expect(placeholder).ToContainTextAsync("coming in a later release");
            await Workbench.ScreenshotAsync(page, "planned-" + new Uri(page.Url).AbsolutePath.Trim('/'));
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
