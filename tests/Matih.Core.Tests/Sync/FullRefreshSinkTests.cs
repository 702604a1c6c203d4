using Matih.Core.Sync;
using Matih.Core.Warehouse;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Core.Tests.Sync;

public sealed class FullRefreshSinkTests : IDisposable
{
    private static readonly TableSchema s_schema = new([
        new ColumnSchema("id", ColumnType.Int64, false),
        new ColumnSchema("name", ColumnType.String),
        new ColumnSchema("amount", ColumnType.Decimal) { Precision = 12, Scale = 2 },
        new ColumnSchema("day", ColumnType.Date),
        new ColumnSchema("at", ColumnType.Timestamp),
        new ColumnSchema("ok", ColumnType.Boolean),
        new ColumnSchema("score", ColumnType.Double),
    ], ["id"]);

    private readonly string _folder = Directory.CreateTempSubdirectory("matih-sink-").FullName;
    private readonly DuckDbWarehouse _warehouse;

    public FullRefreshSinkTests() => _warehouse = new DuckDbWarehouse(new WarehouseOptions { Directory = _folder, Catalogs = ["postgresql"] });

    public void Dispose()
    {
        _warehouse.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Rows_of_every_type_arrive_with_their_values_and_nulls()
    {
        await SyncAsync(2, checkpoint: true);

        var result = await _warehouse.QueryAsync("SELECT * FROM postgresql.novamart.things ORDER BY id", default);

        Assert.Equal(2, result.Rows.Count);
        Assert.Equal([0L, "name-0", 1.50m, new DateOnly(2025, 1, 1), new DateTime(2025, 1, 1, 8, 30, 0), true, 0.25], result.Rows[0]);
        Assert.Null(result.Rows[1][1]);
    }

    [Fact]
    public async Task A_refresh_replaces_the_table_and_a_failed_one_leaves_the_old_rows_and_no_staging_table()
    {
        await SyncAsync(3, checkpoint: true);
        await SyncAsync(7, checkpoint: false);

        var count = await _warehouse.QueryAsync("SELECT count(*) FROM postgresql.novamart.things", default);
        Assert.Equal(3L, count.Rows[0][0]);
        var tables = await _warehouse.QueryAsync("SELECT table_name FROM information_schema.tables WHERE table_catalog = 'postgresql'", default);
        Assert.Equal(["things"], tables.Rows.Select(r => (string)r[0]!));

        await SyncAsync(5, checkpoint: true);
        Assert.Equal(5L, (await _warehouse.QueryAsync("SELECT count(*) FROM postgresql.novamart.things", default)).Rows[0][0]);
    }

    [Fact]
    public async Task Deletes_are_refused_in_full_refresh_mode_with_the_stream_named()
    {
        await using var sink = new FullRefreshSink(_warehouse, s => new TableRef("postgresql", "novamart", s));
        await sink.BeginStreamAsync("things", s_schema, default);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteAsync("things", new RowBatch(s_schema.Columns), RecordOperation.Delete, default));
        Assert.Contains("Stream 'things' is read in full-refresh mode", error.Message, StringComparison.Ordinal);
    }

    private async Task SyncAsync(int rows, bool checkpoint)
    {
        await using var sink = new FullRefreshSink(_warehouse, s => new TableRef("postgresql", "novamart", s));
        await sink.BeginStreamAsync("things", s_schema, default);
        var batch = new RowBatch(s_schema.Columns, capacity: 2);
        for (var i = 0; i < rows; i++)
        {
            var row = batch.AddRow();
            batch.Column<long>(0).Set(row, i);
            if (i % 2 == 0)
            {
                batch.Column<string>(1).Set(row, $"name-{i}");
            }
            else
            {
                batch.Column(1).SetNull(row);
            }

            batch.Column<decimal>(2).Set(row, 1.5m + i);
            batch.Column<DateOnly>(3).Set(row, new DateOnly(2025, 1, 1).AddDays(i));
            batch.Column<DateTime>(4).Set(row, new DateTime(2025, 1, 1, 8, 30, 0).AddHours(i));
            batch.Column<bool>(5).Set(row, i % 2 == 0);
            batch.Column<double>(6).Set(row, 0.25 * (i + 1));
        }

        await sink.WriteAsync("things", batch, RecordOperation.Upsert, default);
        if (checkpoint)
        {
            await sink.CheckpointAsync(new ConnectorState(new Dictionary<string, System.Text.Json.JsonElement>(), null), default);
        }
    }
}
