using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using Matih.Testing;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class SourcesTests(Workbench workbench)
{
    private static readonly string[] s_fakerStreams = ["customers", "orders", "order_items", "products", "returns", "clickstream"];

    // The seed's connection document with one mistake: products' sync mode is misspelt.
    private static readonly string SeedDocumentWithMistake = SeedDocuments.PostgresConnection
        .Replace("\"sync_mode\": \"full_refresh\"", "\"sync_mode\": \"full_refreshh\"", StringComparison.Ordinal);

    [Fact]
    public async Task An_analyst_adds_a_faker_connection_tests_it_and_syncs_it_with_progress()
    {
        const string password = "sources-password-1";
        using (var admin = await workbench.Host.SignedInAsync())
        {
            (await admin.PostAsJsonAsync("api/users", new { username = "ana", password, role = "analyst" })).EnsureSuccessStatusCode();
        }

        var page = await workbench.SignedInPageAsync("ana", password);
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench" }).GetByRole(AriaRole.Link, new() { Name = "Sources", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Add connection" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(AddConnectionPage());

        // The form comes from the connector's spec, with its defaults filled in.
        await page.GetByRole(AriaRole.Radio).Filter(new() { HasText = "Sample data (NovaMart)" }).ClickAsync();
        await Expect(page.GetByLabel("Scale")).ToHaveValueAsync("0.01");
        await Expect(page.GetByLabel("Seed")).ToHaveValueAsync("42");
        await Expect(page.GetByLabel("As of")).ToBeVisibleAsync();
        await page.GetByLabel("Scale").FillAsync("0.002");
        await page.GetByLabel("Connection name").FillAsync("NovaMart sample");

        await page.GetByRole(AriaRole.Button, new() { Name = "Test", Exact = true }).ClickAsync();
        var check = page.GetByTestId("check-result");
        await Expect(check).ToContainTextAsync("Test succeeded.");
        await Expect(check).ToContainTextAsync("scale 0.002");
        await Expect(check).ToHaveClassAsync(SuccessAlert());

        await page.GetByRole(AriaRole.Button, new() { Name = "Discover" }).ClickAsync();
        var streams = page.Locator("tr.stream-row");
        await Expect(streams).ToHaveCountAsync(s_fakerStreams.Length);
        foreach (var stream in s_fakerStreams)
        {
            await Expect(page.Locator($"tr.stream-row[data-stream='{stream}']")).ToBeVisibleAsync();
        }

        await Expect(page.Locator("tr.stream-row[data-stream='customers'] .stream-column-key")).ToHaveTextAsync(CustomerKey());
        await ScreenshotAsync(page, "sources-add");

        // The JSON tab shows the same draft as a document; an edit there shows in the form.
        await page.GetByRole(AriaRole.Tab, new() { Name = "JSON document" }).ClickAsync();
        var document = page.GetByLabel("Connection document");
        await Expect(document).ToHaveValueAsync(new Regex("\"connector\": \"source-faker\""));
        await Expect(document).ToHaveValueAsync(new Regex("\"scale\": 0.002"));
        var text = await document.InputValueAsync();
        var ordersFullRefresh = new Regex("(\"name\": \"orders\",\\s*\"sync_mode\": )\"full_refresh\"");
        Assert.Matches(ordersFullRefresh, text);
        await document.FillAsync(ordersFullRefresh.Replace(text, "$1\"incremental\""));
        await page.GetByRole(AriaRole.Tab, new() { Name = "Form" }).ClickAsync();
        await Expect(page.GetByLabel("Scale")).ToHaveValueAsync("0.002");
        var orders = page.Locator("tr.stream-row[data-stream='orders']");
        await Expect(orders).ToContainTextAsync("incremental");
        await Expect(orders).ToContainTextAsync("updated_at");

        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(SourcesPageShowing("novamart-sample"));
        var row = page.Locator("tr.connection-row[data-connection='novamart-sample']");
        await Expect(row).ToContainTextAsync("source-faker");
        await Expect(row).ToContainTextAsync("manual");
        await Expect(row.GetByTestId("last-run")).ToHaveTextAsync("never");

        // The progress panel shows from the moment the run is queued until the run ends.
        var progressShown = page.GetByTestId("sync-progress").WaitForAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();
        await progressShown;

        var latest = page.GetByTestId("run-history").Locator("tr.run-row").First;
        await Expect(latest.GetByTestId("run-state")).ToHaveTextAsync("succeeded", new() { Timeout = 180_000 });
        await Expect(page.GetByTestId("sync-progress")).ToHaveCountAsync(0);
        foreach (var stream in s_fakerStreams)
        {
            await Expect(latest.GetByTestId("run-rows")).ToContainTextAsync(stream);
        }

        await Expect(latest).ToContainTextAsync("manual");
        await Expect(page.GetByTestId("connection-detail")).ToContainTextAsync("orders · incremental by updated_at");
        await Expect(row.GetByTestId("last-run")).ToContainTextAsync("succeeded");
        await Expect(page.GetByTestId("source-figures")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("source-figures-error")).ToHaveCountAsync(0);

        // The rows the page shows are the rows the warehouse has.
        using var api = await workbench.Host.SignedInAsync();
        var customers = await CountAsync(api, "SELECT count(*) FROM postgresql.faker.customers");
        Assert.True(customers > 0);
        await Expect(latest.GetByTestId("run-rows")).ToContainTextAsync(string.Create(CultureInfo.InvariantCulture, $"customers {customers:N0}"));
        await ScreenshotAsync(page, "sources");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Pasting_the_seed_document_with_a_mistake_shows_the_problem_by_json_path()
    {
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/sources/add");
        await Workbench.WaitUntilInteractiveAsync(page);

        await page.GetByRole(AriaRole.Tab, new() { Name = "JSON document" }).ClickAsync();
        await page.GetByLabel("Connection document").FillAsync(SeedDocumentWithMistake);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        var problems = page.GetByTestId("problems");
        var mistake = problems.Locator("li").Filter(new() { Has = page.Locator("code.problem-path", new() { HasTextRegex = StreamsThreeSyncMode() }) });
        await Expect(mistake).ToContainTextAsync("'full_refreshh' is not a sync mode; use full_refresh or incremental.");
        await Expect(page).ToHaveURLAsync(AddConnectionPage());
        await ScreenshotAsync(page, "sources-problems");

        // Nothing was stored, and the secrets' references are not reported as problems: they resolve when a sync runs.
        await Expect(problems).Not.ToContainTextAsync("POSTGRES_PASSWORD");
        using var api = await workbench.Host.SignedInAsync();
        var connections = await api.GetFromJsonAsync<JsonElement>("api/connections?q=source-postgres&pageSize=500");
        Assert.DoesNotContain(connections.GetProperty("items").EnumerateArray(), c => c.GetProperty("connector").GetString() == "source-postgres");
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_running_sync_shows_rows_read_per_stream_and_can_be_cancelled()
    {
        // Large enough to still be running when Cancel is pressed.
        using var api = await workbench.Host.SignedInAsync();
        (await api.PostAsJsonAsync("api/connections", new
        {
            name = "Big clickstream",
            connector = "source-faker",
            config = new { scale = 0.5 },
            streams = new[] { new { name = "clickstream", sync_mode = "full_refresh" } },
            destination = new { schema = "faker_big" },
        })).EnsureSuccessStatusCode();
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/sources?connection=big-clickstream");
        await Workbench.WaitUntilInteractiveAsync(page);

        var row = page.Locator("tr.connection-row[data-connection='big-clickstream']");
        await row.GetByRole(AriaRole.Button, new() { Name = "Sync now" }).ClickAsync();

        var progress = page.GetByTestId("sync-progress");
        await Expect(progress.GetByTestId("active-run-state")).ToHaveTextAsync("running", new() { Timeout = 60_000 });
        await Expect(progress.Locator(".stream-progress tr").Filter(new() { HasText = "clickstream" })).ToContainTextAsync("15,");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Sync now" })).ToBeDisabledAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "matih-sources-progress.png") });
        await progress.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

        var latest = page.GetByTestId("run-history").Locator("tr.run-row").First;
        await Expect(latest.GetByTestId("run-state")).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
        await Expect(latest).ToContainTextAsync("Cancelled by a user");
        await Expect(progress).ToHaveCountAsync(0);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_sees_the_connections_but_neither_adds_nor_syncs()
    {
        const string password = "viewer-password-2";
        using (var admin = await workbench.Host.SignedInAsync())
        {
            (await admin.PostAsJsonAsync("api/users", new { username = "victor", password, role = "viewer" })).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync("api/connections", new
            {
                name = "Viewer sample",
                connector = "source-faker",
                config = new { scale = 0.002 },
                streams = new[] { new { name = "products", sync_mode = "full_refresh" } },
                schedule = new { type = "cron", expression = "0 4 * * *" },
                destination = new { schema = "faker_viewer" },
            })).EnsureSuccessStatusCode();
        }

        var page = await workbench.SignedInPageAsync("victor", password);
        await page.GotoAsync("/sources?connection=viewer-sample");
        await Workbench.WaitUntilInteractiveAsync(page);

        var row = page.Locator("tr.connection-row[data-connection='viewer-sample']");
        await Expect(row).ToContainTextAsync("0 4 * * *");
        await Expect(row).ToContainTextAsync("postgresql.faker_viewer");
        await Expect(page.GetByTestId("connection-detail")).ToContainTextAsync("products");
        await Expect(row.GetByRole(AriaRole.Button, new() { Name = "Sync now" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Add connection" })).ToHaveCountAsync(0);

        await page.GotoAsync("/sources/add");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Not allowed for your role");
        await page.CloseAsync();
    }

    // Full-page screenshots draw the fixed app bar where the page was scrolled to: scroll to the top first.
    private static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Workbench.ScreenshotAsync(page, name);
    }

    private static async Task<long> CountAsync(HttpClient api, string sql)
    {
        var response = await api.PostAsJsonAsync("api/sql", new { sql });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("rows")[0][0].GetInt64();
    }

    [GeneratedRegex(@"/sources/add$")]
    private static partial Regex AddConnectionPage();

    [GeneratedRegex(@"mud-alert-.*success")]
    private static partial Regex SuccessAlert();

    [GeneratedRegex(@"^customer_id\b")]
    private static partial Regex CustomerKey();

    [GeneratedRegex(@"^\$\.streams\[3\]\.sync_mode$")]
    private static partial Regex StreamsThreeSyncMode();

    private static Regex SourcesPageShowing(string id) => new($@"/sources\?connection={Regex.Escape(id)}$");
}
