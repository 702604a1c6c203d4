using Matih.Core.Pipelines;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Matih.Core.Tests.Pipelines;

public sealed class PipelineRunsTests
{
    private static string Doc(string tasks, string extra = "") =>
        $$"""{ "pipeline_id": "p", "name": "Probe pipeline", {{extra}} "tasks": [ {{tasks}} ] }""";

    private static string Step(string id, string config = "{}", string deps = "", string extra = "") =>
        $$"""{ "task_id": "{{id}}", "type": "probe", "depends_on": [{{deps}}], "config": {{config}} {{extra}} }""";

    [Fact]
    public async Task Tasks_run_after_their_dependencies_and_independent_tasks_run_at_the_same_time()
    {
        using var h = new PipelineHarness(realJobs: true);
        var id = await h.SaveAsync(Doc(string.Join(",",
            Step("a"),
            Step("b", """{ "sleep_ms": 600 }""", "\"a\""),
            Step("c", """{ "sleep_ms": 600 }""", "\"a\""),
            Step("d", deps: "\"b\", \"c\"")), Notifications));

        var run = await h.WaitAsync(await h.Runs.StartAsync(id, "tester", default));

        Assert.Equal("succeeded", run.State);
        var at = h.Probe.Attempts.ToDictionary(x => x.Task);
        Assert.True(at["a"].End <= at["b"].Start && at["a"].End <= at["c"].Start, "b and c start after a ends");
        Assert.True(at["b"].Start < at["c"].End && at["c"].Start < at["b"].End, "b and c overlap");
        Assert.True(at["d"].Start >= at["b"].End && at["d"].Start >= at["c"].End, "d starts after b and c end");
        Assert.All(run.Tasks, t => Assert.Equal(("succeeded", 1), (t.State, t.Attempts)));
        var (target, report) = await h.ReportAsync();
        Assert.Equal("#data-pipelines", target);
        Assert.Contains("succeeded", report.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_task_skips_what_depends_on_it_while_other_branches_finish_and_the_failure_is_reported()
    {
        using var h = new PipelineHarness(realJobs: true);
        var id = await h.SaveAsync(Doc(string.Join(",",
            Step("gate", """{ "finding": true }"""),
            Step("load", deps: "\"gate\""),
            Step("after_load", deps: "\"load\""),
            Step("independent", """{ "sleep_ms": 200 }""")), Notifications));

        var run = await h.WaitAsync(await h.Runs.StartAsync(id, "tester", default));

        Assert.Equal("failed", run.State);
        Assert.Equal("Task 'gate' failed.", run.Error);
        var states = run.Tasks.ToDictionary(t => t.TaskId, t => t.State);
        Assert.Equal(["failed", "skipped", "skipped", "succeeded"], new[] { states["gate"], states["load"], states["after_load"], states["independent"] });
        Assert.Equal("Not run: upstream task 'gate' failed.", run.Tasks.Single(t => t.TaskId == "load").Summary);
        Assert.Equal(1, run.Tasks.Single(t => t.TaskId == "gate").Attempts);
        var (target, report) = await h.ReportAsync();
        Assert.Equal("#data-alerts", target);
        Assert.Contains("[FAILED] gate (probe): failed", report.Text, StringComparison.Ordinal);
        Assert.Contains("probe finding", report.Text, StringComparison.Ordinal);
        Assert.Equal($"http://matih.test/pipelines/p/runs/{run.RunId}", report.Link!.ToString());
    }

    [Fact]
    public async Task Retries_are_scheduled_exactly_as_the_policy_says()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 4, 0, 0, TimeSpan.Zero));
        using var h = new PipelineHarness(realJobs: false, clock);
        var id = await h.SaveAsync(Doc(Step("flaky", """{ "fail_times": 3 }""", extra:
            """, "retry_policy": { "max_attempts": 4, "backoff_coefficient": 2, "initial_interval": "30s", "maximum_interval": "100s" }""")));
        var runId = await h.Runs.StartAsync(id, "tester", default);

