using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Matih.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Matih.BrowserTests.Pages;

[Collection(WorkbenchCollection.Name)]
public sealed partial class CatalogTests(Workbench workbench)
{
    private const string ChurnFeatures = "analytics.derived.churn_features";

    [Fact]
    public async Task Searching_customer_finds_the_customers_table_and_its_profile_shows_the_seed_columns()
    {
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
        var page = await workbench.SignedInPageAsync();
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Workbench" }).GetByRole(AriaRole.Link, new() { Name = "Catalog", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Catalog");

        await page.GetByLabel("Search tables and columns").FillAsync("customer");

        await Expect(page).ToHaveURLAsync(SearchedForCustomer());
        var rows = page.GetByTestId("catalog-results").Locator("tr.catalog-row");
        var customers = rows.Filter(new() { Has = page.Locator("td[data-table='postgresql.novamart.customers']") });
        await Expect(customers).ToHaveCountAsync(1);
        // The exact name first (another connection may also have a customers table).
        await Expect(rows.First.Locator(".catalog-table-name")).ToHaveTextAsync("customers");
        await Expect(customers).ToContainTextAsync("novamart.public");
        await Expect(customers).ToContainTextAsync("table name");
        await Expect(customers.Locator("td").Nth(2)).ToHaveTextAsync("14");
        await Expect(customers.Locator("td").Nth(5)).ToHaveTextAsync("—");
        // Tables that only have a customer_id column match on the column name.
        await Expect(rows.Filter(new() { HasText = "column name" }).First).ToBeVisibleAsync();
        await SeedJourney.ScreenshotAsync(page, "catalog-search");

        await customers.ClickAsync();

