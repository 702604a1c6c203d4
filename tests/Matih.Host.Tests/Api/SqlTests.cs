using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Testing;

namespace Matih.Host.Tests.Api;

public sealed class SqlTests(DemoHostFixture fixture) : IClassFixture<DemoHostFixture>
{
    private MatihHost Host => fixture.Host;

    [Fact]
    public async Task The_demo_customers_are_counted_with_a_three_part_name()
    {
        using var client = await Host.SignedInAsync();

        var response = await client.PostAsJsonAsync("api/sql", new { sql = "SELECT count(*) AS customers FROM postgresql.novamart.customers" });

        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("customers", body.GetProperty("columns")[0].GetProperty("name").GetString());
        var customers = body.GetProperty("rows")[0][0].GetInt64();
        Assert.InRange(customers, 19_000, 23_000);
        Assert.Equal(1, body.GetProperty("rowCount").GetInt64());
        Assert.True(body.GetProperty("elapsedMs").GetInt64() >= 0);
    }

    [Fact]
    public async Task Every_demo_stream_lands_where_the_seed_sql_reads_it()
    {
        using var client = await Host.SignedInAsync();

        var response = await client.PostAsJsonAsync("api/sql", new
        {
            sql = """
                SELECT table_catalog || '.' || table_schema || '.' || table_name AS t
                FROM information_schema.tables
                WHERE table_catalog IN ('postgresql', 'snowflake') AND table_schema <> '_matih' ORDER BY 1
                """,
        });

        var tables = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows").EnumerateArray().Select(r => r[0].GetString()!).ToArray();
        Assert.Equal(
            ["postgresql.novamart.customers", "postgresql.novamart.order_items", "postgresql.novamart.orders", "postgresql.novamart.products",
             "postgresql.novamart.returns", "snowflake.analytics.clickstream"],
            tables);
    }

    [Fact]
    public async Task A_sql_error_is_a_problem_naming_the_line_and_column()
    {
        using var client = await Host.SignedInAsync();

        var response = await client.PostAsJsonAsync("api/sql", new { sql = "SELECT customer_id\nFROM postgresql.novamart.customers\nWHERE AND 1" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("syntax", problem.GetProperty("kind").GetString());
        Assert.Equal(3, problem.GetProperty("line").GetInt32());
        Assert.Equal(7, problem.GetProperty("column").GetInt32());
    }

    [Fact]
    public async Task The_seed_churn_sql_runs_verbatim_on_the_demo_and_its_lineage_reaches_the_sources()
    {
        using var client = await Host.SignedInAsync();
        var sql = await File.ReadAllTextAsync(Path.Combine(MatihHost.RepositoryRoot, "scripts", "sql", "churn_features.sql"));

        var created = await client.PostAsJsonAsync("api/sql", new { sql });
        var counted = await client.PostAsJsonAsync("api/sql", new
        {
            sql = "SELECT count(*), count(DISTINCT customer_id), avg(is_churned) FROM analytics.derived.churn_features",
        });
        var lineage = await client.GetFromJsonAsync<JsonElement>("api/catalog/tables/analytics.derived.churn_features/lineage");

        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        Assert.Equal(["analytics.derived.churn_features"], (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("written").EnumerateArray().Select(w => w.GetString()!));
        var row = (await counted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rows")[0];
        Assert.InRange(row[0].GetInt64(), 15_000, 22_000);
        Assert.Equal(row[0].GetInt64(), row[1].GetInt64());
        Assert.InRange(row[2].GetDouble(), 0.2, 0.4);
        var upstream = lineage.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("depth").GetInt32() == -1).Select(n => n.GetProperty("id").GetString()!).Order();
        Assert.Equal(["postgresql.novamart.customers", "postgresql.novamart.orders", "postgresql.novamart.returns", "snowflake.analytics.clickstream"], upstream);
        Assert.Contains(lineage.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("id").GetString() == "source:demo:novamart.public.customers");
    }

    [Fact]
    public async Task A_saved_query_is_found_by_its_dotted_name()
    {
        using var client = await Host.SignedInAsync();

        var saved = await client.PostAsJsonAsync("api/queries", new { name = "analytics.queries.customer_count", sql = "SELECT count(*) FROM postgresql.novamart.customers" });
        var bad = await client.PostAsJsonAsync("api/queries", new { name = "Not A Name", sql = "SELECT 1" });
        var found = await client.GetFromJsonAsync<JsonElement>("api/queries/analytics.queries.customer_count");

        Assert.Equal(HttpStatusCode.Created, saved.StatusCode);
        Assert.Equal("SELECT count(*) FROM postgresql.novamart.customers", found.GetProperty("sql").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task An_empty_request_names_the_sql_field()
    {
        using var client = await Host.SignedInAsync();

        var response = await client.PostAsJsonAsync("api/sql", new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("sql is required", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("sql")[0].GetString(), StringComparison.Ordinal);
    }
}
