using System.Text.Json;
using Matih.Sdk.Pipelines;
using Matih.Sdk.Plugins;

namespace Matih.Core.Pipelines.Tasks;

/// <summary>
/// <c>run_script</c>: a C# script as a pipeline step. The script engine arrives with the script console; until then
/// a pipeline using it is refused when saved, with the reason, rather than failing at 4 a.m.
/// </summary>
public sealed class RunScriptTask : IPipelineTaskType
{
    /// <inheritdoc />
    public string Type => "run_script";

    /// <inheritdoc />
    public string Description => "Run a C# script (scripts/NAME.csx) as a step. Not available yet: arrives with the script console.";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Config { get; } =
    [
        new("script", ParameterType.String, "Path of the script under scripts/, e.g. scripts/refresh.csx.") { Required = true },
        new("args", ParameterType.Array, "Arguments passed to the script."),
    ];

    /// <inheritdoc />
    public Task<IReadOnlyList<ConfigProblem>> ValidateAsync(JsonElement config, IServiceProvider platform, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ConfigProblem>>([new ConfigProblem("script", "run_script is not available yet: C# scripts in pipelines arrive with the script console. Use sql_execute for now.")]);

    /// <inheritdoc />
    public Task<TaskOutcome> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
        Task.FromResult(TaskOutcome.Failure("run_script is not available yet: C# scripts in pipelines arrive with the script console."));
}