        await Expect(page).ToHaveURLAsync(TablePage("postgresql.novamart.customers"));
        await Expect(page.GetByTestId("table-name")).ToHaveTextAsync("postgresql.novamart.customers");
        await Expect(page.GetByTestId("columns").Locator("tr.column-row")).ToHaveCountAsync(14);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Profile" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Profile", Exact = true }).ClickAsync();

        var profile = page.GetByTestId("profile");
        await Expect(profile.Locator("tr.profile-row")).ToHaveCountAsync(14, new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("profile-taken")).ToContainTextAsync("Exact profile");
        await Expect(Row(profile, "segment").Locator(".profile-distribution")).ToContainTextAsync("Gold");
        await Expect(Row(profile, "channel").Locator(".profile-distribution")).ToHaveTextAsync(WebShare());
        await Expect(Row(profile, "customer_id").Locator(".profile-distribution")).ToHaveTextAsync("Uniform");
        await Expect(Row(profile, "signup_date").Locator(".profile-distribution")).ToHaveTextAsync(MonthRange());

        // A row's chart: the top values of a low-cardinality column, the histogram of a number.
        await Row(profile, "segment").ClickAsync();
        var chart = page.GetByTestId("profile-chart");
        await Expect(chart).ToContainTextAsync("Top values of segment");
        await Expect(chart.Locator("svg").First).ToBeVisibleAsync();
        await Row(profile, "lifetime_value").ClickAsync();
        await Expect(chart).ToContainTextAsync("Histogram of lifetime_value");
        await Expect(chart.Locator("svg").First).ToBeVisibleAsync();
        await SeedJourney.ScreenshotAsync(page, "catalog-profile");

        // A second, approximate profile can be compared with the first.
        await page.GetByText("Approximate (estimates distinct counts").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Profile", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("approximate")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(chart).ToContainTextAsync("(approximate profile)");
        await page.GetByTestId("compare-profile").ClickAsync();
        await page.GetByRole(AriaRole.Option).Filter(new() { HasText = "(exact)" }).First.ClickAsync();
        await Expect(profile.Locator("thead")).ToContainTextAsync("Nulls then");
        await Expect(page.GetByTestId("profile-taken")).ToContainTextAsync("Compared with the profile of");
        await SeedJourney.ScreenshotAsync(page, "catalog-profile-compared");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_lineage_tab_shows_where_a_table_comes_from()
    {
        await workbench.Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
        using (var api = await workbench.Host.SignedInAsync())
        {
            // The seed's statement as written: it creates the table, so any earlier copy goes first.
            (await api.PostAsJsonAsync("api/sql", new { sql = $"DROP TABLE IF EXISTS {ChurnFeatures}" })).EnsureSuccessStatusCode();
            var created = await api.PostAsJsonAsync("api/sql", new { sql = await SeedJourney.ChurnSqlAsync() });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var page = await workbench.SignedInPageAsync();
        await page.GotoAsync("/catalog?q=churn");
        await Workbench.WaitUntilInteractiveAsync(page);
        await page.GetByTestId("catalog-results").Locator($"td[data-table='{ChurnFeatures}']").ClickAsync();
        await page.GetByRole(AriaRole.Tab, new() { Name = "Lineage" }).ClickAsync();

        var graph = page.GetByTestId("lineage-graph");
        await Expect(page).ToHaveURLAsync(TablePage(ChurnFeatures, "lineage"));
        string[] upstream = ["postgresql.novamart.customers", "postgresql.novamart.orders", "postgresql.novamart.returns", "snowflake.analytics.clickstream"];
        foreach (var table in upstream)
        {
            await Expect(graph.Locator($"g[data-node='{table}']")).ToBeVisibleAsync();
        }

        await Expect(graph.Locator($"g.lineage-current[data-node='{ChurnFeatures}']")).ToBeVisibleAsync();
        // Exactly the four source tables upstream (other tests may add tables downstream, e.g. a feature group).
        await Expect(graph.Locator("g.lineage-table[data-node^='postgresql.'], g.lineage-table[data-node^='snowflake.']")).ToHaveCountAsync(upstream.Length);
        await Expect(graph.Locator("g[data-node='source:demo:novamart.public.customers']")).ToBeVisibleAsync();
        var mappings = page.GetByTestId("lineage-mappings");
        await Expect(mappings.Locator("tr.lineage-mapping").Filter(new() { HasText = "postgresql.novamart.returns" }).Filter(new() { HasText = ChurnFeatures }))
            .ToContainTextAsync("total_returns ← return_id");
        await SeedJourney.ScreenshotAsync(page, "catalog-lineage");

        // Each upstream table is a link to its own page, which shows the churn features downstream.
        await graph.GetByRole(AriaRole.Link, new() { Name = "postgresql.novamart.orders" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(TablePage("postgresql.novamart.orders", "lineage"));
        await Expect(page.GetByTestId("table-name")).ToHaveTextAsync("postgresql.novamart.orders");
        var ordersGraph = page.GetByTestId("lineage-graph");
        await Expect(ordersGraph.Locator("g.lineage-current[data-node='postgresql.novamart.orders']")).ToBeVisibleAsync();
        await Expect(ordersGraph.Locator($"g[data-node='{ChurnFeatures}']")).ToBeVisibleAsync();
        await Expect(ordersGraph.Locator("g[data-node='source:demo:novamart.public.orders']")).ToBeVisibleAsync();
        await page.CloseAsync();
    }

    private static ILocator Row(ILocator profile, string column) => profile.Locator($"tr.profile-row[data-column='{column}']");

    private static Regex TablePage(string table, string? tab = null) =>
        new($"/catalog/{Regex.Escape(table)}{(tab is null ? "" : $@"\?tab={tab}")}$");

    [GeneratedRegex(@"/catalog\?q=customer$")]
    private static partial Regex SearchedForCustomer();

    // The seed: [web: 61%, mobile: 28%, store: 11%].
    [GeneratedRegex(@"^\[web: 6\d(\.\d)?%, mobile: \d+(\.\d)?%, store: \d+(\.\d)?%\]$")]
    private static partial Regex WebShare();

    // The seed: 2019-01 to 2025-12.
    [GeneratedRegex(@"^\d{4}-\d{2} to \d{4}-\d{2}$")]
    private static partial Regex MonthRange();
}

/// <summary>What the catalog and query editor journeys share: the seed's SQL and screenshots.</summary>
internal static class SeedJourney
{
    /// <summary>The seed's churn feature SQL, verbatim.</summary>
    public static Task<string> ChurnSqlAsync() =>
        File.ReadAllTextAsync(Path.Combine(MatihHost.RepositoryRoot, "scripts", "sql", "churn_features.sql"));

    /// <summary>Full-page screenshots draw the fixed app bar where the page was scrolled to: scroll to the top first.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await Workbench.ScreenshotAsync(page, name);
    }
}
