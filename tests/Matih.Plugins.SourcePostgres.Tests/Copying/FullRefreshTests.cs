using System.Text;
using Matih.Plugins.SourcePostgres.Tests.Support;
using Matih.Sdk.Connectors;

namespace Matih.Plugins.SourcePostgres.Tests.Copying;

public sealed class FullRefreshTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Full_refresh_copies_every_row_with_typed_values_and_checkpoints_at_the_end()
    {
        var database = await postgres.CreateDatabaseAsync("""
            CREATE TABLE products (
                product_id int PRIMARY KEY, name text NOT NULL, code char(4), price numeric(10,2), weight real, rating double precision,
                raw numeric, launched date, created_at timestamp, updated_at timestamptz, active boolean, sku uuid,
                attributes jsonb, picture bytea, warranty interval, small smallint, big bigint);
            INSERT INTO products VALUES
                (1, 'Kettle', 'KT', 24.99, 1.5, 4.25, 10.125, '2024-03-01', '2024-03-01 10:00:00.123456', '2024-03-01 10:00:00.5+02',
                 true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"color": "red", "tags": [1, 2]}', '\x00ff10', '1 year 2 days', -7, 9000000000),
                (2, 'Mug', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            INSERT INTO products (product_id, name) SELECT g, 'item ' || g FROM generate_series(3, 20000) g;
            """);
        var warehouse = new MemoryWarehouse();
        var sink = warehouse.Sink(fullRefresh: ["products"]);

        await postgres.Connector.ReadAsync(postgres.Config(database), Streams.Request(warehouse, Streams.FullRefresh("products")), sink, default);

        var products = warehouse["products"];
        Assert.Equal(20000, products.Count);
        Assert.Equal(1, sink.Checkpoints);
        Assert.Equal("Kettle", products.Value(1, "name"));
        Assert.Equal("KT  ", products.Value(1, "code"));
        Assert.Equal(24.99m, products.Value(1, "price"));
        Assert.Equal(1.5, products.Value(1, "weight"));
        Assert.Equal(4.25, products.Value(1, "rating"));
        Assert.Equal(10.125, products.Value(1, "raw"));
        Assert.Equal(new DateOnly(2024, 3, 1), products.Value(1, "launched"));
        Assert.Equal(new DateTime(2024, 3, 1, 10, 0, 0).AddTicks(1234560), products.Value(1, "created_at"));
        var updatedAt = Assert.IsType<DateTime>(products.Value(1, "updated_at"));
        Assert.Equal((new DateTime(2024, 3, 1, 8, 0, 0, 500, DateTimeKind.Utc), DateTimeKind.Utc), (updatedAt, updatedAt.Kind));
        Assert.Equal(true, products.Value(1, "active"));
        Assert.Equal(Guid.Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), products.Value(1, "sku"));
        Assert.Equal("""{"tags": [1, 2], "color": "red"}""", products.Value(1, "attributes"));
        Assert.Equal(new byte[] { 0, 255, 16 }, products.Value(1, "picture"));
        Assert.Equal("1 year 2 days", products.Value(1, "warranty"));
        Assert.Equal(-7, products.Value(1, "small"));
        Assert.Equal(9000000000L, products.Value(1, "big"));
        Assert.All(products.Row(2).Skip(2), Assert.Null);
        Assert.Equal("item 20000", products.Value(20000, "name"));
    }

    [Fact]
    public async Task Full_refresh_replaces_the_table_so_deleted_rows_disappear()
    {
        var database = await postgres.CreateDatabaseAsync("CREATE TABLE products (product_id int PRIMARY KEY, name text); INSERT INTO products VALUES (1, 'a'), (2, 'b');");
        var warehouse = new MemoryWarehouse();
        await postgres.Connector.ReadAsync(postgres.Config(database), Streams.Request(warehouse, Streams.FullRefresh("products")), warehouse.Sink(["products"]), default);

        await postgres.ExecuteAsync(database, "DELETE FROM products WHERE product_id = 1; UPDATE products SET name = 'B' WHERE product_id = 2;");
        await postgres.Connector.ReadAsync(postgres.Config(database), Streams.Request(warehouse, Streams.FullRefresh("products")), warehouse.Sink(["products"]), default);

        Assert.Equal(["2"], warehouse["products"].Keys);
        Assert.Equal("B", warehouse["products"].Value(2, "name"));
    }

    [Fact]
    public async Task A_cancelled_full_refresh_stops_the_copy_and_commits_nothing()
    {
        var database = await postgres.CreateDatabaseAsync("CREATE TABLE big (id int PRIMARY KEY, payload text); INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 200000) g;");
        var warehouse = new MemoryWarehouse();
        using var cancel = new CancellationTokenSource();
        var sink = warehouse.Sink(["big"], onWrite: (_, _, _) => cancel.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            postgres.Connector.ReadAsync(postgres.Config(database), Streams.Request(warehouse, Streams.FullRefresh("big")), sink, cancel.Token));

        Assert.False(warehouse.Has("big"));
        Assert.True(sink.WrittenRows("big", RecordOperation.Upsert) < 200000);
        Assert.Equal(0L, await postgres.ScalarAsync<long>(database, $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND query LIKE 'COPY%' AND state = 'active'"));
    }

    [Fact]
    public async Task Unknown_streams_are_refused_by_name_before_anything_is_read()
    {
        var database = await postgres.CreateDatabaseAsync("CREATE TABLE products (product_id int PRIMARY KEY);");
        var warehouse = new MemoryWarehouse();
        var sink = warehouse.Sink();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => postgres.Connector.ReadAsync(
            postgres.Config(database), Streams.Request(warehouse, Streams.FullRefresh("products"), Streams.FullRefresh("prodcts")), sink, default));

        Assert.Contains("streams: 'prodcts' is not a readable table", error.Message, StringComparison.Ordinal);
        Assert.Contains("products", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, sink.Checkpoints);
    }
}
