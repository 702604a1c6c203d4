using Matih.Core.Features;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Tests.Features;

public sealed class FeatureStoreTests : IDisposable
{
    private static readonly FeatureGroupSync s_seedSync = new("customer_churn_features", "analytics.derived.churn_features", "customer_id", "last_order_date");

    private readonly TestStores _stores = new();

    public FeatureStoreTests()
    {
        Store = NewStore(_stores.Warehouse);
    }

    private FeatureStore Store { get; }

    public void Dispose() => _stores.Dispose();

    [Fact]
    public async Task The_first_sync_writes_version_1_and_the_online_store_serves_the_latest_row_per_entity()
    {
        await CreateSourceAsync("""
            (1, DATE '2025-01-10', 'gold', 3, 120.5),
            (1, DATE '2025-03-01', 'gold', 5, 210.0),
            (2, DATE '2025-02-15', 'silver', 1, 40.0)
            """);

        var version = await Store.SyncAsync(s_seedSync, default);

        Assert.Equal(("customer_churn_features", 1, 3L, 2L), (version.Group, version.Version, version.Rows, version.Entities));
        Assert.Equal("analytics.features.customer_churn_features", version.OfflineTable.ToString());
        Assert.Equal("2025-03-01", version.NewestTimestamp);
        var customer1 = Store.GetOnline("customer_churn_features", "1");
        Assert.NotNull(customer1);
        Assert.Equal(new DateOnly(2025, 3, 1), customer1["last_order_date"]);
        Assert.Equal(5, customer1["total_orders"]);
        Assert.Equal(210.0, customer1["avg_order_value"]);
        Assert.Equal("silver", Store.GetOnline("customer_churn_features", "2")!["segment"]);
    }

    [Fact]
    public async Task Each_sync_adds_a_version_while_earlier_versions_stay_in_the_offline_table()
    {
        await CreateSourceAsync("(1, DATE '2025-01-10', 'gold', 3, 120.5), (2, DATE '2025-02-15', 'silver', 1, 40.0)");
        var first = await Store.SyncAsync(s_seedSync, default);
        await _stores.Warehouse.ExecuteAsync("UPDATE analytics.derived.churn_features SET total_orders = total_orders + 10, last_order_date = DATE '2025-04-01' WHERE customer_id = 1", default);
        await _stores.Warehouse.ExecuteAsync("INSERT INTO analytics.derived.churn_features VALUES (3, DATE '2025-04-02', 'bronze', 1, 9.5)", default);

        var second = await Store.SyncAsync(s_seedSync, default);

        Assert.Equal([1, 2], new[] { first.Version, second.Version });
        Assert.Equal(3, second.Entities);
        Assert.Equal(13, Store.GetOnline("customer_churn_features", "1")!["total_orders"]);
        Assert.Equal(2, Store.GetOnline("customer_churn_features", "1") is FeatureValues values ? values.Version : 0);
        var offline = await _stores.Warehouse.QueryAsync(
            "SELECT _version, count(*), max(total_orders) FROM analytics.features.customer_churn_features GROUP BY _version ORDER BY _version", default);
        Assert.Equal([[1, 2L, 3], [2, 3L, 13]], offline.Rows.Select(r => r.ToArray()));
        var versions = await Store.VersionsAsync("customer_churn_features", default);
        Assert.Equal([2, 1], versions.Select(v => v.Version));
    }

    [Fact]
    public async Task After_a_restart_the_online_store_is_reloaded_from_the_warehouse_on_the_first_lookup()
    {
        var folder = Path.Combine(_stores.Folder, "restart");
        using (var warehouse = new DuckDbWarehouse(new WarehouseOptions { Directory = folder, Catalogs = ["analytics"] }))
        {
            await warehouse.ExecuteAsync(SourceSql("(7, DATE '2025-01-01', 'gold', 1, 1.0), (7, DATE '2025-05-05', 'gold', 2, 2.0), (8, DATE '2025-02-02', 'new', 1, 3.0)"), default);
            var before = NewStore(warehouse);
            await before.SyncAsync(s_seedSync, default);
            await warehouse.ExecuteAsync("UPDATE analytics.derived.churn_features SET segment = 'platinum'", default);
            await before.SyncAsync(s_seedSync, default);
        }

        using var reopened = new DuckDbWarehouse(new WarehouseOptions { Directory = folder });
        var after = NewStore(reopened);

        Assert.False(after.IsOnlineLoaded("customer_churn_features"));
        var features = after.GetOnline("customer_churn_features", "7");
        Assert.True(after.IsOnlineLoaded("customer_churn_features"));
        Assert.NotNull(features);
        Assert.Equal("platinum", features["segment"]);
        Assert.Equal(new DateOnly(2025, 5, 5), features["last_order_date"]);
        Assert.Equal(2, ((FeatureValues)features).Version);
        Assert.Equal(2, (await after.GetAsync("customer_churn_features", default))!.LatestVersion);
    }

