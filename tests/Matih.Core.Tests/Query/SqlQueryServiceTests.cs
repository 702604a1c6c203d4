using Matih.Core.Query;
using Matih.Core.Warehouse;

namespace Matih.Core.Tests.Query;

public sealed class SqlQueryServiceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-sql-").FullName;
    private readonly DuckDbWarehouse _warehouse;
    private readonly SqlQueryService _queries;

    public SqlQueryServiceTests()
    {
        _warehouse = new DuckDbWarehouse(new WarehouseOptions { Directory = _folder, Catalogs = ["analytics"] });
        _queries = new SqlQueryService(_warehouse);
    }

    public void Dispose()
    {
        _warehouse.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_query_returns_columns_rows_and_the_row_count_beyond_the_limit()
    {
        var outcome = await _queries.RunAsync("SELECT range AS n, 'x' AS s FROM range(25)", readOnly: true, maxRows: 10, default);

        var answer = Assert.IsType<SqlAnswer>(outcome.Answer);
        Assert.Equal(["n", "s"], answer.Columns.Select(c => c.Name));
        Assert.Equal(10, answer.Rows.Count);
        Assert.Equal(25, answer.RowCount);
        Assert.True(answer.Truncated);
    }

    [Fact]
    public async Task A_syntax_error_names_its_line_and_column()
    {
        var outcome = await _queries.RunAsync("SELECT 1\nFROM range(3)\nWHERE AND x", readOnly: false, maxRows: 10, default);

        var fault = Assert.IsType<SqlFault>(outcome.Fault);
        Assert.Equal("syntax", fault.Kind);
        Assert.Equal(3, fault.Line);
        Assert.Equal(7, fault.Column);
    }

    [Fact]
    public async Task An_unknown_table_is_a_binder_fault_naming_the_table()
    {
        var outcome = await _queries.RunAsync("SELECT * FROM analytics.derived.nope", readOnly: true, maxRows: 10, default);

        var fault = Assert.IsType<SqlFault>(outcome.Fault);
        Assert.Equal("binder", fault.Kind);
        Assert.Contains("nope", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_only_callers_cannot_create_tables()
    {
        var outcome = await _queries.RunAsync("CREATE TABLE analytics.main.t AS SELECT 1", readOnly: true, maxRows: 10, default);

        Assert.Equal("permission", outcome.Fault?.Kind);
        Assert.Null(await _warehouse.GetSchemaAsync(Matih.Sdk.Data.TableRef.Parse("analytics.main.t"), default));
    }

    [Fact]
    public async Task Writers_can_create_tables_with_three_part_names()
    {
        var outcome = await _queries.RunAsync("CREATE TABLE analytics.main.t AS SELECT 1 AS one", readOnly: false, maxRows: 10, default);

        Assert.Null(outcome.Fault);
        Assert.NotNull(await _warehouse.GetSchemaAsync(Matih.Sdk.Data.TableRef.Parse("analytics.main.t"), default));
    }

    [Fact]
    public async Task A_long_query_stops_when_cancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var outcome = await _queries.RunAsync("SELECT count(*) FROM range(100000000000) a", readOnly: true, maxRows: 10, cancel.Token);

        Assert.Equal("cancelled", outcome.Fault?.Kind);
    }
}
