using Matih.Core.Audit;

namespace Matih.Core.Tests.Audit;

public sealed class AuditActorTests
{
    [Fact]
    public void Work_nobody_started_by_hand_is_done_by_the_system()
    {
        Assert.Equal("system", AuditActor.Current);
    }

    [Fact]
    public async Task The_actor_flows_into_awaited_and_background_work_and_is_restored_after_the_scope()
    {
        string? inTask;
        string? nested;
        using (AuditActor.Use("priya"))
        {
            inTask = await Task.Run(async () =>
            {
                await Task.Yield();
                return AuditActor.Current;
            });
            using (AuditActor.Use("admin"))
            {
                nested = AuditActor.Current;
            }

            Assert.Equal("priya", AuditActor.Current);
        }

        Assert.Equal(("priya", "admin", "system"), (inTask, nested, AuditActor.Current));
    }

    [Fact]
    public async Task A_change_is_recorded_by_the_ambient_actor()
    {
        using var stores = new TestStores();
        using (AuditActor.Use("priya"))
        {
            await stores.Audit.RecordChangeAsync("connection.created", "shop-db", "source-faker into postgresql.shop");
        }

        await stores.Audit.RecordChangeAsync("pipeline.run_started", "nightly", "scheduled");

        var entries = await stores.AuditAsync();
        Assert.Equal([("priya", "connection.created"), ("system", "pipeline.run_started")], entries.Select(e => (e.Actor, e.Action)));
    }
}