    [Fact]
    public async Task Duplicate_keys_with_the_same_timestamp_give_the_same_row_whatever_order_the_source_holds_them_in()
    {
        await CreateSourceAsync("(1, DATE '2025-03-01', 'a', 1, 5.0), (1, DATE '2025-03-01', 'b', 1, 7.0), (1, DATE '2025-03-01', 'b', 1, 6.0)");
        await Store.SyncAsync(s_seedSync, default);
        var first = Store.GetOnline("customer_churn_features", "1")!.ToDictionary();

        await _stores.Warehouse.ExecuteAsync("CREATE OR REPLACE TABLE analytics.derived.churn_features AS SELECT * FROM analytics.derived.churn_features ORDER BY avg_order_value", default);
        await Store.SyncAsync(s_seedSync, default);
        var second = Store.GetOnline("customer_churn_features", "1")!.ToDictionary();

        Assert.Equal(first, second);
        Assert.Equal("b", first["segment"]);
        Assert.Equal(7.0, first["avg_order_value"]);
    }

    [Fact]
    public async Task Rows_without_a_timestamp_lose_to_rows_with_one()
    {
        await CreateSourceAsync("(1, NULL, 'none', 9, 9.0), (1, DATE '2020-01-01', 'old', 1, 1.0)");

        await Store.SyncAsync(s_seedSync, default);

        Assert.Equal("old", Store.GetOnline("customer_churn_features", "1")!["segment"]);
    }

    [Fact]
    public async Task Rows_with_a_null_entity_key_are_kept_offline_but_not_served_online()
    {
        await CreateSourceAsync("(1, DATE '2025-01-01', 'a', 1, 1.0), (NULL, DATE '2025-01-02', 'b', 2, 2.0)");

        var version = await Store.SyncAsync(s_seedSync, default);

        Assert.Equal((2L, 1L, 1L), (version.Rows, version.Entities, version.NullKeyRows));
        Assert.Null(Store.GetOnline("customer_churn_features", ""));
    }

    [Fact]
    public async Task Unknown_keys_and_unknown_groups_read_as_null()
    {
        await CreateSourceAsync("(1, DATE '2025-01-01', 'a', 1, 1.0)");
        await Store.SyncAsync(s_seedSync, default);

        Assert.Null(Store.GetOnline("customer_churn_features", "2"));
        Assert.Null(Store.GetOnline("customer_churn_features", "not-a-number"));
        Assert.Null(Store.GetOnline("no_such_group", "1"));
        Assert.Null(await Store.GetOnlineAsync("no_such_group", "1", default));
    }

    [Fact]
    public async Task Text_keys_and_every_common_column_type_come_back_typed()
    {
        await _stores.Warehouse.ExecuteAsync("""
            CREATE SCHEMA IF NOT EXISTS analytics.derived;
            CREATE TABLE analytics.derived.devices AS SELECT * FROM (VALUES
                ('dev-1', TIMESTAMP '2025-01-01 10:00:00', true, 12::INTEGER, 3000000000::BIGINT, 1.5::DOUBLE, 12.34::DECIMAL(10,2), 99.99::DECIMAL(38,2), 'x', NULL::DOUBLE, '00000000-0000-0000-0000-000000000001'::UUID, [1, 2], '1000000000000000000000000000000.5'::DECIMAL(38,2)),
                ('dev-1', TIMESTAMP '2024-01-01 10:00:00', false, 1::INTEGER, 1::BIGINT, 0.5::DOUBLE, 0.01::DECIMAL(10,2), 0.01::DECIMAL(38,2), 'y', 1.0::DOUBLE, '00000000-0000-0000-0000-000000000002'::UUID, [3], 1::DECIMAL(38,2))
            ) t(device_id, seen_at, active, small, big, ratio, price, revenue, label, missing, id, tags, huge);
            """, default);

        await Store.SyncAsync(new FeatureGroupSync("device_features", "analytics.derived.devices", "device_id", "seen_at"), default);
        var features = Store.GetOnline("device_features", "dev-1");

        Assert.NotNull(features);
        Assert.Equal(new DateTime(2025, 1, 1, 10, 0, 0), features["seen_at"]);
        Assert.True(features["active"] is true);
        Assert.Equal(12, features["small"]);
        Assert.Equal(3_000_000_000L, features["big"]);
        Assert.Equal(1.5, features["ratio"]);
        Assert.Equal(12.34m, features["price"]);
        Assert.Equal(99.99m, features["revenue"]);
        Assert.Equal("x", features["label"]);
        Assert.Null(features["missing"]);
        Assert.Equal(Guid.Parse("00000000-0000-0000-0000-000000000001"), features["id"]);
        Assert.NotNull(features["tags"]);
        Assert.Equal(1e30, features["huge"]);
        Assert.Equal(
            ["device_id", "seen_at", "active", "small", "big", "ratio", "price", "revenue", "label", "missing", "id", "tags", "huge"],
            features.Keys);
        Assert.Equal(12, features["SMALL"]);
    }

