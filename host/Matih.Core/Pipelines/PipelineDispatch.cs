using Hangfire;

namespace Matih.Core.Pipelines;

/// <summary>Hands task attempts to workers: at once, or at a time (a retry's backoff).</summary>
public interface IPipelineDispatch
{
    /// <summary>Runs attempt <paramref name="attempt"/> of a task as soon as a worker is free.</summary>
    void RunTask(Guid runId, string taskId, int attempt);

    /// <summary>Runs attempt <paramref name="attempt"/> of a task at <paramref name="at"/>.</summary>
    void RunTaskAt(Guid runId, string taskId, int attempt, DateTimeOffset at);
}

/// <summary>Task attempts as Hangfire jobs: every host's workers take them (server mode shares them through PostgreSQL).</summary>
public sealed class HangfireDispatch(IBackgroundJobClient jobs) : IPipelineDispatch
{
    /// <inheritdoc />
    public void RunTask(Guid runId, string taskId, int attempt) =>
        jobs.Enqueue<PipelineTaskJob>(job => job.RunAsync(runId, taskId, attempt, CancellationToken.None));

    /// <inheritdoc />
    public void RunTaskAt(Guid runId, string taskId, int attempt, DateTimeOffset at) =>
        jobs.Schedule<PipelineTaskJob>(job => job.RunAsync(runId, taskId, attempt, CancellationToken.None), at);
}

/// <summary>One task attempt (thin; the engine does the work). Hangfire does not retry it: the task's policy does.</summary>
public sealed class PipelineTaskJob(PipelineRuns runs)
{
    /// <summary>Runs the attempt.</summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(Guid runId, string taskId, int attempt, CancellationToken cancellationToken) =>
        runs.ExecuteTaskAsync(runId, taskId, attempt, cancellationToken);
}

/// <summary>Reclaims tasks whose host stopped renewing its lease (server mode: another host died mid-task).</summary>
public sealed class PipelineRecoveryJob(PipelineRuns runs)
{
    /// <summary>Runs one recovery pass.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task RunAsync(CancellationToken cancellationToken) => runs.RecoverAsync(atStart: false, cancellationToken);
}
