using System.Text.Json;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace Matih.Sdk.Pipelines;

/// <summary>
/// One kind of task in a pipeline DAG (<c>sql_execute</c>, <c>data_quality_check</c>). The host validates the
/// task's <c>config</c> against <see cref="Config"/>, schedules attempts and applies the retry policy; the task type
/// only does one attempt's work.
/// </summary>
public interface IPipelineTaskType
{
    /// <summary>The <c>type</c> written in pipeline documents.</summary>
    string Type { get; }

    /// <summary>One sentence for the designer's palette.</summary>
    string Description { get; }

    /// <summary>The task's config entries; the designer builds its form from them.</summary>
    IReadOnlyList<ParameterSpec> Config { get; }

    /// <summary>
    /// Checks a config beyond what <see cref="Config"/> says (a saved query exists, a suite exists). Return one
    /// problem per wrong entry, naming it; an empty list means valid.
    /// </summary>
    Task<IReadOnlyList<ConfigProblem>> ValidateAsync(JsonElement config, IServiceProvider platform, CancellationToken cancellationToken);

    /// <summary>Runs one attempt. Throw to fail the attempt (it is retried per the policy); return a result otherwise.</summary>
    Task<TaskOutcome> ExecuteAsync(TaskContext context, CancellationToken cancellationToken);
}

/// <summary>A problem with one config entry.</summary>
/// <param name="Path">JSON path under the task's config, e.g. <c>query_ref</c>.</param>
/// <param name="Message">What is wrong.</param>
public sealed record ConfigProblem(string Path, string Message);

/// <summary>What one attempt of a task sees.</summary>
/// <param name="PipelineId">The pipeline's id.</param>
/// <param name="RunId">The run's id.</param>
/// <param name="TaskId">The task's id in the DAG.</param>
/// <param name="Attempt">1 for the first attempt.</param>
/// <param name="Config">The task's config object.</param>
/// <param name="Platform">Host services the SDK defines (e.g. <see cref="Platform.IWarehouse"/>).</param>
/// <param name="Log">The attempt's log, shown in run history.</param>
public sealed record TaskContext(string PipelineId, string RunId, string TaskId, int Attempt, JsonElement Config, IServiceProvider Platform, ILogger Log);

/// <summary>How an attempt ended when it did not throw.</summary>
/// <param name="Succeeded">False fails the task without retrying (a finding, e.g. a quality gate that did not pass).</param>
/// <param name="Summary">One line for the run page.</param>
public sealed record TaskOutcome(bool Succeeded, string Summary)
{
    /// <summary>Figures worth keeping (rows written, expectations met).</summary>
    public IReadOnlyDictionary<string, object?> Outputs { get; init; } = new Dictionary<string, object?>();

    /// <summary>A successful attempt.</summary>
    public static TaskOutcome Success(string summary) => new(true, summary);

    /// <summary>A failed attempt that should not be retried.</summary>
    public static TaskOutcome Failure(string summary) => new(false, summary);
}
