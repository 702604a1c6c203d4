using Matih.Core.Warehouse;
using Matih.Sdk.Data;

namespace Matih.Core.Tests.Warehouse;

public sealed class DuckDbWarehouseTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-wh-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Three_part_names_join_tables_across_catalog_files()
    {
        using var warehouse = Open();
        await warehouse.ExecuteAsync("CREATE SCHEMA postgresql.novamart; CREATE TABLE postgresql.novamart.customers AS SELECT range AS customer_id FROM range(5)", default);
        await warehouse.ExecuteAsync("CREATE SCHEMA snowflake.analytics; CREATE TABLE snowflake.analytics.clickstream AS SELECT range % 3 AS customer_id FROM range(9)", default);

        var result = await warehouse.QueryAsync("""
            SELECT c.customer_id, count(*) AS clicks
            FROM postgresql.novamart.customers c JOIN snowflake.analytics.clickstream s ON c.customer_id = s.customer_id
            GROUP BY 1 ORDER BY 1
            """, default);

        Assert.Equal([[0L, 3L], [1L, 3L], [2L, 3L]], result.Rows.Select(r => r.ToArray()));
        Assert.True(File.Exists(Path.Combine(_folder, "postgresql.duckdb")));
        Assert.True(File.Exists(Path.Combine(_folder, "snowflake.duckdb")));
    }

    [Fact]
    public async Task Tables_survive_closing_and_reopening_the_warehouse()
    {
        using (var warehouse = Open())
        {
            warehouse.EnsureCatalog("sales");
            await warehouse.ExecuteAsync("CREATE TABLE sales.main.orders AS SELECT 42 AS total", default);
        }

        using var reopened = Open();
        Assert.Contains("sales", reopened.Catalogs);
        var result = await reopened.QueryAsync("SELECT total FROM sales.main.orders", default);
        Assert.Equal(42, Convert.ToInt32(result.Rows.Single()[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_catalog_name_that_is_not_a_plain_identifier_is_refused()
    {
        using var warehouse = Open();

        var error = Assert.Throws<ArgumentException>(() => warehouse.EnsureCatalog("../etc"));
        Assert.Contains("lower-case letters, digits and underscores", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_schema_of_a_table_reports_logical_types()
    {
        using var warehouse = Open();
        await warehouse.ExecuteAsync("""
            CREATE SCHEMA analytics.derived;
            CREATE TABLE analytics.derived.t (id BIGINT NOT NULL, amount DECIMAL(12,2), seen DATE, "at" TIMESTAMP, name VARCHAR, ok BOOLEAN)
            """, default);

        var schema = await warehouse.GetSchemaAsync(TableRef.Parse("analytics.derived.t"), default);

        Assert.NotNull(schema);
        Assert.Equal(
            [ColumnType.Int64, ColumnType.Decimal, ColumnType.Date, ColumnType.Timestamp, ColumnType.String, ColumnType.Boolean],
            schema.Columns.Select(c => c.Type));
        Assert.False(schema.Columns[0].Nullable);
        Assert.Equal((12, 2), (schema.Columns[1].Precision!.Value, schema.Columns[1].Scale!.Value));
        Assert.Null(await warehouse.GetSchemaAsync(TableRef.Parse("analytics.derived.absent"), default));
    }

    [Fact]
    public async Task Huge_sums_come_back_as_plain_numbers()
    {
        using var warehouse = Open();

        var result = await warehouse.QueryAsync("SELECT sum(range) AS s, sum(range::DECIMAL(12,2)) AS d FROM range(1000)", default);

        Assert.Equal(499500L, result.Rows[0][0]);
        Assert.Equal(499500m, Convert.ToDecimal(result.Rows[0][1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private DuckDbWarehouse Open() => new(new WarehouseOptions { Directory = _folder, Catalogs = ["postgresql", "snowflake", "analytics"] });
}
