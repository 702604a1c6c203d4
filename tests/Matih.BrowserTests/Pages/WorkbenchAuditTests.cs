using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed class WorkbenchAuditTests(Workbench workbench)
{
    [Fact]
    public async Task A_sync_started_on_the_sources_page_is_in_the_audit_log_under_the_signed_in_user()
    {
        const string password = "audit-trail-pass-7";
        using (var admin = await workbench.Host.SignedInAsync())
        {
            (await admin.PostAsJsonAsync("api/users", new { username = "audra", password, role = "analyst" })).EnsureSuccessStatusCode();
        }

        using (var audra = await workbench.Host.SignedInAsync("audra", password))
        {
            (await audra.PostAsJsonAsync("api/connections", new
            {
                name = "Audited from the page",
                connector = "source-faker",
                config = new { scale = 0.001 },
                streams = new object[] { new { name = "customers", sync_mode = "full_refresh" } },
                destination = new { catalog = "postgresql", schema = "audited_page" },
            })).EnsureSuccessStatusCode();
        }

        // "Sync now" calls the sync engine with no user at all: only the circuit's ambient actor says who clicked.
        var page = await workbench.SignedInPageAsync("audra", password);
        await page.GotoAsync("/sources");
        await Workbench.WaitUntilInteractiveAsync(page);
        var row = page.Locator("tr.connection-row[data-connection='audited-from-the-page']");
        await row.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
        await Expect(page.GetByTestId("run-history").Locator("tr.run-row").First).ToContainTextAsync("manual");
        await page.CloseAsync();

        using var api = await workbench.Host.SignedInAsync();
        var entries = (await api.GetFromJsonAsync<JsonElement>("api/audit?actor=audra&action=connection.*")).GetProperty("items").EnumerateArray()
            .Select(e => (Action: e.GetProperty("action").GetString(), Target: e.GetProperty("target").GetString())).Reverse().ToArray();
        Assert.Equal([("connection.created", "audited-from-the-page"), ("connection.sync_started", "audited-from-the-page")], entries);

        // An admin finds it on Settings > Audit, filtered by the user.
        var settings = await workbench.SignedInPageAsync();
        await settings.GotoAsync("/settings/audit");
        await Workbench.WaitUntilInteractiveAsync(settings);
        await settings.GetByLabel("Actor", new() { Exact = true }).FillAsync("audra");
        await settings.GetByTestId("filter-apply").ClickAsync();
        var synced = settings.GetByTestId("audit").Locator("tr").Filter(new() { HasText = "connection.sync_started" });
        await Expect(synced).ToContainTextAsync("audra");
        await Expect(synced).ToContainTextAsync("audited-from-the-page");

        // The search box finds the same rows by their target, whoever the actor; the table pages like /api/audit.
        await settings.GetByLabel("Actor", new() { Exact = true }).FillAsync("");
        await settings.GetByLabel("Search actor, action, target").FillAsync("audited-from-the-page");
        await settings.GetByTestId("filter-apply").ClickAsync();
        await Expect(settings.GetByTestId("audit").Locator("tbody tr")).ToHaveCountAsync(2);
        await Expect(settings.GetByTestId("audit").Locator("tbody tr").First).ToContainTextAsync("connection.sync_started");
        await Expect(settings.GetByTestId("audit-pager")).ToBeVisibleAsync();
        await Workbench.ScreenshotAsync(settings, "settings-audit-workbench-change");
        await settings.CloseAsync();
    }
}
