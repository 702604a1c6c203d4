using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class UserManagementTests(Workbench workbench)
{
    [Fact]
    public async Task An_admin_creates_a_user_assigns_a_role_and_disables_them_and_they_cannot_sign_in()
    {
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/settings");
        await Workbench.WaitUntilInteractiveAsync(page);
        await page.GetByTestId("settings-users").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/settings/users$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Users");

        // A weak password is refused under its field, and nothing is created.
        await page.GetByLabel("User name").FillAsync("bianca");
        await page.GetByLabel("Password").FillAsync("bianca1");
        await page.GetByTestId("create-user").ClickAsync();
        await Expect(page.GetByText("Passwords need at least 10 characters. Passwords cannot contain the user name.")).ToBeVisibleAsync();
        await Expect(Row(page, "bianca")).ToHaveCountAsync(0);

        await page.GetByLabel("Password").FillAsync("a-strong-passphrase");
        await page.GetByTestId("create-user").ClickAsync();
        await Expect(page.GetByTestId("users-message")).ToContainTextAsync("Created bianca (viewer).");
        await Expect(Row(page, "bianca").GetByTestId("user-state")).ToHaveTextAsync("active");

        await Row(page, "bianca").GetByTestId("user-role").ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = "analyst", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("users-message")).ToContainTextAsync("bianca is now analyst.");

        await Row(page, "bianca").GetByTestId("toggle-disabled").ClickAsync();
        await Expect(Row(page, "bianca").GetByTestId("user-state")).ToHaveTextAsync("disabled");
        await Expect(Row(page, "bianca").GetByTestId("toggle-disabled")).ToHaveTextAsync("Enable");
        await Workbench.ScreenshotAsync(page, "settings-users");

        await page.GotoAsync("/settings/audit");
        await Expect(page.GetByTestId("audit").Locator("tbody tr").Filter(new() { HasText = "user.disabled" }).Filter(new() { HasText = "bianca" })).ToHaveCountAsync(1);
        await page.CloseAsync();

        var signIn = await workbench.SignedOutPageAsync();
        await signIn.GotoAsync(new Uri(workbench.Host.BaseAddress, "login").ToString());
        await Workbench.SignInAsync(signIn, "bianca", "a-strong-passphrase");
        await Expect(signIn).ToHaveURLAsync(new Regex(@"/login\?error="));
        await Expect(signIn.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This account is disabled; ask an administrator.");
        await signIn.CloseAsync();
    }

    [Fact]
    public async Task A_new_api_token_is_shown_once_works_as_a_bearer_and_can_be_revoked()
    {
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/settings/tokens");
        await Workbench.WaitUntilInteractiveAsync(page);

        await page.GetByLabel("What it is for").FillAsync("browser ci");
        await page.GetByTestId("create-token").ClickAsync();
        var secret = await page.GetByTestId("token-secret").TextContentAsync();
        Assert.StartsWith("mtk_", secret, StringComparison.Ordinal);
        using var client = workbench.Host.Anonymous();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("api/plugins")).StatusCode);

        var row = page.GetByTestId("tokens").Locator("tbody tr").Filter(new() { HasText = "browser ci" });
        await row.GetByTestId("revoke-token").ClickAsync();
        await Expect(row).ToContainTextAsync("revoked");
        await Expect(page.GetByTestId("token-secret")).ToHaveCountAsync(0);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await client.GetAsync("api/plugins")).StatusCode);
        await page.ReloadAsync();
        Assert.DoesNotContain(secret!, await page.ContentAsync(), StringComparison.Ordinal);
        await page.CloseAsync();
    }

    private static ILocator Row(IPage page, string userName) =>
        page.GetByTestId("users").Locator("tbody tr").Filter(new() { Has = page.GetByTestId("user-name").GetByText(userName, new() { Exact = true }) });
}
