using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using Hangfire.InMemory;
using Matih.Core.Pipelines;
using Matih.Sdk.Pipelines;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// Scheduling overhead of a pipeline run: a DAG of no-op tasks end to end (queued to succeeded) on the embedded
/// stores (SQLite metadata, in-memory Hangfire), side by side with bare Hangfire running the same number of no-op
/// jobs layer by layer (what a user scripting Hangfire directly would get, without recorded attempts or recovery).
/// </summary>
public sealed class PipelineOverheadBenchmark : IBenchmarkCommand
{
    /// <inheritdoc />
    public string Name => "pipeline-overhead";

    /// <inheritdoc />
    public string Description => "A 50-task no-op DAG end to end vs bare Hangfire jobs layer by layer.";

    /// <inheritdoc />
    public string Usage => "[--tasks 50] [--width 10] [--runs 10]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var count = (int)options.Integer("tasks", 50);
        var width = (int)options.Integer("width", 10);
        var runs = (int)options.Integer("runs", 10);
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. {Usage}");
        }

        using var stores = new BenchStores();
        using var jobs = new InMemoryStorage();
        using var platform = new ServiceCollection().BuildServiceProvider();
        var types = new PipelineTaskTypes([new NoOpTask()]);
        var engine = new PipelineRuns(stores.Contexts, types, platform, new HangfireDispatch(new BackgroundJobClient(jobs)),
            new Matih.Core.Notifications.Notifications([]), new PipelineOptions(), TimeProvider.System, NullLogger<PipelineRuns>.Instance);
        var pipelines = new Pipelines(stores.Contexts, types, platform, new RecurringJobManager(jobs), TimeProvider.System);
        var workers = Math.Max(8, Environment.ProcessorCount * 4);
        using var server = new BackgroundJobServer(
            new BackgroundJobServerOptions { WorkerCount = workers, SchedulePollingInterval = TimeSpan.FromSeconds(1), Activator = new Activator(engine) }, jobs);

        // Layers of `width` tasks; each task depends on two tasks of the layer before.
        var tasks = Enumerable.Range(0, count).Select(i =>
        {
            var layer = i / width;
            var deps = layer == 0 ? "" : $"\"t{(layer - 1) * width + i % width}\", \"t{(layer - 1) * width + (i + 1) % width}\"";
            return $$"""{ "task_id": "t{{i}}", "type": "noop", "depends_on": [{{deps}}] }""";
        });
        await pipelines.CreateAsync($$"""{ "pipeline_id": "overhead", "name": "Overhead", "tasks": [{{string.Join(",", tasks)}}] }""", "bench", cancellationToken);
        var layers = (count + width - 1) / width;
        Console.WriteLine($"{count} no-op tasks in {layers} layers, {workers} Hangfire workers, {runs} runs each (first run of each is a warm-up)");

        var matih = new List<double>();
        for (var r = 0; r <= runs; r++)
        {
            var clock = Stopwatch.StartNew();
            var runId = await engine.StartAsync("overhead", "bench", cancellationToken);
            PipelineRunView view;
            while ((view = (await engine.GetAsync(runId, cancellationToken))!).State is "queued" or "running")
            {
                await Task.Delay(5, cancellationToken);
            }

            if (view.State != "succeeded")
            {
                throw new InvalidOperationException($"The run {view.State}: {view.Error}");
            }

            if (r > 0)
            {
                matih.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        var client = new BackgroundJobClient(jobs);
        var bare = new List<double>();
        for (var r = 0; r <= runs; r++)
        {
            var clock = Stopwatch.StartNew();
            for (var layer = 0; layer < layers; layer++)
            {
                var n = Math.Min(width, count - layer * width);
                using var done = new CountdownEvent(n);
                BareJob.Done = done;
                for (var i = 0; i < n; i++)
                {
                    client.Enqueue<BareJob>(j => j.Run());
                }

                done.Wait(cancellationToken);
            }

            if (r > 0)
            {
                bare.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        var m = BenchStores.Median(matih);
        var b = BenchStores.Median(bare);
        Console.WriteLine($"Matih pipeline run : median {m,8:F0} ms  (min {matih.Min():F0}, max {matih.Max():F0})  {m / count:F1} ms per task");
        Console.WriteLine($"Bare Hangfire jobs : median {b,8:F0} ms  (min {bare.Min():F0}, max {bare.Max():F0})");
        Console.WriteLine($"Ratio Matih / bare : {m / b:F2}x   target: < 2000 ms end to end");
        return m < 2000 ? 0 : 2;
    }

    private sealed class Activator(PipelineRuns runs) : JobActivator
    {
        public override object ActivateJob(Type jobType) => jobType == typeof(BareJob) ? new BareJob() : new PipelineTaskJob(runs);
    }

    /// <summary>The bare-Hangfire side: a job that only signals.</summary>
    public sealed class BareJob
    {
        internal static CountdownEvent? Done { get; set; }

        /// <summary>Signals the layer's countdown.</summary>
        public void Run() => Done?.Signal();
    }

    private sealed class NoOpTask : IPipelineTaskType
    {
        public string Type => "noop";

        public string Description => "Does nothing.";

        public IReadOnlyList<ParameterSpec> Config { get; } = [];

        public Task<IReadOnlyList<ConfigProblem>> ValidateAsync(JsonElement config, IServiceProvider platform, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ConfigProblem>>([]);

        public Task<TaskOutcome> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            Task.FromResult(TaskOutcome.Success("done"));
    }
}
