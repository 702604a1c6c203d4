using Matih.Core.Quality;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>
/// The Quality page: the stored suites with their latest run, a Validate button per suite and a form to create or replace
/// a suite from its JSON. It calls the services <c>/api/quality</c> calls (<see cref="QualitySuites"/>, <see cref="QualityValidations"/>).
/// </summary>
public partial class Quality
{
    private const string Example = """
        {
          "suite_name": "churn_features_validation",
          "dataset": "analytics.derived.churn_features",
          "expectations": [
            { "type": "expect_table_row_count_to_be_between", "kwargs": { "min_value": 1800000, "max_value": 2200000 } },
            { "type": "expect_column_values_to_be_unique", "kwargs": { "column": "customer_id" } },
            { "type": "expect_column_values_to_not_be_null", "kwargs": { "column": "customer_id" } },
            { "type": "expect_column_values_to_be_between", "kwargs": { "column": "days_since_last_order", "min_value": 0, "max_value": 3650 } },
            { "type": "expect_column_values_to_be_between", "kwargs": { "column": "avg_order_value", "min_value": 0, "max_value": 50000 } },
            { "type": "expect_column_proportion_of_unique_values_to_be_between", "kwargs": { "column": "customer_id", "min_value": 0.99, "max_value": 1.0 } },
            { "type": "expect_column_values_to_be_in_set", "kwargs": { "column": "segment", "value_set": ["Gold", "Silver", "Bronze", "New", "Inactive"] } }
          ]
        }
        """;

    [Inject]
    private QualitySuites Suites { get; set; } = default!;

    [Inject]
    private QualityValidations Validations { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private IReadOnlyList<SuiteRow>? Rows { get; set; }

    private string? Running { get; set; }

    private bool Saving { get; set; }

    private string Document { get; set; } = "";

    private IReadOnlyList<SuiteProblem> Problems { get; set; } = [];

    private string? Message { get; set; }

    private Severity MessageSeverity { get; set; } = Severity.Info;

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() => await LoadAsync();

    private async Task LoadAsync()
    {
        var latest = await Validations.LatestBySuiteAsync(CancellationToken.None);
        Rows = (await Suites.ListAsync(CancellationToken.None)).Select(s => new SuiteRow(s, latest.GetValueOrDefault(s.Name))).ToArray();
    }

    private async Task ValidateAsync(string suite)
    {
        Running = suite;
        try
        {
            var user = Auth.Roles.Caller((await AuthenticationState).User).UserName;
            var run = await Validations.ValidateAsync(suite, null, user, CancellationToken.None);
            Navigation.NavigateTo($"/quality/results/{run.Id}");
        }
        catch (Exception ex) when (ex is KeyNotFoundException or ArgumentException)
        {
            (Message, MessageSeverity) = (ex.Message, Severity.Error);
        }
        finally
        {
            Running = null;
        }
    }

    private async Task SaveAsync()
    {
        Saving = true;
        try
        {
            var user = Auth.Roles.Caller((await AuthenticationState).User).UserName;
            var saved = await Suites.SaveAsync(Document, user, CancellationToken.None);
            Problems = saved.Problems;
            if (saved.Suite is { } suite)
            {
                (Message, MessageSeverity) = ($"Suite {suite.Name} {(saved.Created ? "created" : "replaced")} with {suite.Expectations.Count} expectations.", Severity.Success);
                await LoadAsync();
            }
        }
        finally
        {
            Saving = false;
        }
    }

    private Task ExampleAsync()
    {
        Document = Example;
        return Task.CompletedTask;
    }

    private sealed record SuiteRow(StoredSuite Suite, ValidationRun? LastRun);
}
