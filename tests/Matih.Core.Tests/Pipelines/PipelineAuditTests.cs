using Matih.Core.Audit;

namespace Matih.Core.Tests.Pipelines;

public sealed class PipelineAuditTests
{
    private static string Doc(string schedule = "") =>
        $$"""{ "pipeline_id": "audited", "name": "Audited pipeline", {{schedule}} "tasks": [ { "task_id": "a", "type": "probe", "depends_on": [], "config": { "finding": true } } ] }""";

    [Fact]
    public async Task Each_change_and_run_made_through_the_engine_is_audited_once_by_the_ambient_user()
    {
        using var h = new PipelineHarness(realJobs: false);
        using (AuditActor.Use("priya"))
        {
            await h.Pipelines.CreateAsync(Doc(), "priya", default);
            await h.Pipelines.ReplaceAsync("audited", Doc("\"schedule\": \"0 4 * * *\","), "priya", default);
            var first = await h.Runs.StartAsync("audited", "priya", default);
            await h.Manual.DrainAsync(h.Runs);
            await h.Runs.RerunAsync(first, null, "priya", default);
            var second = await h.Runs.StartAsync("audited", "priya", default);
            await h.Runs.CancelAsync(second, "priya", default);
            await h.Pipelines.DeleteAsync("audited", default);
        }

        var entries = await h.Stores.AuditAsync("pipeline.*");

        Assert.Equal(
            ["pipeline.created", "pipeline.updated", "pipeline.run_started", "pipeline.rerun_started", "pipeline.run_started", "pipeline.run_cancelled", "pipeline.deleted"],
            entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(("priya", "audited"), (e.Actor, e.Target)));
        Assert.Equal("1 task(s); schedule changed from none to 0 4 * * *", entries[1].Detail);
    }

    [Fact]
    public async Task A_scheduled_run_is_audited_as_the_system_not_as_the_owner()
    {
        using var h = new PipelineHarness(realJobs: false);
        await h.SaveAsync(Doc("\"schedule\": \"0 4 * * *\","));

        await new Matih.Core.Pipelines.ScheduledPipelineJob(h.Runs).RunAsync("audited", default);

        var started = Assert.Single(await h.Stores.AuditAsync("pipeline.run_started"));
        Assert.Equal(AuditActor.System, started.Actor);
        Assert.Contains("(schedule, as tester)", started.Detail, StringComparison.Ordinal);
    }
}
