using System.Diagnostics;
using System.Text.Json.Nodes;
using Matih.Plugins.SourcePostgres.Tests.Support;
using Matih.Sdk.Connectors;

namespace Matih.Plugins.SourcePostgres.Tests.Cdc;

public sealed class CdcTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private const string Customers = """
        CREATE TABLE customers (customer_id bigint PRIMARY KEY, name text NOT NULL, segment text, updated_at timestamptz NOT NULL DEFAULT now());
        INSERT INTO customers (customer_id, name, segment) VALUES (1, 'Ada', 'Gold'), (2, 'Grace', 'Silver'), (3, 'Edsger', 'Bronze');
        """;

    [Fact]
    public async Task The_first_sync_creates_publication_and_slot_and_copies_a_snapshot_consistent_with_the_slot()
    {
        var database = await postgres.CreateDatabaseAsync(Customers);
        var warehouse = new MemoryWarehouse();
        var config = postgres.CdcConfig(database);

        var sink = warehouse.Sink();
        await Sync(config, warehouse, sink);

        Assert.Equal(["1", "2", "3"], warehouse["customers"].Keys);
        Assert.Equal(["customers"], sink.Truncated);
        Assert.Equal(1L, await postgres.ScalarAsync<long>(database, $"SELECT count(*) FROM pg_publication_tables WHERE pubname = 'pub_{database}' AND tablename = 'customers'"));
        Assert.Equal("pgoutput", await postgres.ScalarAsync<string>(database, $"SELECT plugin::text FROM pg_replication_slots WHERE slot_name = 'slot_{database}'"));
        var lsn = warehouse.State!.Global!.Value.GetProperty("lsn").GetString();
        Assert.False(string.IsNullOrEmpty(lsn));
        Assert.True(warehouse.State.Streams["customers"].TryGetProperty("snapshot_lsn", out _));
        await WaitUntilSlotIsInactive(database);
    }

    [Theory]
    [InlineData("DEFAULT")]
    [InlineData("FULL")]
    public async Task Inserts_updates_deletes_and_truncates_are_applied_in_order(string replicaIdentity)
    {
        var database = await postgres.CreateDatabaseAsync(Customers + $"""
            CREATE TABLE orders (order_id int PRIMARY KEY, customer_id bigint, total numeric(12,2));
            ALTER TABLE customers REPLICA IDENTITY {replicaIdentity};
            ALTER TABLE orders REPLICA IDENTITY {replicaIdentity};
            """);
        var warehouse = new MemoryWarehouse();
        var config = postgres.CdcConfig(database);
        await Sync(config, warehouse, warehouse.Sink(), "customers", "orders");

        await postgres.ExecuteAsync(database, """
            INSERT INTO customers (customer_id, name, segment) VALUES (4, 'Barbara', 'New');
            UPDATE customers SET segment = 'Platinum' WHERE customer_id = 1;
            DELETE FROM customers WHERE customer_id = 3;
            INSERT INTO orders VALUES (10, 1, 99.95), (11, 2, 5.00);
            DELETE FROM customers WHERE customer_id = 2;
            INSERT INTO customers (customer_id, name, segment) VALUES (2, 'Grace Hopper', 'Gold');
            UPDATE customers SET customer_id = 5 WHERE customer_id = 4;
            """);
        var second = warehouse.Sink();
        await Sync(config, warehouse, second, "customers", "orders");

        var customers = warehouse["customers"];
        Assert.Equal(["1", "2", "5"], customers.Keys);
        Assert.Equal("Platinum", customers.Value(1, "segment"));
        Assert.Equal("Grace Hopper", customers.Value(2, "name"));
        Assert.Equal("Barbara", customers.Value(5, "name"));
        Assert.Equal(99.95m, warehouse["orders"].Value(10, "total"));
        Assert.Empty(second.Truncated);

        await postgres.ExecuteAsync(database, "TRUNCATE orders; INSERT INTO orders VALUES (12, 1, 1.50);");
        var third = warehouse.Sink();
        await Sync(config, warehouse, third, "customers", "orders");

        Assert.Equal(["orders"], third.Truncated);
        Assert.Equal(["12"], warehouse["orders"].Keys);
        Assert.Equal(["1", "2", "5"], warehouse["customers"].Keys);
    }

    [Fact]
    public async Task A_sync_killed_before_its_checkpoint_is_replayed_by_the_next_one_without_loss_or_doubles()
    {
        var database = await postgres.CreateDatabaseAsync(Customers);
        var warehouse = new MemoryWarehouse();
        var config = postgres.CdcConfig(database);
        await Sync(config, warehouse, warehouse.Sink());
        var stateBefore = warehouse.State!.Global!.Value.GetProperty("lsn").GetString();

        await postgres.ExecuteAsync(database, """
            INSERT INTO customers (customer_id, name) VALUES (4, 'Barbara');
            UPDATE customers SET name = 'Ada Lovelace' WHERE customer_id = 1;
            DELETE FROM customers WHERE customer_id = 3;
            """);
        using var kill = new CancellationTokenSource();
        var killed = warehouse.Sink(onWrite: (_, _, _) => kill.Cancel());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            postgres.Connector.ReadAsync(config, Streams.Request(warehouse, Streams.Incremental("customers", "updated_at")), killed, kill.Token));

        Assert.True(killed.Written.Values.Sum() > 0);
        Assert.Equal(0, killed.Checkpoints);
        Assert.Equal(["1", "2", "3"], warehouse["customers"].Keys);
        Assert.Equal(stateBefore, warehouse.State!.Global!.Value.GetProperty("lsn").GetString());
        await WaitUntilSlotIsInactive(database);

        var replay = warehouse.Sink();
        await Sync(config, warehouse, replay);

        Assert.Equal(["1", "2", "4"], warehouse["customers"].Keys);
        Assert.Equal("Ada Lovelace", warehouse["customers"].Value(1, "name"));
        Assert.Equal(2, replay.WrittenRows("customers", RecordOperation.Upsert));
        Assert.Equal(1, replay.WrittenRows("customers", RecordOperation.Delete));
    }

    [Fact]
    public async Task A_restart_from_the_acknowledged_position_does_not_deliver_acknowledged_changes_again()
    {
        var database = await postgres.CreateDatabaseAsync(Customers);
        var warehouse = new MemoryWarehouse();
        var config = postgres.CdcConfig(database);
        await Sync(config, warehouse, warehouse.Sink());
        await postgres.ExecuteAsync(database, "INSERT INTO customers (customer_id, name) VALUES (4, 'Barbara'); UPDATE customers SET name = 'Ada L.' WHERE customer_id = 1;");
        var first = warehouse.Sink();
        await Sync(config, warehouse, first);
        Assert.Equal(2, first.WrittenRows("customers", RecordOperation.Upsert));
        var acknowledged = warehouse.State!.Global!.Value.GetProperty("lsn").GetString();
        await WaitUntilSlotIsInactive(database);
        Assert.Equal(acknowledged, await postgres.ScalarAsync<string>(database, $"SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'slot_{database}'"));

        var again = warehouse.Sink();
        await Sync(config, warehouse, again);

        Assert.Empty(again.Written);
        Assert.Equal(["1", "2", "3", "4"], warehouse["customers"].Keys);
    }

    [Fact]
    public async Task A_stream_added_to_a_running_cdc_connection_gets_its_own_snapshot_and_then_its_changes()
    {
        var database = await postgres.CreateDatabaseAsync(Customers + "CREATE TABLE orders (order_id int PRIMARY KEY, total numeric(12,2)); INSERT INTO orders VALUES (1, 10), (2, 20);");
        var warehouse = new MemoryWarehouse();
        var config = postgres.CdcConfig(database);
        await Sync(config, warehouse, warehouse.Sink(), "customers");
        await postgres.ExecuteAsync(database, "INSERT INTO orders VALUES (3, 30); INSERT INTO customers (customer_id, name) VALUES (4, 'Barbara');");

        var added = warehouse.Sink();
        await Sync(config, warehouse, added, "customers", "orders");
        await postgres.ExecuteAsync(database, "UPDATE orders SET total = 33 WHERE order_id = 3;");
        await Sync(config, warehouse, warehouse.Sink(), "customers", "orders");

        Assert.Equal(["orders"], added.Truncated);
        Assert.Equal(["1", "2", "3"], warehouse["orders"].Keys);
        Assert.Equal(33m, warehouse["orders"].Value(3, "total"));
        Assert.Equal(["1", "2", "3", "4"], warehouse["customers"].Keys);
        Assert.Equal(1L, await postgres.ScalarAsync<long>(database, $"SELECT count(*) FROM pg_publication_tables WHERE pubname = 'pub_{database}' AND tablename = 'orders'"));
    }

    [Fact]
    public async Task A_slot_advanced_by_another_reader_is_detected_and_the_streams_are_snapshotted_again()
    {
        var database = await postgres.CreateDatabaseAsync(Customers);
        var warehouse = new MemoryWarehouse();
        var config = postgres.CdcConfig(database);
        await Sync(config, warehouse, warehouse.Sink());
        await WaitUntilSlotIsInactive(database);
        await postgres.ExecuteAsync(database, "DELETE FROM customers WHERE customer_id = 2; INSERT INTO customers (customer_id, name) VALUES (4, 'Barbara');");
        var written = await postgres.ScalarAsync<string>(database, "SELECT pg_current_wal_insert_lsn()::text");

        // Another reader consumes the slot past the changes (the test server commits asynchronously: wait for the flush).
        await WaitForAsync(async () => await postgres.ScalarAsync<bool>(database, $"SELECT pg_current_wal_lsn() >= '{written}'::pg_lsn"), "the WAL flush");
        await postgres.ExecuteAsync(database, $"SELECT pg_replication_slot_advance('slot_{database}', '{written}'::pg_lsn)");

        var again = warehouse.Sink();
        await Sync(config, warehouse, again);

        Assert.Equal(["customers"], again.Truncated);
        Assert.Equal(["1", "3", "4"], warehouse["customers"].Keys);
    }

    [Fact]
    public async Task A_table_without_a_primary_key_is_refused_for_cdc_by_name_before_anything_is_created()
    {
        var database = await postgres.CreateDatabaseAsync(Customers + "CREATE TABLE page_views (url text, seen_at timestamptz);");
        var warehouse = new MemoryWarehouse();
        var sink = warehouse.Sink();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => postgres.Connector.ReadAsync(
            postgres.CdcConfig(database),
            Streams.Request(warehouse, Streams.Incremental("customers", "updated_at"), Streams.Incremental("page_views", "seen_at")),
            sink,
            default));

        Assert.Contains("public.page_views has no primary key", error.Message, StringComparison.Ordinal);
        Assert.Contains("streams.page_views", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await postgres.ScalarAsync<long>(database, "SELECT count(*) FROM pg_publication"));
        Assert.Equal(0L, await postgres.ScalarAsync<long>(database, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'slot_{database}'"));
        Assert.Equal(0, sink.Checkpoints);
    }

    [Fact]
    public async Task Full_refresh_streams_of_a_cdc_connection_are_copied_whole_every_sync()
    {
        var database = await postgres.CreateDatabaseAsync(Customers + "CREATE TABLE products (product_id int PRIMARY KEY, name text); INSERT INTO products VALUES (1, 'Kettle'), (2, 'Mug');");
        var warehouse = new MemoryWarehouse();
        var config = postgres.CdcConfig(database);
        var request = () => Streams.Request(warehouse, Streams.Incremental("customers", "updated_at"), Streams.FullRefresh("products"));
        await postgres.Connector.ReadAsync(config, request(), warehouse.Sink(["products"]), default);

        await postgres.ExecuteAsync(database, "DELETE FROM products WHERE product_id = 1; INSERT INTO customers (customer_id, name) VALUES (4, 'Barbara');");
        var second = warehouse.Sink(["products"]);
        await postgres.Connector.ReadAsync(config, request(), second, default);

        Assert.Equal(["2"], warehouse["products"].Keys);
        Assert.Equal(1, second.WrittenRows("products", RecordOperation.Upsert));
        Assert.Equal(1, second.WrittenRows("customers", RecordOperation.Upsert));
        Assert.Equal(0L, await postgres.ScalarAsync<long>(database, $"SELECT count(*) FROM pg_publication_tables WHERE pubname = 'pub_{database}' AND tablename = 'products'"));
    }

    [Fact]
    public async Task Changes_carry_the_same_values_as_the_snapshot_for_every_column_type()
    {
        const string columns = "(id, name, code, price, weight, rating, raw, launched, created_at, updated_at, active, sku, attributes, settings, picture, warranty, tags, small)";
        const string values = """
            'Kettle', 'KT', 24.99, 1.5, 4.25, 10.125, '2024-03-01', '2024-03-01 10:00:00.123456', '2024-03-01 10:00:00.5+02', true,
            'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"color": "red", "tags": [1, 2]}', '{"b": 1,  "a": 2}', '\x00ff10', '1 year 2 days', '{a,"b c"}', -7
            """;
        var database = await postgres.CreateDatabaseAsync($"""
            CREATE TABLE products (
                id int PRIMARY KEY, name text NOT NULL, code char(4), price numeric(10,2), weight real, rating double precision,
                raw numeric, launched date, created_at timestamp, updated_at timestamptz, active boolean, sku uuid,
                attributes jsonb, settings json, picture bytea, warranty interval, tags text[], small smallint);
            INSERT INTO products {columns} VALUES (1, {values});
            INSERT INTO products (id, name) VALUES (2, 'nulls');
            """);
        var warehouse = new MemoryWarehouse();
        var config = postgres.CdcConfig(database);
        await Sync(config, warehouse, warehouse.Sink(), "products");

        await postgres.ExecuteAsync(database, $"INSERT INTO products {columns} VALUES (3, {values}); INSERT INTO products (id, name) VALUES (4, 'nulls');");
        await Sync(config, warehouse, warehouse.Sink(), "products");

        var products = warehouse["products"];
        Assert.Equal(products.Row(1).Skip(1), products.Row(3).Skip(1));
        Assert.Equal(products.Row(2).Skip(1), products.Row(4).Skip(1));
        Assert.Equal("1 year 2 days", products.Value(3, "warranty"));
        Assert.Equal("{a,\"b c\"}", products.Value(3, "tags"));
        Assert.Equal(DateTimeKind.Utc, ((DateTime)products.Value(3, "updated_at")!).Kind);
    }

    [Fact]
    public async Task An_update_that_leaves_a_toasted_column_unchanged_keeps_its_value()
    {
        var database = await postgres.CreateDatabaseAsync("""
            CREATE TABLE documents (id int PRIMARY KEY, title text, body text);
            ALTER TABLE documents ALTER COLUMN body SET STORAGE EXTERNAL;
            """);
        var warehouse = new MemoryWarehouse();
        var config = postgres.CdcConfig(database);
        await Sync(config, warehouse, warehouse.Sink(), "documents");

        await postgres.ExecuteAsync(database, """
            INSERT INTO documents VALUES (1, 'draft', repeat('lorem ipsum ', 2000)), (2, 'gone', repeat('dolor ', 2000));
            UPDATE documents SET title = 'final' WHERE id = 1;
            UPDATE documents SET title = 'going' WHERE id = 2;
            DELETE FROM documents WHERE id = 2;
            """);
        await Sync(config, warehouse, warehouse.Sink(), "documents");
        await postgres.ExecuteAsync(database, "UPDATE documents SET title = 'published' WHERE id = 1;");
        var update = warehouse.Sink();
        await Sync(config, warehouse, update, "documents");

        Assert.Equal(["1"], warehouse["documents"].Keys);
        Assert.Equal("published", warehouse["documents"].Value(1, "title"));
        Assert.Equal(24000, ((string)warehouse["documents"].Value(1, "body")!).Length);
        Assert.Equal(1, update.WrittenRows("documents", RecordOperation.Upsert));
    }

    [Fact]
    public async Task A_continuous_sync_commits_changes_while_it_runs_and_releases_the_slot_when_cancelled()
    {
        var database = await postgres.CreateDatabaseAsync(Customers);
        var warehouse = new MemoryWarehouse();
        var config = postgres.CdcConfig(database, c => c["replication_method"]!["continuous"] = true);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sync = postgres.Connector.ReadAsync(config, Streams.Request(warehouse, Streams.Incremental("customers")), warehouse.Sink(), stop.Token);
        await WaitFor(() => warehouse.Has("customers") && warehouse["customers"].Count == 3, "the snapshot");

        await postgres.ExecuteAsync(database, "INSERT INTO customers (customer_id, name) VALUES (4, 'Barbara');");
        await WaitFor(() => warehouse["customers"].Contains(4), "the insert to be committed");
        Assert.Equal(1L, await postgres.ScalarAsync<long>(database, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'slot_{database}' AND active"));

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sync);
        await WaitUntilSlotIsInactive(database);
    }

    [Fact]
    public async Task Diagnostics_report_slot_activity_lag_and_retained_wal_with_warnings()
    {
        var database = await postgres.CreateDatabaseAsync(Customers);
        var config = postgres.CdcConfig(database);
        var before = await postgres.Connector.DiagnoseAsync(config, default);
        Assert.Equal("not created yet", Assert.Single(before).Value);

        var warehouse = new MemoryWarehouse();
        await Sync(config, warehouse, warehouse.Sink());
        await WaitUntilSlotIsInactive(database);
        await postgres.ExecuteAsync(database, "INSERT INTO customers (customer_id, name) SELECT g, 'c' || g FROM generate_series(10, 5000) g;");
        var strict = new PostgresConnector(new PostgresPluginSettings(LagWarningBytes: 1024));

        var figures = (await strict.DiagnoseAsync(config, default)).ToDictionary(f => f.Name);

        Assert.Equal("no", figures["slot_active"].Value);
        Assert.Contains("inactive", figures["slot_active"].Warning, StringComparison.Ordinal);
        Assert.True(figures["slot_lag_bytes"].Number > 1024);
        Assert.NotNull(figures["slot_lag_bytes"].Warning);
        Assert.True(figures["wal_retained_bytes"].Number >= figures["slot_lag_bytes"].Number);
        Assert.Null((await postgres.Connector.DiagnoseAsync(config, default)).Single(f => f.Name == "slot_lag_bytes").Warning);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Each test makes its own slot; the server allows ten, so each test drops what it made.</summary>
    public async Task DisposeAsync()
    {
        await WaitForAsync(async () => await postgres.ScalarAsync<long>("postgres", "SELECT count(*) FROM pg_replication_slots WHERE active") == 0, "every slot to become inactive");
        await postgres.ExecuteAsync("postgres", "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots");
    }

    private async Task Sync(System.Text.Json.JsonElement config, MemoryWarehouse warehouse, MemoryWarehouse.SyncSink sink, params string[] streams)
    {
        var configured = (streams.Length == 0 ? ["customers"] : streams).Select(s => Streams.Incremental(s, "updated_at")).ToArray();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await postgres.Connector.ReadAsync(config, Streams.Request(warehouse, configured), sink, timeout.Token);
    }

    private async Task WaitUntilSlotIsInactive(string database) =>
        await WaitForAsync(async () => await postgres.ScalarAsync<long>(database, $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'slot_{database}' AND active") == 0, "the slot to become inactive");

    private static Task WaitFor(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }
}
