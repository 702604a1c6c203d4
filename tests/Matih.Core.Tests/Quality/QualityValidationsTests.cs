using Matih.Core.Catalog;
using Matih.Core.Quality;
using Matih.Core.Warehouse;
using Matih.Sdk.Catalog;
using Matih.Sdk.Data;

namespace Matih.Core.Tests.Quality;

public sealed class QualityValidationsTests : IDisposable
{
    private readonly TestStores _stores = new();
    private readonly QualitySuites _suites;
    private readonly CatalogService _catalog;
    private readonly QualityValidations _validations;

    public QualityValidationsTests()
    {
        using (var connection = _stores.Warehouse.OpenConnection())
        {
            connection.Execute("CREATE TABLE analytics.main.orders (id INTEGER); INSERT INTO analytics.main.orders VALUES (1), (NULL), (3), (4);");
        }

        _suites = new QualitySuites(_stores.Contexts, _stores.Warehouse, TestRules.All, _stores.Clock);
        _catalog = new CatalogService(_stores.Warehouse, _stores.Contexts, _stores.Datasets, Array.Empty<ICatalogProvider>(), _stores.Clock);
        _validations = new QualityValidations(_suites, new SuiteValidator(_stores.Warehouse, TestRules.All, _stores.Clock), _stores.Contexts, _catalog);
    }

    [Fact]
    public async Task The_latest_validation_sets_the_tables_quality_score_in_the_catalog()
    {
        var table = TableRef.Parse("analytics.main.orders");
        await SaveAsync("orders_checks", """{ "column": "id" }""");
        Assert.Null((await _catalog.GetAsync(table, default))!.QualityScore);

        await _validations.ValidateAsync("orders_checks", null, "priya", default);
        var half = (await _catalog.GetAsync(table, default))!.QualityScore;
        await SaveAsync("orders_checks", """{ "column": "id", "mostly": 0.75 }""");
        await _validations.ValidateAsync("orders_checks", null, "priya", default);
        var full = (await _catalog.GetAsync(table, default))!.QualityScore;

        Assert.Equal(0.5, half);
        Assert.Equal(1.0, full);
    }

    [Fact]
    public async Task A_run_counts_failed_errors_and_warnings_apart()
    {
        await SaveAsync("orders_checks", """{ "column": "id" }""", severity: "warning");

        var run = await _validations.ValidateAsync("orders_checks", "analytics.main.orders", "pipeline:p", default);

        Assert.Equal((2, 1, 0, 1), (run.Evaluated, run.Successful, run.FailedErrors, run.FailedWarnings));
        Assert.Equal("pipeline:p", run.TriggeredBy);
        Assert.Equal(1, run.Queries);
    }

    [Fact]
    public async Task A_suite_without_dataset_needs_one_named()
    {
        (await _suites.SaveAsync("""{ "suite_name": "loose", "expectations": [] }""", "priya", default)).Problems.ToList().ForEach(p => Assert.Fail(p.Message));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _validations.ValidateAsync("loose", null, "priya", default));
        var run = await _validations.ValidateAsync("loose", "analytics.main.orders", "priya", default);

        Assert.Contains("has no dataset", error.Message, StringComparison.Ordinal);
        Assert.True(run.Success);
        Assert.Equal(0, run.Evaluated);
    }

    private async Task SaveAsync(string name, string notNullKwargs, string severity = "error")
    {
        var saved = await _suites.SaveAsync($$"""
            {
              "suite_name": "{{name}}",
              "dataset": "analytics.main.orders",
              "expectations": [
                { "type": "expect_table_row_count_to_be_at_least", "kwargs": { "min_value": 1 } },
                { "type": "expect_column_values_to_not_be_null", "kwargs": {{notNullKwargs}}, "severity": "{{severity}}" }
              ]
            }
            """, "priya", default);
        Assert.Empty(saved.Problems);
    }

    public void Dispose() => _stores.Dispose();
}
