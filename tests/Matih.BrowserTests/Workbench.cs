using Matih.Testing;
using Microsoft.Playwright;

namespace Matih.BrowserTests;

/// <summary>
/// One Matih host (with the NovaMart demo) and one Chromium for every browser test: both take seconds to start. Tests in
/// the <see cref="WorkbenchCollection"/> run one after another and share the browser profile, so each starts by
/// signing out (clearing cookies).
/// </summary>
public sealed class Workbench : IAsyncLifetime
{
    /// <summary>Debian's Chromium; Playwright's own browser downloads are not available here.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private string? _profile;
    private IPlaywright? _playwright;

    /// <summary>The host under test.</summary>
    public MatihHost Host { get; private set; } = default!;

    /// <summary>The browser, with a fresh profile and the host as its base address.</summary>
    public IBrowserContext Browser { get; private set; } = default!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Host = await MatihHost.StartAsync(demo: true);
        _playwright = await Playwright.CreateAsync();
        _profile = Directory.CreateTempSubdirectory("matih-chromium-").FullName;
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
            BaseURL = Host.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
        });
        // A loaded 2-core machine: generous, but a missing element still fails in well under a minute.
        Browser.SetDefaultTimeout(30_000);
        Browser.SetDefaultNavigationTimeout(60_000);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (_profile is not null)
        {
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still hold a lock file for a moment; the temp folder is cleaned by the OS eventually.
            }
        }
    }

    /// <summary>A new tab with nobody signed in.</summary>
    public async Task<IPage> SignedOutPageAsync()
    {
        await Browser.ClearCookiesAsync();
        return await Browser.NewPageAsync();
    }

    /// <summary>
    /// A new tab signed in as <paramref name="username"/> on the home page, interactive. <paramref name="host"/> defaults
    /// to the shared host; pass another to sign in there.
    /// </summary>
    public async Task<IPage> SignedInPageAsync(string username = "admin", string password = MatihHost.AdminPassword, MatihHost? host = null)
    {
        var page = await SignedOutPageAsync();
        await page.GotoAsync(new Uri((host ?? Host).BaseAddress, "login").ToString());
        await SignInAsync(page, username, password);
        await WaitUntilInteractiveAsync(page);
        return page;
    }

    /// <summary>Fills the login form on <paramref name="page"/> and submits it.</summary>
    public static async Task SignInAsync(IPage page, string username, string password)
    {
        await page.GetByLabel("User name").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    /// <summary>Waits until the Blazor circuit is live (the layout marks the body), so clicks are handled.</summary>
    public static Task WaitUntilInteractiveAsync(IPage page) =>
        page.Locator("body[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    /// <summary>Saves a full-page screenshot as <c>matih-NAME.png</c> in the temp folder, for a person to look at.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"matih-{name}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }
}

/// <summary>The tests that share one <see cref="Workbench"/>.</summary>
[CollectionDefinition(Name)]
public sealed class WorkbenchCollection : ICollectionFixture<Workbench>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Workbench";
}
