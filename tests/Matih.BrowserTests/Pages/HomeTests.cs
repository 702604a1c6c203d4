using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed class HomeTests(Workbench workbench)
{
    [Fact]
    public async Task Home_shows_the_health_of_the_stores()
    {
        // The demo loads in the background; once it is in, the catalogs show its tables too.
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(3));
        var page = await workbench.SignedInPageAsync();

        foreach (var store in new[] { "warehouse", "metadata", "jobs" })
        {
            var card = page.GetByTestId($"store-{store}");
            await Expect(card).ToBeVisibleAsync();
            await Expect(card.GetByTestId("store-status")).ToHaveTextAsync("healthy");
        }

        await Expect(page.GetByTestId("store-warehouse")).ToContainTextAsync("DuckDB");
        await Expect(page.GetByTestId("catalogs")).ToContainTextAsync("postgresql");
        await Expect(page.GetByTestId("plugins-summary")).ToContainTextAsync("loaded");
        await Workbench.ScreenshotAsync(page, "home");
        await page.CloseAsync();
    }
}
