using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;
using Microsoft.Data.Sqlite;

namespace Matih.Host.Tests.Api;

/// <summary>
/// The one paging scheme (<c>?page=&amp;pageSize=&amp;sort=&amp;order=&amp;q=</c> answering <c>{items, total, page, pageSize,
/// sort, order}</c>) on a list with 100,000 items: pages come from the database, in a stable order, quickly.
/// </summary>
[Collection(OpenApiHostCollection.Name)]
public sealed class ListPagingTests(OpenApiHostFixture fixture) : IAsyncLifetime
{
    private const int Bulk = 100_000;
    private static readonly SemaphoreSlim s_seeded = new(1, 1);
    private static bool s_done;

    private MatihHost Host => fixture.Host;

    public async Task InitializeAsync()
    {
        await s_seeded.WaitAsync();
        try
        {
            if (!s_done)
            {
                await SeedSavedQueriesAsync();
                s_done = true;
            }
        }
        finally
        {
            s_seeded.Release();
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_page_of_100000_saved_queries_comes_with_the_total()
    {
        using var client = await Host.SignedInAsync();
        await client.GetAsync("api/queries?pageSize=1");

        var page = await client.GetFromJsonAsync<JsonElement>("api/queries?page=7&pageSize=100");

        Assert.True(page.GetProperty("total").GetInt32() >= Bulk, page.GetProperty("total").ToString());
        Assert.Equal(7, page.GetProperty("page").GetInt32());
        Assert.Equal(100, page.GetProperty("pageSize").GetInt32());
        Assert.Equal("name", page.GetProperty("sort").GetString());
        Assert.Equal("asc", page.GetProperty("order").GetString());
        Assert.Equal(100, page.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Consecutive_pages_follow_each_other_without_gaps_or_repeats()
    {
        using var client = await Host.SignedInAsync();

        var names = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            names.AddRange(Names(await client.GetFromJsonAsync<JsonElement>($"api/queries?page={page}&pageSize=40")));
        }

        var once = Names(await client.GetFromJsonAsync<JsonElement>("api/queries?page=1&pageSize=120"));

        Assert.Equal(120, names.Distinct().Count());
        Assert.Equal(once, names);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public async Task Descending_order_and_another_sort_field_are_stable()
    {
        using var client = await Host.SignedInAsync();

        var last = await client.GetFromJsonAsync<JsonElement>("api/queries?sort=name&order=desc&pageSize=3");
        var byUpdate = await client.GetFromJsonAsync<JsonElement>("api/queries?sort=updated_by&pageSize=50&page=2");
        var again = await client.GetFromJsonAsync<JsonElement>("api/queries?sort=updated_by&pageSize=50&page=2");

        Assert.Equal(["analytics.bulk.template", "analytics.bulk.q100000", "analytics.bulk.q099999"], Names(last));
        Assert.Equal(Names(byUpdate), Names(again));
    }

    [Fact]
    public async Task A_page_past_the_end_is_empty_and_still_says_the_total()
    {
        using var client = await Host.SignedInAsync();

        var beyond = await client.GetFromJsonAsync<JsonElement>("api/queries?page=100000&pageSize=500");

        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
        Assert.True(beyond.GetProperty("total").GetInt32() >= Bulk);
    }

    [Fact]
    public async Task Q_filters_in_the_database_and_total_counts_only_the_matches()
    {
        using var client = await Host.SignedInAsync();

        var found = await client.GetFromJsonAsync<JsonElement>("api/queries?q=Q04200");

        Assert.Equal(10, found.GetProperty("total").GetInt32());
        Assert.All(Names(found), n => Assert.StartsWith("analytics.bulk.q04200", n, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("api/queries?pageSize=0", "pageSize")]
    [InlineData("api/queries?pageSize=501", "pageSize")]
    [InlineData("api/queries?pageSize=many", "pageSize")]
    [InlineData("api/queries?page=0", "page")]
    [InlineData("api/queries?sort=colour", "sort")]
    [InlineData("api/queries?order=sideways", "order")]
    [InlineData("api/pipelines/any/runs?pageSize=0", "pageSize")]
    [InlineData("api/experiments/any/runs?pageSize=1000", "pageSize")]
    [InlineData("api/catalog/search?q=orders&page=-1", "page")]
    [InlineData("api/sql/history?sort=user", "sort")]
    [InlineData("api/connections?pageSize=0", "pageSize")]
    [InlineData("api/connections?sort=colour", "sort")]
    [InlineData("api/connections/any/runs?pageSize=501", "pageSize")]
    [InlineData("api/connections/any/runs?sort=name", "sort")]
    [InlineData("api/pipelines?pageSize=-1", "pageSize")]
    [InlineData("api/pipelines?sort=tasks", "sort")]
    [InlineData("api/features?pageSize=1000", "pageSize")]
    [InlineData("api/features?sort=entity_key", "sort")]
    [InlineData("api/features?order=up", "order")]
    [InlineData("api/audit?pageSize=0", "pageSize")]
    [InlineData("api/audit?page=0", "page")]
    [InlineData("api/audit?sort=detail", "sort")]
    [InlineData("api/audit?order=oldest", "order")]
    public async Task A_bad_paging_parameter_is_a_400_naming_it(string url, string parameter)
    {
        using var client = await Host.SignedInAsync();

        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(parameter, out _), body);
    }

    [Fact]
    public async Task Sql_history_pages_newest_first_and_filters_by_the_statement()
    {
        using var client = await Host.SignedInAsync();
        for (var i = 1; i <= 5; i++)
        {
            (await client.PostAsJsonAsync("api/sql", new { sql = $"SELECT {i} AS paging_probe" })).EnsureSuccessStatusCode();
        }

        var first = await client.GetFromJsonAsync<JsonElement>("api/sql/history?q=PAGING_PROBE&pageSize=2");
        var third = await client.GetFromJsonAsync<JsonElement>("api/sql/history?q=paging_probe&pageSize=2&page=3");

        Assert.Equal(5, first.GetProperty("total").GetInt32());
        Assert.Equal(["SELECT 5 AS paging_probe", "SELECT 4 AS paging_probe"], first.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sql").GetString()));
        Assert.Equal("desc", first.GetProperty("order").GetString());
        Assert.Equal(["SELECT 1 AS paging_probe"], third.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sql").GetString()));
    }

    private static string[] Names(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray();

    /// <summary>100,000 rows straight into the metadata store: creating them one request at a time would test the wrong thing.</summary>
    private async Task SeedSavedQueriesAsync()
    {
        // One saved through the API gives the stored form of its timestamp, which the bulk rows copy.
        using (var client = await Host.SignedInAsync())
        {
            (await client.PostAsJsonAsync("api/queries", new { name = "analytics.bulk.template", sql = "SELECT 1" })).EnsureSuccessStatusCode();
        }

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(Host.DataDirectory, "metadata.db")};Default Timeout=60");
        await connection.OpenAsync();
        await using var read = connection.CreateCommand();
        read.CommandText = "SELECT UpdatedAt FROM saved_queries WHERE Name = 'analytics.bulk.template'";
        var stamp = await read.ExecuteScalarAsync();
        await using var transaction = connection.BeginTransaction();
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO saved_queries (Name, Sql, Description, UpdatedBy, UpdatedAt) VALUES ($name, 'SELECT 1', $description, $by, $at)";
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        var description = insert.Parameters.Add("$description", SqliteType.Text);
        var by = insert.Parameters.Add("$by", SqliteType.Text);
        insert.Parameters.AddWithValue("$at", stamp);
        for (var i = 1; i <= Bulk; i++)
        {
            name.Value = $"analytics.bulk.q{i:D6}";
            description.Value = $"Bulk query {i}";
            by.Value = $"user{i % 7}";
            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}
