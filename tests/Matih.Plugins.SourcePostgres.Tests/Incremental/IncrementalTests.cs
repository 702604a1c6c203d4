using System.Text.Json;
using Matih.Plugins.SourcePostgres.Tests.Support;
using Matih.Sdk.Connectors;

namespace Matih.Plugins.SourcePostgres.Tests.Incremental;

public sealed class IncrementalTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const string Orders = """
        CREATE TABLE orders (order_id bigint PRIMARY KEY, status text NOT NULL, updated_at timestamp NOT NULL);
        INSERT INTO orders VALUES (1, 'placed', '2025-01-01 10:00'), (2, 'placed', '2025-01-01 11:00'), (3, 'placed', '2025-01-01 12:00:00.000001');
        """;

    [Fact]
    public async Task The_first_incremental_sync_reads_everything_and_saves_the_largest_cursor()
    {
        var database = await postgres.CreateDatabaseAsync(Orders);
        var warehouse = new MemoryWarehouse();

        await postgres.Connector.ReadAsync(postgres.Config(database), Streams.Request(warehouse, Streams.Incremental("orders", "updated_at")), warehouse.Sink(), default);

        Assert.Equal(["1", "2", "3"], warehouse["orders"].Keys);
        var state = warehouse.State!.Streams["orders"];
        Assert.Equal("updated_at", state.GetProperty("cursor_field").GetString());
        Assert.Equal("2025-01-01T12:00:00.000001", state.GetProperty("cursor").GetString());
    }

    [Fact]
    public async Task A_later_sync_reads_only_rows_past_the_cursor_and_a_late_update_replaces_its_row()
    {
        var database = await postgres.CreateDatabaseAsync(Orders);
        var warehouse = new MemoryWarehouse();
        var request = () => Streams.Request(warehouse, Streams.Incremental("orders", "updated_at"));
        await postgres.Connector.ReadAsync(postgres.Config(database), request(), warehouse.Sink(), default);

        await postgres.ExecuteAsync(database, """
            INSERT INTO orders VALUES (4, 'placed', '2025-01-02 09:00');
            UPDATE orders SET status = 'shipped', updated_at = '2025-01-02 10:00' WHERE order_id = 1;
            """);
        var second = warehouse.Sink();
        await postgres.Connector.ReadAsync(postgres.Config(database), request(), second, default);

        Assert.Equal(2, second.WrittenRows("orders", RecordOperation.Upsert));
        Assert.Equal(["1", "2", "3", "4"], warehouse["orders"].Keys);
        Assert.Equal("shipped", warehouse["orders"].Value(1, "status"));
        Assert.Equal("2025-01-02T10:00:00.000000", warehouse.State!.Streams["orders"].GetProperty("cursor").GetString());

        var third = warehouse.Sink();
        await postgres.Connector.ReadAsync(postgres.Config(database), request(), third, default);
        Assert.Equal(0, third.WrittenRows("orders", RecordOperation.Upsert));
        Assert.Equal(1, third.Checkpoints);
    }

    [Theory]
    [InlineData("bigint", "41", "42", "42")]
    [InlineData("date", "'2025-03-01'", "'2025-03-02'", "\"2025-03-02\"")]
    [InlineData("timestamptz", "'2025-03-01 10:00:00+02'", "'2025-03-01 10:00:00.25+00'", "\"2025-03-01T10:00:00.250000Z\"")]
    public async Task Cursors_of_every_supported_type_select_only_newer_rows(string type, string older, string newer, string savedJson)
    {
        var database = await postgres.CreateDatabaseAsync($"CREATE TABLE events (id int PRIMARY KEY, seen {type}); INSERT INTO events VALUES (1, {older});");
        var warehouse = new MemoryWarehouse();
        var request = () => Streams.Request(warehouse, Streams.Incremental("events", "seen"));
        await postgres.Connector.ReadAsync(postgres.Config(database), request(), warehouse.Sink(), default);

        await postgres.ExecuteAsync(database, $"INSERT INTO events VALUES (2, {newer}), (3, {older});");
        var second = warehouse.Sink();
        await postgres.Connector.ReadAsync(postgres.Config(database), request(), second, default);

        Assert.Equal(1, second.WrittenRows("events", RecordOperation.Upsert));
        Assert.True(warehouse["events"].Contains(2));
        Assert.False(warehouse["events"].Contains(3));
        Assert.Equal(savedJson, warehouse.State!.Streams["events"].GetProperty("cursor").GetRawText());
    }

    [Fact]
    public async Task An_incremental_stream_without_a_cursor_field_is_refused_with_the_candidates()
    {
        var database = await postgres.CreateDatabaseAsync(Orders);
        var warehouse = new MemoryWarehouse();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => postgres.Connector.ReadAsync(
            postgres.Config(database), Streams.Request(warehouse, Streams.Incremental("orders")), warehouse.Sink(), default));

        Assert.Contains("streams.orders.cursor_field", error.Message, StringComparison.Ordinal);
        Assert.Contains("updated_at", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_saved_for_another_cursor_field_starts_the_stream_over()
    {
        var database = await postgres.CreateDatabaseAsync(Orders);
        var warehouse = new MemoryWarehouse();
        var saved = JsonSerializer.SerializeToElement(new { cursor_field = "order_id", cursor = 2 });
        var request = new ReadRequest([Streams.Incremental("orders", "updated_at")], new ConnectorState(new Dictionary<string, JsonElement> { ["orders"] = saved }, null));
        var sink = warehouse.Sink();

        await postgres.Connector.ReadAsync(postgres.Config(database), request, sink, default);

        Assert.Equal(3, sink.WrittenRows("orders", RecordOperation.Upsert));
    }
}
