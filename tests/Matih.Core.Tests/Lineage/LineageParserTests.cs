using Matih.Core.Lineage;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;

namespace Matih.Core.Tests.Lineage;

public sealed class LineageParserTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-lineage-").FullName;
    private readonly DuckDbWarehouse _warehouse;
    private readonly LineageParser _parser;

    public LineageParserTests()
    {
        _warehouse = new DuckDbWarehouse(new WarehouseOptions { Directory = _folder, Catalogs = ["postgresql", "snowflake", "analytics"] });
        _parser = new LineageParser(_warehouse);
    }

    public void Dispose()
    {
        _warehouse.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_seed_churn_sql_reads_four_tables_through_its_ctes_and_writes_churn_features()
    {
        var lineage = await _parser.ParseAsync(SeedChurnSql, default);

        Assert.Equal(StatementKind.CreateTableAs, lineage.Kind);
        Assert.Equal([T("analytics.derived.churn_features")], lineage.Writes);
        Assert.Equal(
            ["postgresql.novamart.customers", "postgresql.novamart.orders", "postgresql.novamart.returns", "snowflake.analytics.clickstream"],
            lineage.Reads.Select(r => r.ToString()).Order());
        Assert.Equal([new ColumnRef(T("postgresql.novamart.customers"), "channel")], lineage.Columns["signup_channel"]);
        Assert.Equal([new ColumnRef(T("postgresql.novamart.orders"), "order_date")], lineage.Columns["days_since_last_order"]);
        Assert.Equal([new ColumnRef(T("snowflake.analytics.clickstream"), "event_type")], lineage.Columns["cart_adds_90d"]);
        Assert.Contains(new ColumnRef(T("postgresql.novamart.returns"), "return_id"), lineage.Columns["return_rate"]);
        Assert.Contains(new ColumnRef(T("postgresql.novamart.orders"), "order_id"), lineage.Columns["return_rate"]);
        Assert.Equal([new ColumnRef(T("postgresql.novamart.orders"), "order_date")], lineage.Columns["is_churned"]);
        Assert.Equal(20, lineage.Columns.Count);
    }

    [Theory]
    [InlineData("INSERT INTO analytics.derived.t SELECT a FROM postgresql.novamart.orders", StatementKind.Insert, "analytics.derived.t", "postgresql.novamart.orders")]
    [InlineData("insert into analytics.derived.t (a, b) select a, b from (select * from postgresql.novamart.orders) s", StatementKind.Insert, "analytics.derived.t", "postgresql.novamart.orders")]
    [InlineData("CREATE OR REPLACE VIEW analytics.derived.v AS SELECT * FROM postgresql.novamart.customers WHERE customer_id IN (SELECT customer_id FROM postgresql.novamart.returns)", StatementKind.CreateView, "analytics.derived.v", "postgresql.novamart.customers,postgresql.novamart.returns")]
    [InlineData("-- comment\nSELECT * FROM snowflake.analytics.clickstream c JOIN postgresql.novamart.customers USING (customer_id)", StatementKind.Query, "", "postgresql.novamart.customers,snowflake.analytics.clickstream")]
    [InlineData("DELETE FROM analytics.derived.t WHERE a = 1", StatementKind.Modify, "analytics.derived.t", "")]
    [InlineData("DROP TABLE IF EXISTS postgresql.novamart.orders", StatementKind.Ddl, "postgresql.novamart.orders", "")]
    [InlineData("CREATE TABLE analytics.main.empty (id INT)", StatementKind.CreateTable, "analytics.main.empty", "")]
    [InlineData("INSERT INTO t VALUES (1)", StatementKind.Insert, "analytics.main.t", "")]
    [InlineData("ATTACH 'x.duckdb' AS x", StatementKind.Other, "", "")]
    public async Task Statements_are_classified_with_what_they_read_and_write(string sql, StatementKind kind, string writes, string reads)
    {
        var lineage = await _parser.ParseAsync(sql, default);

        Assert.Equal(kind, lineage.Kind);
        Assert.Equal(writes, string.Join(",", lineage.Writes.Select(w => w.ToString())));
        Assert.Equal(reads, string.Join(",", lineage.Reads.Select(r => r.ToString()).Order()));
    }

    [Fact]
    public async Task Two_part_names_resolve_to_an_attached_catalog_or_to_a_schema_of_the_default_catalog()
    {
        var lineage = await _parser.ParseAsync("SELECT * FROM postgresql.orders, derived.features", default);

        Assert.Equal(["analytics.derived.features", "postgresql.main.orders"], lineage.Reads.Select(r => r.ToString()).Order());
    }

    [Fact]
    public async Task File_reading_table_functions_are_reported()
    {
        var lineage = await _parser.ParseAsync("SELECT * FROM read_csv('/etc/passwd') JOIN range(3) ON true", default);

        Assert.Equal(["read_csv", "range"], lineage.TableFunctions);
    }

    [Fact]
    public void Scripts_split_on_semicolons_outside_quotes_and_comments()
    {
        var statements = SqlStatements.Split("SELECT ';' AS a; -- one; two\nSELECT 2 /* ; */;\n\n");

        Assert.Equal(["SELECT ';' AS a", " -- one; two\nSELECT 2 /* ; */"], statements.Select(s => s.Text));
        Assert.Equal(16, statements[1].Offset);
    }

    private static TableRef T(string name) => TableRef.Parse(name);

    /// <summary>The seed's churn feature SQL exactly as the walkthrough prints it (scripts/sql/churn_features.sql).</summary>
    internal static readonly string SeedChurnSql = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "sql", "churn_features.sql"));
}
