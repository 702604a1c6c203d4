using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

public sealed class ShutdownTests
{
    [Fact]
    public async Task A_table_committed_before_ctrl_c_is_there_after_a_restart()
    {
        var data = Directory.CreateTempSubdirectory("matih-restart-").FullName;
        try
        {
            await using (var first = await MatihHost.StartAsync(dataDirectory: data))
            {
                using var client = await first.SignedInAsync();
                var created = await client.PostAsJsonAsync("api/sql", new { sql = "CREATE TABLE analytics.main.kept AS SELECT range AS n FROM range(1000)" });
                created.EnsureSuccessStatusCode();
                Assert.Equal(0, await first.InterruptAsync(TimeSpan.FromSeconds(30)));
            }

            await using var second = await MatihHost.StartAsync(dataDirectory: data);
            using var again = await second.SignedInAsync();
            var count = await again.PostAsJsonAsync("api/sql", new { sql = "SELECT sum(n) FROM analytics.main.kept" });
            Assert.Equal(499500, (await count.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0][0].GetInt64());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
