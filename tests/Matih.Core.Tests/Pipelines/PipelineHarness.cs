using System.Collections.Concurrent;
using Hangfire;
using Hangfire.InMemory;
using Matih.Core.Pipelines;
using Matih.Sdk.Notifications;
using Matih.Sdk.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Tests.Pipelines;

/// <summary>
/// Real stores and the real engine for pipeline tests. Jobs either run on a real Hangfire server (in-memory storage)
/// or wait in <see cref="Manual"/> so a test decides when each attempt runs and sees when it was scheduled for.
/// </summary>
internal sealed class PipelineHarness : IDisposable
{
    private readonly BackgroundJobServer? _server;

    public PipelineHarness(bool realJobs, TimeProvider? clock = null)
    {
        Clock = clock ?? TimeProvider.System;
        Platform = new ServiceCollection().BuildServiceProvider();
        TaskTypes = new PipelineTaskTypes([Probe]);
        Pipelines = new Matih.Core.Pipelines.Pipelines(Stores.Contexts, TaskTypes, Platform, new RecurringJobManager(Jobs), Clock, Stores.Audit);
        IPipelineDispatch dispatch = realJobs ? new HangfireDispatch(new BackgroundJobClient(Jobs)) : Manual;
        Runs = Worker("host-1", dispatch);
        if (realJobs)
        {
            _server = new BackgroundJobServer(
                new BackgroundJobServerOptions { WorkerCount = 8, SchedulePollingInterval = TimeSpan.FromMilliseconds(200), Activator = new Activator(this) },
                Jobs);
        }
    }

    public TestStores Stores { get; } = new();

    public InMemoryStorage Jobs { get; } = new();

    public TimeProvider Clock { get; }

    public ServiceProvider Platform { get; }

    public ProbeTask Probe { get; } = new();

    public PipelineTaskTypes TaskTypes { get; }

    public ManualDispatch Manual { get; } = new();

    public RecordingNotifier Slack { get; } = new();

    public Matih.Core.Pipelines.Pipelines Pipelines { get; }

    public PipelineRuns Runs { get; }

    /// <summary>Another host on the same stores, as in server mode.</summary>
    public PipelineRuns Worker(string name, IPipelineDispatch? dispatch = null, bool exclusive = true, TimeSpan? lease = null) =>
        new(Stores.Contexts, TaskTypes, Platform, dispatch ?? Manual, new Matih.Core.Notifications.Notifications([Slack]),
            new PipelineOptions { Worker = name, ExclusiveStore = exclusive, Lease = lease ?? TimeSpan.FromSeconds(60), WorkbenchUrl = "http://matih.test" },
            Clock, NullLogger<PipelineRuns>.Instance, Stores.Audit);

    public async Task<string> SaveAsync(string json)
    {
        var definition = await Pipelines.CreateAsync(json, "tester", default);
        return definition.Id;
    }

    public async Task<PipelineRunView> WaitAsync(Guid runId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var run = (await Runs.GetAsync(runId, default))!;
            if (run.State is "succeeded" or "failed" or "cancelled")
            {
                return run;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Run still {run.State}: {string.Join(", ", run.Tasks.Select(t => $"{t.TaskId}={t.State}"))}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The run report: sent just after the run's state flips, so a test that saw the state waits for it.</summary>
    public async Task<(string Target, Notification Notification)> ReportAsync()
    {
        for (var i = 0; i < 200 && Slack.Sent.IsEmpty; i++)
        {
            await Task.Delay(25);
        }

        return Assert.Single(Slack.Sent);
    }

    public void Dispose()
    {
        _server?.Dispose();
        Jobs.Dispose();
        Platform.Dispose();
        Stores.Dispose();
    }

    private sealed class Activator(PipelineHarness harness) : JobActivator
    {
        public override object ActivateJob(Type jobType) => new PipelineTaskJob(harness.Runs);
    }
}

/// <summary>Attempts waiting for the test to run them, with the time each was scheduled for (null = at once).</summary>
internal sealed class ManualDispatch : IPipelineDispatch
{
    public ConcurrentQueue<(Guid RunId, string TaskId, int Attempt, DateTimeOffset? At)> Queue { get; } = new();

    public void RunTask(Guid runId, string taskId, int attempt) => Queue.Enqueue((runId, taskId, attempt, null));

    public void RunTaskAt(Guid runId, string taskId, int attempt, DateTimeOffset at) => Queue.Enqueue((runId, taskId, attempt, at));

    /// <summary>Runs what is queued (and what that queues) one at a time on <paramref name="runs"/>.</summary>
    public async Task<List<(Guid RunId, string TaskId, int Attempt, DateTimeOffset? At)>> DrainAsync(PipelineRuns runs, int max = 100)
    {
        var ran = new List<(Guid, string, int, DateTimeOffset?)>();
        while (ran.Count < max && Queue.TryDequeue(out var next))
        {
            ran.Add(next);
            await runs.ExecuteTaskAsync(next.RunId, next.TaskId, next.Attempt, default);
        }

        return ran;
    }
}

/// <summary>A channel (slack by default) that keeps what it was sent.</summary>
internal sealed class RecordingNotifier(string channel = "slack") : INotifier
{
    public ConcurrentQueue<(string Target, Notification Notification)> Sent { get; } = new();

    public string Channel => channel;

    public Task<DeliveryResult> SendAsync(Notification notification, string target, CancellationToken cancellationToken)
    {
        Sent.Enqueue((target, notification));
        return Task.FromResult(new DeliveryResult(true));
    }
}