        var scheduled = new List<DateTimeOffset?>();
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var ran = Assert.Single(await h.Manual.DrainAsync(h.Runs, max: 1));
            Assert.Equal(attempt, ran.Attempt);
            scheduled.Add(ran.At);
            if (h.Manual.Queue.TryPeek(out var next) && next.At is { } due)
            {
                clock.SetUtcNow(due);
            }
        }

        var start = new DateTimeOffset(2026, 1, 5, 4, 0, 0, TimeSpan.Zero);
        Assert.Equal([null, start.AddSeconds(30), start.AddSeconds(90), start.AddSeconds(190)], scheduled);
        var run = (await h.Runs.GetAsync(runId, default))!;
        var task = Assert.Single(run.Tasks);
        Assert.Equal(("succeeded", 4), (task.State, task.Attempts));
        Assert.Equal(["failed", "failed", "failed", "succeeded"], task.AttemptLog.Select(a => a.State));
        Assert.Contains("Retry attempt 2 of 4 in 30s: probe failure 1.", task.AttemptLog[0].Log, StringComparison.Ordinal);
        Assert.Contains("Retry attempt 4 of 4 in 1m40s: probe failure 3.", task.AttemptLog[2].Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_failing_every_attempt_fails_the_run_with_the_last_reason_in_words()
    {
        using var h = new PipelineHarness(realJobs: false);
        var id = await h.SaveAsync(Doc(Step("broken", """{ "fail_times": 9 }""", extra: """, "retry_policy": { "max_attempts": 2, "initial_interval": "1s" }""")));
        var runId = await h.Runs.StartAsync(id, "tester", default);

        await h.Manual.DrainAsync(h.Runs);

        var run = (await h.Runs.GetAsync(runId, default))!;
        Assert.Equal("failed", run.State);
        Assert.Equal("Failed after 2 attempts: probe failure 2.", Assert.Single(run.Tasks).Error);
    }

    [Fact]
    public async Task After_a_host_is_killed_mid_task_the_next_start_resumes_the_run_without_rerunning_what_succeeded()
    {
        using var h = new PipelineHarness(realJobs: false);
        var id = await h.SaveAsync(Doc(string.Join(",", Step("extract"), Step("load", deps: "\"extract\""))));
        var runId = await h.Runs.StartAsync(id, "tester", default);
        await h.Manual.DrainAsync(h.Runs, max: 1);
        Assert.True(h.Manual.Queue.TryDequeue(out var load));

        // What a killed host leaves: the task claimed and its attempt open, and no job left in the in-memory queue.
        await using (var db = await h.Stores.Contexts.CreateDbContextAsync())
        {
            await db.Set<PipelineTaskRunRecord>().Where(t => t.RunId == runId && t.TaskId == "load")
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, "running").SetProperty(t => t.Attempts, 1).SetProperty(t => t.LeaseOwner, "killed-host")
                    .SetProperty(t => t.LeaseUntil, DateTimeOffset.UtcNow.AddMinutes(1)));
            db.Add(new PipelineTaskAttemptRecord { RunId = runId, TaskId = "load", Attempt = 1, State = "running", Worker = "killed-host", StartedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        var restarted = h.Worker("host-restarted");
        Assert.Equal(1, await restarted.RecoverAsync(atStart: true, default));
        await h.Manual.DrainAsync(restarted);

        var run = (await h.Runs.GetAsync(runId, default))!;
        Assert.Equal("succeeded", run.State);
        Assert.Equal(["extract", "load"], h.Probe.Attempts.Select(a => a.Task));
        var attempts = run.Tasks.Single(t => t.TaskId == "load").AttemptLog;
        Assert.Equal([("interrupted", "killed-host"), ("succeeded", "host-restarted")], attempts.Select(a => (a.State, a.Worker)));
    }

    [Fact]
    public async Task Two_hosts_given_the_same_attempt_run_it_once()
    {
        using var h = new PipelineHarness(realJobs: false);
        var id = await h.SaveAsync(Doc(Step("only", """{ "wait_for_gate": true }""")));
        var runId = await h.Runs.StartAsync(id, "tester", default);
        h.Probe.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = h.Runs.ExecuteTaskAsync(runId, "only", 1, default);
        var second = h.Worker("host-2").ExecuteTaskAsync(runId, "only", 1, default);
        await Task.Delay(300);
        h.Probe.Gate.SetResult();
        await Task.WhenAll(first, second);

        Assert.Single(h.Probe.Attempts);
        Assert.Equal(1, h.Probe.MaxConcurrentSameTask);
        Assert.Equal("succeeded", (await h.Runs.GetAsync(runId, default))!.State);
    }

    [Fact]
    public async Task Another_host_reclaims_a_task_only_after_its_lease_runs_out()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var h = new PipelineHarness(realJobs: false, clock);
        var id = await h.SaveAsync(Doc(Step("long")));
        var runId = await h.Runs.StartAsync(id, "tester", default);
        await using (var db = await h.Stores.Contexts.CreateDbContextAsync())
        {
            await db.Set<PipelineTaskRunRecord>().Where(t => t.RunId == runId)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.State, "running").SetProperty(t => t.Attempts, 1).SetProperty(t => t.LeaseOwner, "host-1")
                    .SetProperty(t => t.LeaseUntil, clock.GetUtcNow().AddSeconds(60)));
        }

        h.Manual.Queue.Clear();
        var other = h.Worker("host-2", exclusive: false);
        Assert.Equal(0, await other.RecoverAsync(atStart: false, default));
        clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, await other.RecoverAsync(atStart: false, default));
        await h.Manual.DrainAsync(other);

        Assert.Equal("succeeded", (await h.Runs.GetAsync(runId, default))!.State);
    }

    [Fact]
    public async Task Cancelling_a_run_stops_the_running_attempt_and_cancels_what_waits()
    {
        using var h = new PipelineHarness(realJobs: true);
        h.Probe.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = await h.SaveAsync(Doc(string.Join(",", Step("blocked", """{ "wait_for_gate": true }"""), Step("next", deps: "\"blocked\""))));
        var runId = await h.Runs.StartAsync(id, "tester", default);
        while ((await h.Runs.GetAsync(runId, default))!.Tasks[0].State != "running")
        {
            await Task.Delay(20);
        }

        Assert.True(await h.Runs.CancelAsync(runId, "tester", default));
        var run = await h.WaitAsync(runId);
        while ((run = (await h.Runs.GetAsync(runId, default))!).Tasks[0].State == "running")
        {
            await Task.Delay(20);
        }

        Assert.Equal(("cancelled", "Cancelled by tester."), (run.State, run.Error));
        Assert.Equal(["cancelled", "cancelled"], run.Tasks.Select(t => t.State));
        Assert.False(await h.Runs.CancelAsync(runId, "tester", default));
    }

    [Fact]
    public async Task Re_running_a_failed_run_carries_over_what_succeeded_and_runs_the_rest()
    {
        using var h = new PipelineHarness(realJobs: false);
        var id = await h.SaveAsync(Doc(string.Join(",", Step("extract"), Step("gate", """{ "finding": true }""", "\"extract\""), Step("load", deps: "\"gate\""))));
        var failedRun = await h.Runs.StartAsync(id, "tester", default);
        await h.Manual.DrainAsync(h.Runs);
        Assert.Equal("failed", (await h.Runs.GetAsync(failedRun, default))!.State);

        // The user fixes the gate; the re-run uses the pipeline as it is now.
        await h.Pipelines.ReplaceAsync(id, Doc(string.Join(",", Step("extract"), Step("gate", deps: "\"extract\""), Step("load", deps: "\"gate\""))), "tester", default);

        var rerunId = await h.Runs.RerunAsync(failedRun, fromTask: null, "tester", default);
        await h.Manual.DrainAsync(h.Runs);

        var rerun = (await h.Runs.GetAsync(rerunId, default))!;
        Assert.Equal(("succeeded", "rerun", failedRun), (rerun.State, rerun.Trigger, rerun.RerunOf));
        Assert.Equal(failedRun, rerun.Tasks.Single(t => t.TaskId == "extract").ReusedFrom);
        Assert.Equal(1, h.Probe.Attempts.Count(a => a.Task == "extract"));
        Assert.Equal(1, h.Probe.Attempts.Count(a => a.Task == "load"));

        var fromExtract = await h.Runs.RerunAsync(rerunId, fromTask: "extract", "tester", default);
        await h.Manual.DrainAsync(h.Runs);
        Assert.Equal(2, h.Probe.Attempts.Count(a => a.Task == "extract"));
        Assert.All((await h.Runs.GetAsync(fromExtract, default))!.Tasks, t => Assert.Null(t.ReusedFrom));
    }

    [Fact]
    public async Task An_attempt_longer_than_its_timeout_fails_with_the_timeout_named()
    {
        using var h = new PipelineHarness(realJobs: false);
        var id = await h.SaveAsync(Doc(Step("slow", """{ "sleep_ms": 5000 }""", extra: """, "timeout": "200ms" """)));
        var runId = await h.Runs.StartAsync(id, "tester", default);

        await h.Manual.DrainAsync(h.Runs);

        var task = Assert.Single((await h.Runs.GetAsync(runId, default))!.Tasks);
        Assert.Equal(("failed", "The attempt took longer than its timeout of 200ms."), (task.State, task.Error));
    }

    [Fact]
    public async Task A_schedule_becomes_a_recurring_job_and_a_scheduled_run_is_skipped_while_one_is_active()
    {
        using var h = new PipelineHarness(realJobs: false);
        var id = await h.SaveAsync(Doc(Step("t"), "\"schedule\": \"0 4 * * *\","));
        using (var storage = h.Jobs.GetConnection())
        {
            var recurring = Assert.Single(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(storage));
            Assert.Equal(("pipeline:p", "0 4 * * *"), (recurring.Id, recurring.Cron));
        }

        await h.Runs.StartScheduledAsync(id, default);
        await h.Runs.StartScheduledAsync(id, default);

        var (runs, total) = await h.Runs.ListAsync(id, 0, 10, default);
        Assert.Equal(1, total);
        Assert.Equal(("schedule", "tester"), (runs[0].Trigger, runs[0].TriggeredBy));
        var listed = Assert.Single(await h.Pipelines.ListAsync(default));
        Assert.Equal(("queued", new DateTimeOffset(DateTime.UtcNow.Date.AddDays(DateTime.UtcNow.Hour >= 4 ? 1 : 0).AddHours(4), TimeSpan.Zero)), (listed.LastRunState, listed.NextRunAt));
    }

    private const string Notifications = """
        "notifications": { "on_failure": { "channel": "slack", "target": "#data-alerts" }, "on_success": { "channel": "slack", "target": "#data-pipelines" } },
        """;
}
