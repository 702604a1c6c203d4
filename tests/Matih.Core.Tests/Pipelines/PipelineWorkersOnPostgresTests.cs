using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Matih.Core.Metadata;
using Matih.Core.Pipelines;
using Matih.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Tests.Pipelines;

/// <summary>Server mode's promise: hosts sharing one PostgreSQL share the work and never run a task twice.</summary>
public sealed class PipelineWorkersOnPostgresTests
{
    [Fact]
    public async Task Two_workers_on_one_postgresql_share_a_run_and_run_each_task_exactly_once()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var metadata = new DbContextOptionsBuilder<MetadataDbContext>().UseNpgsql(postgres.ConnectionString()).Options;
        var contexts = new Contexts(metadata);
        await using (var db = contexts.CreateDbContext())
        {
            await MetadataSchema.EnsureAsync(db, default);
        }

        var probe = new ProbeTask();
        var types = new PipelineTaskTypes([probe]);
        using var platform = new ServiceCollection().BuildServiceProvider();
        var storageOptions = new PostgreSqlStorageOptions { QueuePollInterval = TimeSpan.FromMilliseconds(100), PrepareSchemaIfNecessary = true };
        var workers = new List<(PipelineRuns Runs, BackgroundJobServer Server, JobStorage Storage)>();
        foreach (var name in new[] { "host-a", "host-b" })
        {
            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(postgres.ConnectionString(), storageOptions), storageOptions);
            // Every attempt is handed out twice, as a redelivered job would be: the claim must still run it once.
            var runs = new PipelineRuns(contexts, types, platform, new TwiceDispatch(new HangfireDispatch(new BackgroundJobClient(storage))),
                new Matih.Core.Notifications.Notifications([]), new PipelineOptions { Worker = name, ExclusiveStore = false }, TimeProvider.System,
                NullLogger<PipelineRuns>.Instance);
            var server = new BackgroundJobServer(
                new BackgroundJobServerOptions { WorkerCount = 4, ServerName = name, SchedulePollingInterval = TimeSpan.FromMilliseconds(200), Activator = new Activator(runs) },
                storage);
            workers.Add((runs, server, storage));
        }

        try
        {
            var tasks = new List<string> { """{ "task_id": "root", "type": "probe", "config": { "sleep_ms": 50 } }""" };
            for (var i = 0; i < 24; i++)
            {
                tasks.Add($$"""{ "task_id": "fan_{{i}}", "type": "probe", "depends_on": ["root"], "config": { "sleep_ms": 150 } }""");
            }

            tasks.Add($$"""{ "task_id": "join", "type": "probe", "depends_on": [{{string.Join(",", Enumerable.Range(0, 24).Select(i => $"\"fan_{i}\""))}}], "config": {} }""");
            var pipelines = new Matih.Core.Pipelines.Pipelines(contexts, types, platform, new RecurringJobManager(workers[0].Storage), TimeProvider.System);
            await pipelines.CreateAsync($$"""{ "pipeline_id": "shared", "name": "Shared", "tasks": [ {{string.Join(",", tasks)}} ] }""", "tester", default);

            var runId = await workers[0].Runs.StartAsync("shared", "tester", default);
            PipelineRunView run;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((run = (await workers[1].Runs.GetAsync(runId, default))!).State is "queued" or "running")
            {
                Assert.True(DateTime.UtcNow < deadline, "The run did not finish in 60 s.");
                await Task.Delay(100);
            }

            Assert.Equal("succeeded", run.State);
            Assert.Equal(26, probe.Attempts.Count);
            Assert.Equal(26, probe.Attempts.Select(a => a.Task).Distinct().Count());
            Assert.Equal(1, probe.MaxConcurrentSameTask);
            var byWorker = run.Tasks.SelectMany(t => t.AttemptLog).GroupBy(a => a.Worker).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(["host-a", "host-b"], byWorker.Keys.Order());
        }
        finally
        {
            foreach (var (_, server, _) in workers)
            {
                server.Dispose();
            }
        }
    }

    private sealed class TwiceDispatch(IPipelineDispatch inner) : IPipelineDispatch
    {
        public void RunTask(Guid runId, string taskId, int attempt)
        {
            inner.RunTask(runId, taskId, attempt);
            inner.RunTask(runId, taskId, attempt);
        }

        public void RunTaskAt(Guid runId, string taskId, int attempt, DateTimeOffset at)
        {
            inner.RunTaskAt(runId, taskId, attempt, at);
            inner.RunTaskAt(runId, taskId, attempt, at);
        }
    }

    private sealed class Activator(PipelineRuns runs) : JobActivator
    {
        public override object ActivateJob(Type jobType) => new PipelineTaskJob(runs);
    }

    private sealed class Contexts(DbContextOptions<MetadataDbContext> options) : IDbContextFactory<MetadataDbContext>
    {
        public MetadataDbContext CreateDbContext() => new(options);
    }
}
