using Matih.Core.Catalog;
using Matih.Sdk.Catalog;
using Matih.Sdk.Data;

namespace Matih.Core.Tests.Catalog;

public sealed class CatalogServiceTests : IDisposable
{
    private readonly TestStores _stores = new();
    private readonly CatalogService _catalog;

    public CatalogServiceTests() => _catalog = new CatalogService(_stores.Warehouse, _stores.Contexts, _stores.Datasets, Array.Empty<ICatalogProvider>(), _stores.Clock);

    public void Dispose() => _stores.Dispose();

    [Fact]
    public async Task Searching_customer_ranks_table_names_before_column_matches_and_shows_origin_and_rows()
    {
        await _stores.Warehouse.ExecuteAsync("""
            CREATE SCHEMA postgresql.novamart;
            CREATE TABLE postgresql.novamart.customers AS SELECT range AS customer_id, 'x' AS email FROM range(42);
            CREATE TABLE postgresql.novamart.orders AS SELECT range AS order_id, range AS customer_id FROM range(10);
            CREATE TABLE postgresql.novamart.products AS SELECT range AS product_id FROM range(3);
            CREATE SCHEMA novamart.surveys;
            CREATE TABLE novamart.surveys.customer_nps AS SELECT 1 AS customer_id, 9 AS nps_score;
            """, default);
        await _stores.Datasets.RecordAsync(TableRef.Parse("postgresql.novamart.customers"), "sync:novamart", "novamart.public.customers", 42, default);

        var page = await _catalog.SearchAsync("customer", 1, 10, default);

        Assert.Equal(["customers", "customer_nps", "orders"], page.Items.Select(h => h.Entry.Table.Table));
        var customers = page.Items[0].Entry;
        Assert.Equal("novamart.public", customers.DisplaySchema);
        Assert.Equal(42, customers.Rows);
        Assert.NotNull(customers.LastUpdated);
        Assert.Equal("column name", page.Items[2].MatchedOn);
        Assert.Equal(3, page.Total);
    }

    [Fact]
    public async Task Internal_staging_and_state_tables_are_not_listed()
    {
        await _stores.Warehouse.ExecuteAsync("""
            CREATE SCHEMA postgresql._matih; CREATE TABLE postgresql._matih.sync_state (k INT);
            CREATE TABLE analytics.main._matih_staging_x (k INT); CREATE TABLE analytics.main.kept (k INT);
            """, default);

        var page = await _catalog.SearchAsync("", 1, 100, default);

        Assert.Equal(["analytics.main.kept"], page.Items.Select(h => h.Entry.Table.ToString()));
    }

    [Fact]
    public async Task Results_are_paged()
    {
        await _stores.Warehouse.ExecuteAsync(string.Join(";", Enumerable.Range(0, 25).Select(i => $"CREATE TABLE analytics.main.t{i:00} (k INT)")), default);

        var second = await _catalog.SearchAsync("t", 2, 10, default);

        Assert.Equal(25, second.Total);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"t{i:00}"), second.Items.Select(h => h.Entry.Table.Table));
    }
}
