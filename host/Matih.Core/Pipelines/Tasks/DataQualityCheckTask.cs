using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Core.Quality;
using Matih.Sdk.Pipelines;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Pipelines.Tasks;

/// <summary>
/// <c>data_quality_check</c>: validates a table with an expectation suite, as a gate. Unmet expectations are a
/// finding, not an error: the task fails without retrying when the suite's failures are ones the config says fail the
/// pipeline (errors by default, warnings only when asked). The suite may be created after the pipeline is.
/// </summary>
public sealed class DataQualityCheckTask(QualityValidations validations) : IPipelineTaskType
{
    /// <inheritdoc />
    public string Type => "data_quality_check";

    /// <inheritdoc />
    public string Description => "Validate a table with an expectation suite and stop the pipeline when it does not pass.";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Config { get; } =
    [
        new("suite", ParameterType.String, "The expectation suite's name, e.g. churn_features_validation.") { Required = true },
        new("dataset", ParameterType.String, "catalog.schema.table to validate; the suite's own dataset when left out."),
        new("fail_pipeline_on_warning", ParameterType.Boolean, "Fail when an expectation of severity warning is not met.") { Default = JsonValue.Create(false) },
        new("fail_pipeline_on_error", ParameterType.Boolean, "Fail when an expectation of severity error is not met.") { Default = JsonValue.Create(true) },
    ];

    /// <inheritdoc />
    public Task<IReadOnlyList<ConfigProblem>> ValidateAsync(JsonElement config, IServiceProvider platform, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ConfigProblem>>(
            config.Text("dataset") is { } dataset && !Sdk.Data.TableRef.TryParse(dataset, out _)
                ? [new ConfigProblem("dataset", $"'{dataset}' is not a table name; write catalog.schema.table.")]
                : []);

    /// <inheritdoc />
    public async Task<TaskOutcome> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var suite = context.Config.Text("suite")!;
        ValidationRun run;
        try
        {
            run = await validations.ValidateAsync(suite, context.Config.Text("dataset"), $"pipeline:{context.PipelineId}", cancellationToken).ConfigureAwait(false);
        }
        catch (KeyNotFoundException e)
        {
            return TaskOutcome.Failure(e.Message);
        }

        context.Log.LogInformation("{Report}", run.Text);
        var failOnError = context.Config.Flag("fail_pipeline_on_error", true);
        var failOnWarning = context.Config.Flag("fail_pipeline_on_warning", false);
        var gateFails = (failOnError && run.FailedErrors > 0) || (failOnWarning && run.FailedWarnings > 0);
        var summary = $"Suite {suite}: {run.Successful}/{run.Evaluated} expectations met"
            + (run.FailedErrors + run.FailedWarnings > 0 ? $" ({run.FailedErrors} error{(run.FailedErrors == 1 ? "" : "s")}, {run.FailedWarnings} warning{(run.FailedWarnings == 1 ? "" : "s")} failed)" : "")
            + (gateFails ? "; the gate stops the pipeline." : ".");
        return new TaskOutcome(!gateFails, summary)
        {
            Outputs = new Dictionary<string, object?>
            {
                ["validation_id"] = run.Id,
                ["evaluated"] = run.Evaluated,
                ["successful"] = run.Successful,
                ["failed_errors"] = run.FailedErrors,
                ["failed_warnings"] = run.FailedWarnings,
            },
        };
    }
}