    [Fact]
    public async Task A_missing_source_table_is_refused_naming_it()
    {
        var error = await Assert.ThrowsAsync<FeatureStoreException>(() => Store.SyncAsync(s_seedSync, default));

        var problem = Assert.Single(error.Problems);
        Assert.Equal("source_table", problem.Field);
        Assert.Contains("analytics.derived.churn_features does not exist", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_key_and_timestamp_columns_are_refused_naming_each_and_listing_the_columns()
    {
        await CreateSourceAsync("(1, DATE '2025-01-01', 'a', 1, 1.0)");

        var error = await Assert.ThrowsAsync<FeatureStoreException>(() =>
            Store.SyncAsync(s_seedSync with { EntityKey = "cust_id", TimestampColumn = "updated_at" }, default));

        Assert.Equal(["entity_key", "timestamp_column"], error.Problems.Select(p => p.Field));
        Assert.Contains("'cust_id' is not a column of analytics.derived.churn_features (columns: customer_id, last_order_date, segment, total_orders, avg_order_value)",
            error.Problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("'updated_at'", error.Problems[1].Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetAsync("customer_churn_features", default));
    }

    [Theory]
    [InlineData("Customer Features")]
    [InlineData("1features")]
    [InlineData("")]
    public async Task Feature_group_names_that_cannot_be_table_names_are_refused(string name)
    {
        await CreateSourceAsync("(1, DATE '2025-01-01', 'a', 1, 1.0)");

        var problems = await Store.ValidateAsync(s_seedSync with { FeatureGroup = name }, default);

        Assert.Equal("feature_group", Assert.Single(problems).Field);
    }

    [Fact]
    public async Task A_column_the_source_gains_is_added_and_reads_null_in_earlier_versions()
    {
        await CreateSourceAsync("(1, DATE '2025-01-01', 'a', 1, 1.0)");
        await Store.SyncAsync(s_seedSync, default);
        await _stores.Warehouse.ExecuteAsync("ALTER TABLE analytics.derived.churn_features ADD COLUMN return_rate DOUBLE DEFAULT 0.25", default);

        var second = await Store.SyncAsync(s_seedSync, default);

        Assert.Contains(second.Schema, c => c.Name == "return_rate");
        Assert.Equal(0.25, Store.GetOnline("customer_churn_features", "1")!["return_rate"]);
        var old = await _stores.Warehouse.QueryAsync("SELECT return_rate FROM analytics.features.customer_churn_features WHERE _version = 1", default);
        Assert.Null(Assert.Single(old.Rows)[0]);
    }

    [Fact]
    public async Task A_column_whose_type_changed_is_refused_naming_the_column_and_both_types()
    {
        await CreateSourceAsync("(1, DATE '2025-01-01', 'a', 1, 1.0)");
        await Store.SyncAsync(s_seedSync, default);
        await _stores.Warehouse.ExecuteAsync("ALTER TABLE analytics.derived.churn_features ALTER COLUMN total_orders TYPE VARCHAR", default);

        var error = await Assert.ThrowsAsync<FeatureStoreException>(() => Store.SyncAsync(s_seedSync, default));

        Assert.Contains("'total_orders'", error.Message, StringComparison.Ordinal);
        Assert.Contains("VARCHAR now but INTEGER", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await Store.GetAsync("customer_churn_features", default))!.LatestVersion);
    }

    [Fact]
    public async Task Feature_groups_are_listed_with_schema_freshness_catalog_entry_and_lineage_from_the_source()
    {
        await CreateSourceAsync("(1, DATE '2025-01-01', 'a', 1, 1.0), (2, DATE '2025-06-30', 'b', 2, 2.0)");
        await Store.SyncAsync(s_seedSync, default);
        await Store.SyncAsync(s_seedSync, default);

        var group = Assert.Single(await Store.ListAsync(default));
        Assert.Equal(("customer_churn_features", "analytics.derived.churn_features", "customer_id", "last_order_date", 2), (group.Name, group.SourceTable.ToString(), group.EntityKey, group.TimestampColumn, group.LatestVersion));
        Assert.Equal(["customer_id", "last_order_date", "segment", "total_orders", "avg_order_value"], group.Schema.Select(c => c.Name));
        Assert.Equal(ColumnType.Date, group.Schema[1].Type);
        Assert.Equal("2025-06-30", group.NewestTimestamp);
        Assert.True(DateTimeOffset.UtcNow - group.SyncedAt < TimeSpan.FromMinutes(1));

        var dataset = await _stores.Datasets.FindAsync(group.OfflineTable, default);
        Assert.NotNull(dataset);
        Assert.Equal(("feature_store", "analytics.derived.churn_features", 4L), (dataset.Origin, dataset.SourceLocation, dataset.RowCount));
        Assert.Contains("Feature group customer_churn_features", dataset.Description, StringComparison.Ordinal);

        var lineage = await _stores.Lineage.GetAsync(group.OfflineTable.ToString(), 2, default);
        var edge = Assert.Single(lineage.Edges);
        Assert.Equal(("analytics.derived.churn_features", "analytics.features.customer_churn_features", "feature_store"), (edge.From, edge.To, edge.Kind));
        Assert.Equal(["segment"], edge.Columns["segment"]);
    }

    [Fact]
    public async Task Version_metadata_is_stored_in_the_metadata_store()
    {
        await CreateSourceAsync("(1, DATE '2025-01-01', 'a', 1, 1.0)");
        await Store.SyncAsync(s_seedSync, default);

        await using var db = await _stores.Contexts.CreateDbContextAsync();
        var stored = await db.Set<FeatureGroupVersionRecord>().SingleAsync();
        Assert.Equal(("customer_churn_features", 1, "analytics.derived.churn_features", 1L), (stored.Group, stored.Version, stored.SourceTable, stored.Rows));
    }

    [Fact]
    public async Task Concurrent_syncs_of_one_group_get_distinct_consecutive_versions()
    {
        await CreateSourceAsync("(1, DATE '2025-01-01', 'a', 1, 1.0)");

        var versions = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Store.SyncAsync(s_seedSync, default)));

        Assert.Equal([1, 2, 3], versions.Select(v => v.Version).Order());
    }

