using Matih.Core.Warehouse;
using Matih.Testing;

namespace Matih.Host.Tests.ServerMode;

/// <summary>
/// A shared warehouse waits for another process to let go of the files, and says so when it waits too long. The other
/// process here is a real host keeping the folder exclusively (DuckDB's file locks only conflict across processes).
/// </summary>
public sealed class SharedWarehouseBusyTests
{
    [Fact]
    public async Task A_warehouse_another_process_keeps_past_the_lease_wait_fails_naming_the_folder_and_works_once_it_is_let_go()
    {
        var data = Directory.CreateTempSubdirectory("matih-busy-").FullName;
        var folder = Path.Combine(data, "warehouse");
        try
        {
            using var shared = new DuckDbWarehouse(new WarehouseOptions
            {
                Directory = folder,
                Catalogs = ["analytics"],
                Sharing = WarehouseSharing.Shared,
                LeaseWait = TimeSpan.FromMilliseconds(500),
                IdleRelease = TimeSpan.FromMilliseconds(20),
            });
            await shared.ExecuteAsync("CREATE TABLE analytics.main.orders AS SELECT 1 AS id", default);
            for (var i = 0; i < 250 && shared.HoldsFiles; i++)
            {
                await Task.Delay(20);
            }

            await using (var other = await MatihHost.StartAsync(dataDirectory: data))
            {
                var busy = await Assert.ThrowsAsync<WarehouseBusyException>(() => shared.QueryAsync("SELECT count(*) FROM orders", default));

                Assert.Contains($"The shared warehouse in {folder} stayed busy on another host", busy.Message, StringComparison.Ordinal);
                Assert.Contains("lock", busy.Message, StringComparison.OrdinalIgnoreCase);
                Assert.False(shared.HoldsFiles);
            }

            Assert.Equal(1L, (await shared.QueryAsync("SELECT count(*) FROM orders", default)).Rows[0][0]);
            Assert.Empty(Directory.GetFiles(folder, ".matih-waiting-*"));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
