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

    [Fact]
    public async Task An_admin_types_with_completion_runs_and_sees_a_table_and_a_chart()
    {
        var page = await workbench.SignedInPageAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench" }).GetByRole(AriaRole.Link, new() { Name = "Script Console", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("script-editor")).ToHaveAttributeAsync("data-ready", "true", new() { Timeout = 60_000 });
        await page.EvaluateAsync("() => window.blazorMonaco.editor.getEditor('script-editor').setValue('')");
        await page.Locator("[role=code]").ClickAsync();

        // Completion from Roslyn: the platform's members after a dot, with their documentation.
        await page.Keyboard.TypeAsync("var hits = await Catalog.Sea");
        var suggestion = page.Locator(".suggest-widget .monaco-list-row").Filter(new() { HasText = "SearchAsync" });
        await Expect(suggestion).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("var hits = await Catalog.SearchAsync", await page.EvaluateAsync<string>("() => window.blazorMonaco.editor.getEditor('script-editor').getValue()"));

        await page.EvaluateAsync("""
            () => window.blazorMonaco.editor.getEditor('script-editor').setValue(
              'var t = await SqlAsync("SELECT * FROM (VALUES (\'Gold\', 120), (\'Silver\', 340)) v(segment, customers)");\nDisplay(t.ToSeries("segment", "customers").AsBars(), "by segment");\nt')
            """);
        await page.GetByTestId("script-run").ClickAsync();

        var entry = page.GetByTestId("script-entry").First;
        await Expect(entry).ToHaveAttributeAsync("data-state", "succeeded", new() { Timeout = 60_000 });
        await Expect(entry.GetByTestId("script-table").Locator("th")).ToHaveTextAsync([new Regex("^segment"), new Regex("^customers")]);
        await Expect(entry.GetByTestId("script-table").Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(entry.GetByTestId("script-chart")).ToBeVisibleAsync();
        await Workbench.ScreenshotAsync(page, "script-console");
        await page.CloseAsync();
    }

    [GeneratedRegex(@"/denied\?ReturnUrl=%2Fconsole$")]
    private static partial Regex DeniedPage();
}
