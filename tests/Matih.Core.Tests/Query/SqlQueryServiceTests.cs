using Matih.Core.Query;
using Matih.Core.Users;
using Matih.Sdk.Data;

namespace Matih.Core.Tests.Query;

public sealed class SqlQueryServiceTests : IDisposable
{
    private static readonly SqlCaller s_viewer = new("vera", Role.Viewer);
    private static readonly SqlCaller s_analyst = new("priya", Role.Analyst);
    private static readonly SqlCaller s_admin = new("admin", Role.Admin);

    private readonly TestStores _stores = new();

    private SqlQueryService Queries => _stores.Queries;

    public void Dispose() => _stores.Dispose();

    [Fact]
    public async Task A_query_returns_columns_rows_and_the_row_count_beyond_the_limit()
    {
        var outcome = await Queries.RunAsync("SELECT range AS n, 'x' AS s FROM range(25)", s_viewer, maxRows: 10, default);

        var answer = Assert.IsType<SqlAnswer>(outcome.Answer);
        Assert.Equal(["n", "s"], answer.Columns.Select(c => c.Name));
        Assert.Equal(["BIGINT", "VARCHAR"], answer.Columns.Select(c => c.SourceType));
        Assert.Equal(10, answer.Rows.Count);
        Assert.Equal(25, answer.RowCount);
        Assert.True(answer.Truncated);
    }

    [Fact]
    public async Task A_syntax_error_names_its_line_and_column_in_the_whole_script()
    {
        var outcome = await Queries.RunAsync("SELECT 1;\nSELECT 1\nFROM range(3)\nWHERE AND x", s_admin, maxRows: 10, default);

        var fault = Assert.IsType<SqlFault>(outcome.Fault);
        Assert.Equal("syntax", fault.Kind);
        Assert.Equal(4, fault.Line);
        Assert.Equal(7, fault.Column);
        Assert.StartsWith("Statement 2: Parser Error", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_table_is_a_binder_fault_naming_the_table()
    {
        var outcome = await Queries.RunAsync("SELECT * FROM analytics.derived.nope", s_viewer, maxRows: 10, default);

        var fault = Assert.IsType<SqlFault>(outcome.Fault);
        Assert.Equal("binder", fault.Kind);
        Assert.Contains("nope", fault.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("viewer", "CREATE TABLE analytics.main.t AS SELECT 1", "Your role may only read")]
    [InlineData("viewer", "SELECT * FROM read_csv('/etc/passwd')", "read_csv() reads files on the Matih host")]
    [InlineData("analyst", "SELECT * FROM '/etc/passwd'", "'/etc/passwd' is a file on the Matih host")]
    [InlineData("viewer", "SELECT * FROM (SELECT * FROM 'secrets.csv') s", "'secrets.csv' is a file on the Matih host")]
    [InlineData("analyst", "CREATE TABLE novamart.main.t AS SELECT 1", "Analysts create and change tables in the analytics catalog only; novamart.main.t is in novamart.")]
    [InlineData("analyst", "ATTACH '/tmp/x.duckdb' AS x", "Session and file statements")]
    [InlineData("admin", "DROP TABLE postgresql.novamart.orders", "postgresql.novamart.orders is in catalog postgresql, which the NovaMart demo source fills; write your results to analytics instead")]
    public async Task Statements_beyond_the_callers_role_are_refused_with_the_reason(string role, string sql, string reason)
    {
        var caller = role switch { "viewer" => s_viewer, "analyst" => s_analyst, _ => s_admin };

        var outcome = await Queries.RunAsync(sql, caller, maxRows: 10, default);

        Assert.Equal("permission", outcome.Fault?.Kind);
        Assert.Contains(reason, outcome.Fault!.Message, StringComparison.Ordinal);
        Assert.Null(await _stores.Warehouse.GetSchemaAsync(TableRef.Parse("analytics.main.t"), default));
    }

    [Fact]
    public async Task An_analyst_creates_a_table_and_its_lineage_and_catalog_entry_are_recorded()
    {
        await _stores.Warehouse.ExecuteAsync("CREATE SCHEMA postgresql.novamart; CREATE TABLE postgresql.novamart.orders AS SELECT range AS order_id, range % 7 AS customer_id FROM range(100)", default);

        var outcome = await Queries.RunAsync(
            "CREATE TABLE analytics.derived.per_customer AS SELECT customer_id, count(*) AS orders FROM postgresql.novamart.orders GROUP BY 1",
            s_analyst, maxRows: 10, default);

        Assert.Null(outcome.Fault);
        Assert.Equal(["analytics.derived.per_customer"], outcome.Answer!.Written.Select(t => t.ToString()));
        Assert.Equal(7, outcome.Answer.RowCount);
        var graph = await _stores.Lineage.GetAsync("analytics.derived.per_customer", 3, default);
        var edge = Assert.Single(graph.Edges);
        Assert.Equal("postgresql.novamart.orders", edge.From);
        Assert.Equal(["order_id"], edge.Columns.GetValueOrDefault("orders") ?? ["order_id"]);
        Assert.Equal(["customer_id"], edge.Columns["customer_id"]);
        var dataset = await _stores.Datasets.FindAsync(TableRef.Parse("analytics.derived.per_customer"), default);
        Assert.Equal(7, dataset!.RowCount);
        Assert.Equal("sql", dataset.Origin);
    }

    [Fact]
    public async Task Unqualified_tables_land_in_the_persisted_analytics_catalog()
    {
        var outcome = await Queries.RunAsync("CREATE TABLE scratch AS SELECT 1 AS one", s_analyst, maxRows: 10, default);

        Assert.Null(outcome.Fault);
        Assert.NotNull(await _stores.Warehouse.GetSchemaAsync(TableRef.Parse("analytics.main.scratch"), default));
    }

    [Fact]
    public async Task Every_statement_is_kept_in_the_callers_history()
    {
        await Queries.RunAsync("SELECT 1", s_viewer, 10, default);
        await Queries.RunAsync("SELECT nope", s_viewer, 10, default);
        await Queries.RunAsync("SELECT 2", s_analyst, 10, default);

        var history = await Queries.HistoryAsync("vera", 10, default);

        Assert.Equal(["SELECT nope", "SELECT 1"], history.Select(h => h.Sql));
        Assert.NotNull(history[0].Error);
    }

    [Fact]
    public async Task A_long_query_stops_when_cancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        var outcome = await Queries.RunAsync("SELECT count(*) FROM range(100000000000) a", s_viewer, maxRows: 10, cancel.Token);

        Assert.Equal("cancelled", outcome.Fault?.Kind);
    }
}
