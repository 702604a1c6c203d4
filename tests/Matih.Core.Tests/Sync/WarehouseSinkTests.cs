using System.Text.Json;
using Matih.Core.Sync;
using Matih.Core.Warehouse;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Core.Tests.Sync;

public sealed class WarehouseSinkTests : IDisposable
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

    private static readonly TableRef s_table = new("postgresql", "novamart", "things");

    private readonly string _folder = Directory.CreateTempSubdirectory("matih-sink-").FullName;
    private readonly DuckDbWarehouse _warehouse;

    public WarehouseSinkTests() => _warehouse = new DuckDbWarehouse(new WarehouseOptions { Directory = _folder, Catalogs = ["postgresql"] });

    public void Dispose()
    {
        _warehouse.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Rows_of_every_type_arrive_with_their_values_and_nulls()
    {
        await using (var sink = Sink(SyncMode.FullRefresh))
        {
            await sink.BeginStreamAsync("things", s_schema, default);
            await sink.WriteAsync("things", Batch(0, 1), RecordOperation.Upsert, default);
            await sink.CheckpointAsync(State("a"), default);
        }

        var result = await _warehouse.QueryAsync("SELECT * FROM postgresql.novamart.things ORDER BY id", default);

        Assert.Equal(2, result.Rows.Count);
        Assert.Equal([0L, "name-0", 1.50m, new DateOnly(2025, 1, 1), new DateTime(2025, 1, 1, 8, 30, 0), true, 0.25], result.Rows[0]);
        Assert.Null(result.Rows[1][1]);
    }

    [Fact]
    public async Task A_full_refresh_replaces_the_table_and_a_failed_one_leaves_the_old_rows_and_no_staging_table()
    {
        await FullRefreshAsync(3, checkpoint: true);
        await FullRefreshAsync(7, checkpoint: false);

        Assert.Equal(3, await CountAsync());
        var tables = await _warehouse.QueryAsync("SELECT table_name FROM information_schema.tables WHERE table_catalog = 'postgresql' AND table_schema = 'novamart'", default);
        Assert.Equal(["things"], tables.Rows.Select(r => (string)r[0]!));

        await FullRefreshAsync(5, checkpoint: true);
        Assert.Equal(5, await CountAsync());
    }

    [Fact]
    public async Task Incremental_changes_keep_the_latest_version_of_each_key_and_apply_deletes()
    {
        await using (var sink = Sink(SyncMode.Incremental))
        {
            await sink.BeginStreamAsync("things", s_schema, default);
            await sink.WriteAsync("things", Batch(0, 4), RecordOperation.Upsert, default);
            await sink.CheckpointAsync(State("cursor-1"), default);

            // A late-arriving update of key 2, its update again in the same batch window, and a delete of key 3.
            await sink.WriteAsync("things", Batch(2, 2, name: "late"), RecordOperation.Upsert, default);
            await sink.WriteAsync("things", Batch(2, 2, name: "later"), RecordOperation.Upsert, default);
            await sink.WriteAsync("things", Keys(3), RecordOperation.Delete, default);
            await sink.CheckpointAsync(State("cursor-2"), default);
        }

        var rows = await _warehouse.QueryAsync("SELECT id, name FROM postgresql.novamart.things ORDER BY id", default);
        Assert.Equal([[0L, "name-0"], [1L, null], [2L, "later"], [4L, "name-4"]], rows.Rows.Select(r => r.ToArray()));
        var state = await WarehouseSink.LoadStateAsync(_warehouse, "postgresql", "conn-1", default);
        Assert.Equal("cursor-2", state!.Streams["things"].GetString());
    }

    [Fact]
    public async Task Replaying_changes_after_a_crash_gives_the_same_table()
    {
        await using (var sink = Sink(SyncMode.Incremental))
        {
            await sink.BeginStreamAsync("things", s_schema, default);
            await sink.WriteAsync("things", Batch(0, 2), RecordOperation.Upsert, default);
            await sink.CheckpointAsync(State("lsn-1"), default);
            await sink.WriteAsync("things", Keys(1), RecordOperation.Delete, default);
            await sink.WriteAsync("things", Batch(5, 5), RecordOperation.Upsert, default);
            // No checkpoint: the sync dies here and the source replays from lsn-1.
        }

        Assert.Equal("lsn-1", (await WarehouseSink.LoadStateAsync(_warehouse, "postgresql", "conn-1", default))!.Streams["things"].GetString());
        Assert.Equal(3, await CountAsync());

        for (var replay = 0; replay < 2; replay++)
        {
            await using var sink = Sink(SyncMode.Incremental);
            await sink.BeginStreamAsync("things", s_schema, default);
            await sink.WriteAsync("things", Keys(1), RecordOperation.Delete, default);
            await sink.WriteAsync("things", Batch(5, 5), RecordOperation.Upsert, default);
            await sink.CheckpointAsync(State("lsn-2"), default);
        }

        var ids = await _warehouse.QueryAsync("SELECT id FROM postgresql.novamart.things ORDER BY id", default);
        Assert.Equal([0L, 2L, 5L], ids.Rows.Select(r => (long)r[0]!));
    }

    [Fact]
    public async Task A_truncate_empties_the_table_but_keeps_changes_made_after_it()
    {
        await using var sink = Sink(SyncMode.Incremental);
        await sink.BeginStreamAsync("things", s_schema, default);
        await sink.WriteAsync("things", Batch(0, 3), RecordOperation.Upsert, default);
        await sink.CheckpointAsync(State("1"), default);
        await sink.WriteAsync("things", Batch(7, 7), RecordOperation.Upsert, default);
        await sink.TruncateAsync("things", default);
        await sink.WriteAsync("things", Batch(9, 9), RecordOperation.Upsert, default);
        await sink.CheckpointAsync(State("2"), default);

        var ids = await _warehouse.QueryAsync("SELECT id FROM postgresql.novamart.things", default);
        Assert.Equal([9L], ids.Rows.Select(r => (long)r[0]!));
    }

    [Fact]
    public async Task Deletes_are_refused_in_full_refresh_mode_with_the_stream_named()
    {
        await using var sink = Sink(SyncMode.FullRefresh);
        await sink.BeginStreamAsync("things", s_schema, default);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteAsync("things", Keys(1), RecordOperation.Delete, default));
        Assert.Contains("Stream 'things' is read in full-refresh mode", error.Message, StringComparison.Ordinal);
    }

    private WarehouseSink Sink(SyncMode mode) =>
        new(_warehouse, "conn-1", new Dictionary<string, StreamTarget> { ["things"] = new(s_table, mode, ["id"]) });

    private async Task FullRefreshAsync(int rows, bool checkpoint)
    {
        await using var sink = Sink(SyncMode.FullRefresh);
        await sink.BeginStreamAsync("things", s_schema, default);
        await sink.WriteAsync("things", Batch(0, rows - 1), RecordOperation.Upsert, default);
        if (checkpoint)
        {
            await sink.CheckpointAsync(State("x"), default);
        }
    }

    private async Task<long> CountAsync() =>
        (long)(await _warehouse.QueryAsync("SELECT count(*) FROM postgresql.novamart.things", default)).Rows[0][0]!;

    private static ConnectorState State(string cursor) =>
        new(new Dictionary<string, JsonElement> { ["things"] = JsonSerializer.SerializeToElement(cursor) }, null);

    private static RowBatch Batch(int from, int to, string? name = null)
    {
        var batch = new RowBatch(s_schema.Columns, capacity: 2);
        for (var i = from; i <= to; i++)
        {
            var row = batch.AddRow();
            batch.Column<long>(0).Set(row, i);
            if (name is not null || i % 2 == 0)
            {
                batch.Column<string>(1).Set(row, name ?? $"name-{i}");
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

        return batch;
    }

    private static RowBatch Keys(params long[] ids)
    {
        var batch = new RowBatch([s_schema.Columns[0]]);
        foreach (var id in ids)
        {
            batch.Column<long>(0).Set(batch.AddRow(), id);
        }

        return batch;
    }
}
