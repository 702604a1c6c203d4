using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

public sealed class FeatureStoreTests(DemoHostFixture fixture) : IClassFixture<DemoHostFixture>
{
    private MatihHost Host => fixture.Host;

    [Fact]
    public async Task The_seed_feature_store_sync_publishes_churn_features_with_schema_freshness_lineage_and_online_lookups()
    {
        using var client = await Host.SignedInAsync();
        var sql = await File.ReadAllTextAsync(Path.Combine(MatihHost.RepositoryRoot, "scripts", "sql", "churn_features.sql"));
        (await client.PostAsJsonAsync("api/sql", new { sql = sql.Replace("CREATE TABLE", "CREATE OR REPLACE TABLE", StringComparison.Ordinal) })).EnsureSuccessStatusCode();
        var config = SeedTaskConfig("load_feature_store");

        var first = await client.PostAsync("api/features", JsonContent.Create(config));
        var second = await client.PostAsync("api/features", JsonContent.Create(config));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var synced = await second.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, synced.GetProperty("version").GetInt32());
        Assert.Equal("analytics.features.customer_churn_features", synced.GetProperty("offline_table").GetString());
        var entities = synced.GetProperty("entities").GetInt64();
        Assert.InRange(entities, 1_000, 30_000);

        var list = await client.GetFromJsonAsync<JsonElement>("api/features");
        var group = list.GetProperty("items").EnumerateArray().Single(g => g.GetProperty("name").GetString() == "customer_churn_features");
        Assert.Equal("analytics.derived.churn_features", group.GetProperty("source_table").GetString());
        Assert.Equal(("customer_id", "last_order_date"), (group.GetProperty("entity_key").GetString(), group.GetProperty("timestamp_column").GetString()));
        Assert.Equal(20, group.GetProperty("schema").GetArrayLength());
        Assert.True(group.GetProperty("online_loaded").GetBoolean());
        Assert.NotNull(group.GetProperty("newest_timestamp").GetString());

        var details = await client.GetFromJsonAsync<JsonElement>("api/features/customer_churn_features");
        Assert.Equal([2, 1], details.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.Contains(details.GetProperty("lineage").GetProperty("edges").EnumerateArray(), e =>
            e.GetProperty("from").GetString() == "analytics.derived.churn_features" && e.GetProperty("to").GetString() == "analytics.features.customer_churn_features");

        var customer = await FirstCustomerAsync(client);
        var online = await client.GetFromJsonAsync<JsonElement>($"api/features/customer_churn_features/online/{customer}");
        Assert.Equal(2, online.GetProperty("version").GetInt32());
        var features = online.GetProperty("features");
        Assert.Equal(customer, features.GetProperty("customer_id").GetInt64());
        Assert.Equal(JsonValueKind.Number, features.GetProperty("days_since_last_order").ValueKind);
        Assert.Equal(20, features.EnumerateObject().Count());
    }

    [Fact]
    public async Task Unknown_groups_and_entities_are_404_problems_naming_them()
    {
        using var client = await Host.SignedInAsync();

        var group = await client.GetAsync("api/features/no_such_group");
        var entity = await client.GetAsync("api/features/no_such_group/online/1");

        Assert.Equal(HttpStatusCode.NotFound, group.StatusCode);
        Assert.Equal("No feature group is named 'no_such_group'.", (await group.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, entity.StatusCode);
    }

    [Fact]
    public async Task A_sync_from_a_missing_table_is_refused_naming_the_field()
    {
        using var client = await Host.SignedInAsync();

        var response = await client.PostAsJsonAsync("api/features", new
        {
            source_table = "analytics.derived.nothing_here",
            feature_group = "nothing_features",
            entity_key = "customer_id",
            timestamp_column = "last_order_date",
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("The source table analytics.derived.nothing_here does not exist in the warehouse.", errors.GetProperty("source_table")[0].GetString());
    }

    private static JsonElement SeedTaskConfig(string taskId) =>
        JsonDocument.Parse(SeedDocuments.ChurnPipeline).RootElement.GetProperty("tasks").EnumerateArray()
            .Single(t => t.GetProperty("task_id").GetString() == taskId).GetProperty("config").Clone();

    private static async Task<long> FirstCustomerAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("api/sql", new { sql = "SELECT min(customer_id) FROM analytics.derived.churn_features" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0][0].GetInt64();
    }
}
