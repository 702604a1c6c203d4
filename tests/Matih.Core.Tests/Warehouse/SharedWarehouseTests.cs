using DuckDB.NET.Data;
using Matih.Core.Warehouse;

namespace Matih.Core.Tests.Warehouse;

/// <summary>
/// A shared warehouse (server mode) attaches its catalog files only while it works, so other hosts on the folder get
/// their turn. Two hosts in two processes are in Host.Tests (ServerMode); here, one warehouse's side of the lease.
/// </summary>
public sealed class SharedWarehouseTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-shared-wh-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_shared_warehouse_holds_nothing_until_it_works_and_keeps_the_files_through_a_burst()
    {
        using var warehouse = Open(idle: TimeSpan.FromHours(1));
        Assert.False(warehouse.HoldsFiles);

        await warehouse.ExecuteAsync("CREATE TABLE analytics.main.orders AS SELECT 42 AS total", default);

        Assert.True(warehouse.HoldsFiles);
        Assert.Equal(42, (await warehouse.QueryAsync("SELECT total FROM orders", default)).Rows[0][0]);
    }

    [Fact]
    public async Task After_the_idle_time_the_files_are_let_go_so_another_process_could_open_them_and_nothing_is_lost()
    {
        using var warehouse = Open(idle: TimeSpan.FromMilliseconds(20));
        await warehouse.ExecuteAsync("CREATE TABLE analytics.main.orders AS SELECT range AS id FROM range(1000)", default);

        await WaitUntilAsync(() => !warehouse.HoldsFiles);

        // Let go means detached: the file opens on its own, written through (no pending WAL to replay elsewhere).
        Assert.False(File.Exists(Path.Combine(_folder, "analytics.duckdb.wal")));
        using (var direct = new DuckDBConnection($"Data Source={Path.Combine(_folder, "analytics.duckdb")}"))
        {
            direct.Open();
            using var command = direct.CreateCommand();
            command.CommandText = "INSERT INTO main.orders SELECT 1000";
            command.ExecuteNonQuery();
        }

        Assert.Equal(1001L, (await warehouse.QueryAsync("SELECT count(*) FROM orders", default)).Rows[0][0]);
    }

    [Fact]
    public async Task A_catalog_another_host_created_resolves_on_the_next_turn()
    {
        using var warehouse = Open(idle: TimeSpan.FromMilliseconds(20));
        await warehouse.QueryAsync("SELECT 1", default);
        await WaitUntilAsync(() => !warehouse.HoldsFiles);
        using (var other = new DuckDBConnection($"Data Source={Path.Combine(_folder, "sales.duckdb")}"))
        {
            other.Open();
            using var command = other.CreateCommand();
            command.CommandText = "CREATE TABLE main.regions AS SELECT 'north' AS region";
            command.ExecuteNonQuery();
        }

        var answer = await warehouse.QueryAsync("SELECT region FROM sales.main.regions", default);

        Assert.Equal("north", answer.Rows[0][0]);
        Assert.Contains("sales", warehouse.Catalogs);
    }

    [Fact]
    public async Task Connections_open_at_once_share_one_turn_and_the_last_one_closed_ends_it()
    {
        using var warehouse = Open(idle: TimeSpan.FromMilliseconds(20));
        var first = warehouse.OpenConnection();
        var second = warehouse.OpenConnection();
        first.Dispose();
        await Task.Delay(200);

        // The second connection still works: the files stay while any connection is open.
        Assert.True(warehouse.HoldsFiles);
        using (var command = second.CreateCommand())
        {
            command.CommandText = "CREATE TABLE analytics.main.kept AS SELECT 1 AS x";
            command.ExecuteNonQuery();
        }

        second.Dispose();
        await WaitUntilAsync(() => !warehouse.HoldsFiles);
        Assert.Single((await warehouse.QueryAsync("SELECT * FROM kept", default)).Rows);
    }

    [Fact]
    public async Task Many_operations_at_once_all_succeed_on_a_shared_warehouse()
    {
        using var warehouse = Open(idle: TimeSpan.FromMilliseconds(1));
        await warehouse.ExecuteAsync("CREATE TABLE analytics.main.events (n INTEGER)", default);

        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (n, ct) => await warehouse.ExecuteAsync($"INSERT INTO analytics.main.events VALUES ({n})", ct));

        Assert.Equal(200L, (await warehouse.QueryAsync("SELECT count(DISTINCT n) FROM events", default)).Rows[0][0]);
    }

    private DuckDbWarehouse Open(TimeSpan idle, TimeSpan? leaseWait = null) => new(new WarehouseOptions
    {
        LeaseWait = leaseWait ?? TimeSpan.FromMinutes(2),
        Directory = _folder,
        Catalogs = ["postgresql", "analytics"],
        Sharing = WarehouseSharing.Shared,
        IdleRelease = idle,
    });

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), "The shared warehouse did not let go of its files.");
    }
}
