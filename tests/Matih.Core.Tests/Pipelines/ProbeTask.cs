using System.Collections.Concurrent;
using System.Text.Json;
using Matih.Core.Pipelines.Tasks;
using Matih.Sdk.Pipelines;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Tests.Pipelines;

/// <summary>The seed's pipeline document, read from scripts/seed/ (the one copy).</summary>
internal static class SeedPipeline
{
    public static string Json => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seed", "churn-feature-refresh.json"));
}

/// <summary>
/// A task type for tests: sleeps, fails a given number of times, or reports a finding, and records when each attempt
/// ran so tests can check order, overlap and attempt counts.
/// </summary>
internal sealed class ProbeTask : IPipelineTaskType
{
    public ConcurrentQueue<(string Task, int Attempt, DateTimeOffset Start, DateTimeOffset End)> Attempts { get; } = new();

    public ConcurrentDictionary<string, int> Running { get; } = new();

    public int MaxConcurrentSameTask { get; private set; }

    public TaskCompletionSource? Gate { get; set; }

    public string Type => "probe";

    public string Description => "Test task.";

    public IReadOnlyList<ParameterSpec> Config { get; } =
    [
        new("sleep_ms", ParameterType.Integer, "How long to work."),
        new("fail_times", ParameterType.Integer, "Attempts that throw before one succeeds."),
        new("finding", ParameterType.Boolean, "Report a failed outcome instead of throwing."),
        new("wait_for_gate", ParameterType.Boolean, "Block until the test opens the gate."),
    ];

    /// <summary>The built-in task types' configs for document checks (their services are not needed to parse).</summary>
    public static IReadOnlyDictionary<string, IPipelineTaskType> SeedTypes() => new IPipelineTaskType[]
    {
        new SqlExecuteTask(null!, null!, null!, null!),
        new DataQualityCheckTask(null!),
        new FeatureStoreSyncTask(null!),
        new ProbeTask(),
    }.ToDictionary(t => t.Type);

    public Task<IReadOnlyList<ConfigProblem>> ValidateAsync(JsonElement config, IServiceProvider platform, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ConfigProblem>>([]);

    public async Task<TaskOutcome> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var start = DateTimeOffset.UtcNow;
        var concurrent = Running.AddOrUpdate(context.TaskId, 1, (_, n) => n + 1);
        MaxConcurrentSameTask = Math.Max(MaxConcurrentSameTask, concurrent);
        try
        {
            context.Log.LogInformation("probe {Task} attempt {Attempt}", context.TaskId, context.Attempt);
            if (Int(context.Config, "sleep_ms") is var sleep and > 0)
            {
                await Task.Delay(sleep, cancellationToken);
            }

            if (context.Config.TryGetProperty("wait_for_gate", out var g) && g.GetBoolean() && Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            if (context.Attempt <= Int(context.Config, "fail_times"))
            {
                throw new InvalidOperationException($"probe failure {context.Attempt}");
            }

            return context.Config.TryGetProperty("finding", out var f) && f.GetBoolean()
                ? TaskOutcome.Failure("probe finding")
                : TaskOutcome.Success($"probe {context.TaskId} done");
        }
        finally
        {
            Running.AddOrUpdate(context.TaskId, 0, (_, n) => n - 1);
            Attempts.Enqueue((context.TaskId, context.Attempt, start, DateTimeOffset.UtcNow));
        }
    }

    private static int Int(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) ? value.GetInt32() : 0;
}
