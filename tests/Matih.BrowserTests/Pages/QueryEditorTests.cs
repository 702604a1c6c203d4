using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class QueryEditorTests(Workbench workbench)
{
    private const string Editor = "window.blazorMonaco.editor.getEditor('sql-editor')";

    [Fact]
    public async Task The_seed_churn_sql_runs_in_the_query_editor_and_reports_rows_and_time()
    {
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
        using (var api = await workbench.Host.SignedInAsync())
        {
            // The seed's statement creates the table: an earlier copy goes first.
            (await api.PostAsJsonAsync("api/sql", new { sql = "DROP TABLE IF EXISTS analytics.derived.churn_features" })).EnsureSuccessStatusCode();
        }

        var page = await workbench.SignedInPageAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench" }).GetByRole(AriaRole.Link, new() { Name = "Query Editor", Exact = true }).ClickAsync();
        await WaitForEditorAsync(page);
        await SetSqlAsync(page, await SeedJourney.ChurnSqlAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();

        var success = page.GetByTestId("query-success");
        await Expect(success).ToContainTextAsync(DoneInTime(), new() { Timeout = 120_000 });
        await Expect(success.GetByTestId("written")).ToHaveTextAsync(WroteChurnFeatures());
        await Expect(success.GetByTestId("written-table")).ToHaveTextAsync("analytics.derived.churn_features");
        await Expect(page.GetByTestId("query-history").Locator(".history-entry").First).ToContainTextAsync("CREATE TABLE analytics.derived.churn_features AS");
        await SeedJourney.ScreenshotAsync(page, "query-churn");

        // The written table is in the catalog now, one click away.
        await success.GetByTestId("written-table").ClickAsync();
        await Expect(page.GetByTestId("table-name")).ToHaveTextAsync("analytics.derived.churn_features");
        await Expect(page.GetByTestId("lineage-graph").Locator("g[data-node='snowflake.analytics.clickstream']")).ToBeVisibleAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_syntax_error_is_marked_at_its_line_in_the_editor()
    {
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/query");
        await WaitForEditorAsync(page);
        await SetSqlAsync(page, "SELECT customer_id, segment\nFROM postgresql.novamart.customers\nWHERE segment = 'Gold' AND AND is_active");

        // Ctrl+Enter runs from the editor.
        await page.Locator("[role=code]").ClickAsync();
        await page.Keyboard.PressAsync("Control+Enter");

        var fault = page.GetByTestId("query-fault");
        await Expect(fault).ToContainTextAsync("Syntax error");
        await Expect(fault.GetByTestId("fault-position")).ToContainTextAsync("At line 3");
        Assert.Equal(3, await page.EvaluateAsync<int>("() => monaco.editor.getModelMarkers({ owner: 'matih' })[0].startLineNumber"));
        await Expect(page.Locator("[role=code] .sql-error-line")).ToHaveCountAsync(1);
        await Expect(page.Locator("[role=code] .squiggly-error")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("query-history").Locator(".history-entry").First).ToContainTextAsync("failed");
        await SeedJourney.ScreenshotAsync(page, "query-error");

        // Fixed and run again: the mark goes.
        await SetSqlAsync(page, "SELECT customer_id, segment\nFROM postgresql.novamart.customers\nWHERE segment = 'Gold' AND is_active");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("query-success")).ToBeVisibleAsync();
        await Expect(page.Locator("[role=code] .sql-error-line")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("result-grid").Locator("tr.result-row").First).ToContainTextAsync("Gold");
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_saved_query_is_listed_and_reopened()
    {
        const string name = "analytics.queries.customers_by_segment";
        const string sql = "SELECT segment, count(*) AS customers\nFROM postgresql.novamart.customers\nGROUP BY segment\nORDER BY customers DESC";
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/query");
        await WaitForEditorAsync(page);
        await SetSqlAsync(page, sql);
        await page.GetByLabel("Query name").FillAsync("Customers By Segment");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page.GetByText("is not a dotted name")).ToBeVisibleAsync();

        await page.GetByLabel("Query name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();

        await Expect(page.GetByTestId("query-notice")).ToContainTextAsync($"Saved as {name}.");
        await Expect(page.GetByTestId("saved-queries").Locator(".saved-query").Filter(new() { HasText = name })).ToHaveCountAsync(1);

        // A fresh editor, then the saved query opened from the list.
        await page.GotoAsync("/query");
        await WaitForEditorAsync(page);
        Assert.NotEqual(sql, await GetSqlAsync(page));
        await page.GetByTestId("saved-queries").Locator(".saved-query").Filter(new() { HasText = name }).ClickAsync();

        await Expect(page.GetByLabel("Query name")).ToHaveValueAsync(name);
        Assert.Equal(sql, await GetSqlAsync(page));
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        var grid = page.GetByTestId("result-grid");
        await Expect(grid.Locator("tr.result-row")).ToHaveCountAsync(5);
        await Expect(grid.Locator("thead th").Filter(new() { HasText = "segment" })).ToContainTextAsync("VARCHAR");
        await Expect(grid.Locator("thead th").Filter(new() { HasText = "customers" })).ToContainTextAsync("BIGINT");
        await Expect(page.GetByTestId("query-figures")).ToContainTextAsync("5 rows, 2 columns in");
        await SeedJourney.ScreenshotAsync(page, "query-saved");
        using var api = await workbench.Host.SignedInAsync();
        var saved = await api.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/queries/{name}");
        Assert.Equal(sql, saved.GetProperty("sql").GetString());
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_runs_a_query_but_a_write_is_refused_with_the_engines_message()
    {
        const string password = "viewer-password-query";
        using (var admin = await workbench.Host.SignedInAsync())
        {
            var created = await admin.PostAsJsonAsync("api/users", new { username = "quinn", password, role = "viewer" });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
        var page = await workbench.SignedInPageAsync("quinn", password);
        await page.GotoAsync("/query?sql=" + Uri.EscapeDataString("SELECT count(*) AS customers FROM postgresql.novamart.customers"));
        await WaitForEditorAsync(page);
        await Expect(page.GetByText("Saving queries needs the analyst role.")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("query-figures")).ToContainTextAsync("1 row, 1 column");

        await SetSqlAsync(page, "CREATE TABLE analytics.scratch.quinn AS SELECT 1 AS one");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        var fault = page.GetByTestId("query-fault");
        await Expect(fault).ToContainTextAsync("Not allowed for your role.");
        await Expect(fault).ToContainTextAsync("may only read");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Completion_offers_the_tables_of_a_schema_and_the_columns_behind_an_alias()
    {
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/query");
        await WaitForEditorAsync(page);
        var suggestions = page.Locator(".suggest-widget .monaco-list-row");

        await SetSqlAsync(page, "SELECT * FROM postgresql.novamart.");
        await SuggestAtAsync(page, 1, 35);

        await Expect(suggestions.Filter(new() { HasText = "customers" })).ToHaveCountAsync(1);
        await Expect(suggestions.Filter(new() { HasText = "order_items" })).ToHaveCountAsync(1);
        await SeedJourney.ScreenshotAsync(page, "query-completion");
        await page.Keyboard.PressAsync("Escape");

        // "c" is postgresql.novamart.customers in this statement: its columns, with their types.
        await SetSqlAsync(page, "SELECT c.seg\nFROM postgresql.novamart.customers c");
        await SuggestAtAsync(page, 1, 13);
        await Expect(suggestions.First).ToContainTextAsync("segment");
        await page.Keyboard.PressAsync("Enter");

        Assert.StartsWith("SELECT c.segment\n", await GetSqlAsync(page), StringComparison.Ordinal);
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_long_query_is_cancelled_from_the_editor()
    {
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/query");
        await WaitForEditorAsync(page);
        await SetSqlAsync(page, "SELECT count(*) FROM snowflake.analytics.clickstream a CROSS JOIN snowflake.analytics.clickstream b WHERE a.customer_id < b.customer_id");

        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("query-running")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();

        await Expect(page.GetByTestId("query-fault")).ToContainTextAsync("The query was cancelled.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeEnabledAsync();
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_rows_of_a_query_are_exported_as_csv_and_parquet()
    {
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/query?sql=" + Uri.EscapeDataString("SELECT channel, count(*) AS customers FROM postgresql.novamart.customers WHERE channel IS NOT NULL GROUP BY channel ORDER BY channel"));
        await WaitForEditorAsync(page);

        var csv = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export CSV" }).ClickAsync());

        Assert.EndsWith(".csv", csv.SuggestedFilename, StringComparison.Ordinal);
        var lines = (await File.ReadAllLinesAsync(await csv.PathAsync())).Where(l => l.Length > 0).ToArray();
        Assert.Equal(["channel,customers", "mobile", "store", "web"], lines.Select((l, i) => i == 0 ? l : l.Split(',')[0]));
        await Expect(page.GetByTestId("query-notice")).ToContainTextAsync("Exported the rows as");

        var parquet = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Export Parquet" }).ClickAsync());

        Assert.EndsWith(".parquet", parquet.SuggestedFilename, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync(await parquet.PathAsync());
        Assert.Equal("PAR1"u8.ToArray(), bytes[..4]);
        await page.CloseAsync();
    }

    private static async Task WaitForEditorAsync(IPage page)
    {
        await Workbench.WaitUntilInteractiveAsync(page);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Query Editor");
        await page.Locator("[data-testid=sql-editor][data-ready=true] [role=code]").WaitForAsync();
    }

    private static Task SetSqlAsync(IPage page, string sql) => page.EvaluateAsync($"sql => {Editor}.setValue(sql)", sql);

    private static async Task SuggestAtAsync(IPage page, int line, int column)
    {
        await page.EvaluateAsync($"() => {{ const e = {Editor}; e.setPosition({{ lineNumber: {line}, column: {column} }}); e.focus(); }}");
        await page.Keyboard.PressAsync("Control+Space");
    }

    private static Task<string> GetSqlAsync(IPage page) => page.EvaluateAsync<string>($"() => {Editor}.getValue()");

    // "Done in 850 ms" or "Done in 2.3 s".
    [GeneratedRegex(@"Done in \d+(\.\d)? (ms|s)\.")]
    private static partial Regex DoneInTime();

    // The seed: 1,987,432 rows, 21 columns (the demo has fewer rows).
    [GeneratedRegex(@"^analytics\.derived\.churn_features \([\d,]+ rows, \d+ columns\)$")]
    private static partial Regex WroteChurnFeatures();
}