    [Fact]
    public async Task A_host_serving_a_group_moves_to_the_version_another_host_published_on_refresh()
    {
        await CreateSourceAsync("(1, DATE '2025-01-10', 'gold', 3, 120.5)");
        await Store.SyncAsync(s_seedSync, default);
        var other = NewStore(_stores.Warehouse);
        Assert.Equal(3, other.GetOnline("customer_churn_features", "1")!["total_orders"]);
        Assert.Empty(await other.RefreshOnlineAsync(default));

        await _stores.Warehouse.ExecuteAsync("UPDATE analytics.derived.churn_features SET total_orders = 30", default);
        await Store.SyncAsync(s_seedSync, default);

        // Until the refresh the other host keeps answering with what it had; after it, with version 2.
        Assert.Equal(3, other.GetOnline("customer_churn_features", "1")!["total_orders"]);
        Assert.Equal(["customer_churn_features"], await other.RefreshOnlineAsync(default));
        Assert.Equal(30, other.GetOnline("customer_churn_features", "1")!["total_orders"]);
        Assert.Equal(2, other.GetOnline("customer_churn_features", "1") is FeatureValues values ? values.Version : 0);
    }

    private FeatureStore NewStore(DuckDbWarehouse warehouse) => new(warehouse, _stores.Contexts, _stores.Datasets, _stores.Lineage, _stores.Clock);

    private Task CreateSourceAsync(string values) => _stores.Warehouse.ExecuteAsync(SourceSql(values), default);

    private static string SourceSql(string values) => $"""
        CREATE SCHEMA IF NOT EXISTS analytics.derived;
        CREATE TABLE analytics.derived.churn_features (customer_id BIGINT, last_order_date DATE, segment VARCHAR, total_orders INTEGER, avg_order_value DOUBLE);
        INSERT INTO analytics.derived.churn_features VALUES {values};
        """;
}
