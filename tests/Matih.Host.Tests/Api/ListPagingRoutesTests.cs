using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Matih.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Matih.Host.Tests.Api;

/// <summary>
/// The paging scheme on the connection, sync-run, pipeline and feature-group lists: totals, stable order, an empty page
/// past the end, and 400s naming the bad parameter.
/// </summary>
[Collection(OpenApiHostCollection.Name)]
public sealed class ListPagingRoutesTests(OpenApiHostFixture fixture)
{
    private const int BulkGroups = 100_000;
    private static readonly SemaphoreSlim s_seeded = new(1, 1);
    private static bool s_groupsSeeded;

    // Timestamps are stored as the metadata store writes them (see MetadataDbContext's DateTimeOffset conversion).
    private static readonly DateTimeOffsetToBinaryConverter s_stamp = new();

    private MatihHost Host => fixture.Host;

    [Fact]
    public async Task Connections_page_by_name_filter_by_q_and_end_with_an_empty_page()
    {
        using var client = await Host.SignedInAsync();
        foreach (var name in new[] { "Paging conn c", "Paging conn a", "Paging conn b" })
        {
            (await client.PostAsJsonAsync("api/connections", Faker(name))).EnsureSuccessStatusCode();
        }

        var first = await client.GetFromJsonAsync<JsonElement>("api/connections?q=PAGING%20CONN&pageSize=2");
        var second = await client.GetFromJsonAsync<JsonElement>("api/connections?q=paging conn&pageSize=2&page=2");
        var newest = await client.GetFromJsonAsync<JsonElement>("api/connections?q=paging conn&sort=created_at");
        var beyond = await client.GetFromJsonAsync<JsonElement>("api/connections?q=paging conn&pageSize=2&page=3");

        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(["Paging conn a", "Paging conn b"], Names(first));
        Assert.Equal(["Paging conn c"], Names(second));
        Assert.Equal(["Paging conn b", "Paging conn a", "Paging conn c"], Names(newest));
        Assert.Equal("desc", newest.GetProperty("order").GetString());
        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
        Assert.Equal(3, beyond.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Sync_runs_page_newest_first_without_gaps_or_repeats()
    {
        using var client = await Host.SignedInAsync();
        var created = await client.PostAsJsonAsync("api/connections", Faker("Paging runs"));
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var started = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            started.Add((await client.SyncAsync(id!)).GetProperty("runId").GetString()!);
        }

        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var found = await client.GetFromJsonAsync<JsonElement>($"api/connections/{id}/runs?pageSize=1&page={page}");
            Assert.Equal(3, found.GetProperty("total").GetInt32());
            pages.AddRange(found.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("runId").GetString()!));
        }

        var beyond = await client.GetFromJsonAsync<JsonElement>($"api/connections/{id}/runs?pageSize=1&page=4");
        var succeeded = await client.GetFromJsonAsync<JsonElement>($"api/connections/{id}/runs?q=SUCCEEDED");

        Assert.Equal(Enumerable.Reverse(started), pages);
        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
        Assert.Equal(3, succeeded.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Pipelines_page_by_name_with_their_summaries_and_filter_by_q()
    {
        using var client = await Host.SignedInAsync();
        foreach (var n in new[] { 3, 1, 2 })
        {
            var document = $$"""
                { "pipeline_id": "paging-pipe-{{n}}", "name": "Paging pipe {{n}}", "tasks": [ { "task_id": "t", "type": "run_script", "config": { "code": "1" } } ] }
                """;
            (await client.PostAsync("api/pipelines", new StringContent(document, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        }

        var first = await client.GetFromJsonAsync<JsonElement>("api/pipelines?q=paging pipe&pageSize=2");
        var second = await client.GetFromJsonAsync<JsonElement>("api/pipelines?q=paging pipe&pageSize=2&page=2");
        var descending = await client.GetFromJsonAsync<JsonElement>("api/pipelines?q=paging-pipe&order=desc");
        var beyond = await client.GetFromJsonAsync<JsonElement>("api/pipelines?q=paging pipe&page=9");

        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(["Paging pipe 1", "Paging pipe 2"], Names(first));
        Assert.Equal(1, first.GetProperty("items")[0].GetProperty("tasks").GetInt32());
        Assert.Equal(["Paging pipe 3"], Names(second));
        Assert.Equal(["Paging pipe 3", "Paging pipe 2", "Paging pipe 1"], Names(descending));
        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Pages_of_100000_feature_groups_come_in_a_stable_order()
    {
        await SeedFeatureGroupsAsync();
        using var client = await Host.SignedInAsync();
        await client.GetAsync("api/features?pageSize=1");

        var page = await client.GetFromJsonAsync<JsonElement>("api/features?page=7&pageSize=100&q=paging_fg");
        var split = new List<string>();
        for (var p = 1; p <= 3; p++)
        {
            split.AddRange(Names(await client.GetFromJsonAsync<JsonElement>($"api/features?q=paging_fg&pageSize=40&page={p}")));
        }

        var once = Names(await client.GetFromJsonAsync<JsonElement>("api/features?q=paging_fg&pageSize=120"));
        var largest = await client.GetFromJsonAsync<JsonElement>("api/features?q=paging_fg&sort=rows&pageSize=2");
        var beyond = await client.GetFromJsonAsync<JsonElement>("api/features?q=paging_fg&page=1001&pageSize=100");

        Assert.Equal(BulkGroups, page.GetProperty("total").GetInt32());
        Assert.Equal("paging_fg_000601", Names(page)[0]);
        Assert.Equal("analytics.paging.source", page.GetProperty("items")[0].GetProperty("source_table").GetString());
        Assert.Equal(once, split);
        Assert.Equal(["paging_fg_100000", "paging_fg_099999"], Names(largest));
        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
        Assert.Equal(BulkGroups, beyond.GetProperty("total").GetInt32());
    }

    private static object Faker(string name) => new
    {
        name,
        connector = "source-faker",
        config = new { scale = 0.001, seed = 7 },
        streams = new object[] { new { name = "customers", sync_mode = "full_refresh" } },
        destination = new { catalog = "postgresql", schema = "paging" },
    };

    private static string[] Names(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray();

    /// <summary>100,000 feature groups straight into the metadata store: syncing each one would test the wrong thing.</summary>
    private async Task SeedFeatureGroupsAsync()
    {
        await s_seeded.WaitAsync();
        try
        {
            if (s_groupsSeeded)
            {
                return;
            }

            await using var connection = new SqliteConnection($"Data Source={Path.Combine(Host.DataDirectory, "metadata.db")};Default Timeout=60");
            await connection.OpenAsync();
            await using var transaction = connection.BeginTransaction();
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO feature_groups (Name, SourceTable, EntityKey, TimestampColumn, OfflineTable, LatestVersion, Rows, Entities, NullKeyRows, SchemaJson, CreatedAt, SyncedAt)
                VALUES ($name, 'analytics.paging.source', 'id', 'ts', 'analytics.features.paging', 1, $rows, 1, 0, '[]', $at, $at)
                """;
            var name = insert.Parameters.Add("$name", SqliteType.Text);
            var rows = insert.Parameters.Add("$rows", SqliteType.Integer);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            for (var i = 1; i <= BulkGroups; i++)
            {
                name.Value = $"paging_fg_{i:D6}";
                rows.Value = i;
                at.Value = s_stamp.ConvertToProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i));
                await insert.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
            s_groupsSeeded = true;
        }
        finally
        {
            s_seeded.Release();
        }
    }
}
