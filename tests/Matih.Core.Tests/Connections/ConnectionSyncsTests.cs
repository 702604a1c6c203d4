using System.Text.Json;
using System.Text.Json.Nodes;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.Storage;
using Matih.Core.Audit;
using Matih.Core.Connections;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Core.Tests.Connections;

public sealed class ConnectionSyncsTests : IDisposable
{
    private readonly TestStores _stores = new();
    private readonly InMemoryStorage _jobs = new();
    private readonly Matih.Core.Connections.Connections _connections;
    private readonly ConnectionSyncs _syncs;
    private readonly CountingConnector _connector = new();

    public ConnectionSyncsTests()
    {
        var secrets = new SecretValues(DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(_stores.Folder, "keys"))), new ConfigurationBuilder().Build());
        _connections = new Matih.Core.Connections.Connections(_stores.Contexts, [_connector], secrets, _stores.Clock, _stores.Audit);
        _syncs = new ConnectionSyncs(_stores.Contexts, _connections, secrets, _stores.Warehouse, _stores.Datasets, _stores.Lineage,
            new BackgroundJobClient(_jobs), _stores.Clock, NullLogger<ConnectionSyncs>.Instance, _stores.Audit);
    }

    public void Dispose()
    {
        _jobs.Dispose();
        _stores.Dispose();
    }

    [Fact]
    public async Task A_cron_schedule_becomes_a_recurring_sync_and_firing_it_queues_a_run()
    {
        var connection = await CreateAsync(cron: "0 * * * *");

        ConnectionSyncs.Schedule(new RecurringJobManager(_jobs), connection.Id, connection.Cron);
        using (var storage = _jobs.GetConnection())
        {
            var recurring = Assert.Single(storage.GetRecurringJobs());
            Assert.Equal($"sync:{connection.Id}", recurring.Id);
            Assert.Equal("0 * * * *", recurring.Cron);
        }

        await new ScheduledSyncJob(_syncs).RunAsync(connection.Id, default);

        var run = Assert.Single(await _syncs.ListRunsAsync(connection.Id, 10, default));
        Assert.Equal(("queued", "schedule"), (run.State, run.Trigger));
        Assert.Equal(1, _jobs.GetMonitoringApi().EnqueuedCount("default"));
    }

    [Fact]
    public async Task Creating_syncing_and_cancelling_are_each_audited_once_by_the_ambient_user()
    {
        ConnectionView connection;
        using (AuditActor.Use("priya"))
        {
            connection = await CreateAsync(cron: null);
            var (runId, _) = await _syncs.StartAsync(connection.Id, "manual", default);
            await _syncs.StartAsync(connection.Id, "manual", default);
            await _syncs.CancelAsync(runId!.Value, default);
        }

        var entries = await _stores.AuditAsync("connection.*");

        Assert.Equal(["connection.created", "connection.sync_started", "connection.run_cancelled"], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(("priya", connection.Id), (e.Actor, e.Target)));
    }

    [Fact]
    public async Task A_scheduled_sync_is_audited_as_the_system()
    {
        ConnectionView connection;
        using (AuditActor.Use("priya"))
        {
            connection = await CreateAsync(cron: "0 * * * *");
        }

        await new ScheduledSyncJob(_syncs).RunAsync(connection.Id, default);

        var started = Assert.Single(await _stores.AuditAsync("connection.sync_started"));
        Assert.Equal((AuditActor.System, connection.Id), (started.Actor, started.Target));
        Assert.EndsWith("(schedule)", started.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_latest_run_of_every_connection_comes_from_one_query_and_a_connection_never_synced_has_none()
    {
        var synced = await CreateAsync(cron: null);
        var never = await CreateAsync(cron: null);
        var (first, _) = await _syncs.StartAsync(synced.Id, "manual", default);
        await _syncs.ExecuteAsync(first!.Value, default);
        var (second, _) = await _syncs.StartAsync(synced.Id, "manual", default);

        var latest = await _syncs.LatestRunsAsync(default);

        Assert.Equal(second, latest[synced.Id].RunId);
        Assert.Equal("queued", latest[synced.Id].State);
        Assert.False(latest.ContainsKey(never.Id));
    }

    [Fact]
    public async Task A_second_sync_while_one_is_active_is_refused_with_the_active_run()
    {
        var connection = await CreateAsync(cron: null);

        var (first, _) = await _syncs.StartAsync(connection.Id, "manual", default);
        var (again, error) = await _syncs.StartAsync(connection.Id, "manual", default);

        Assert.Equal(first, again);
        Assert.Contains("is already queued", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_source_is_retried_with_the_reason_in_words_and_fails_after_three_attempts()
    {
        var connection = await CreateAsync(cron: null);
        _connector.FailWith = "connection refused";
        var (runId, _) = await _syncs.StartAsync(connection.Id, "manual", default);

        await _syncs.ExecuteAsync(runId!.Value, default);
        var retrying = await _syncs.GetRunAsync(connection.Id, runId.Value, default);
        await _syncs.ExecuteAsync(runId.Value, default);
        await _syncs.ExecuteAsync(runId.Value, default);
        var failed = await _syncs.GetRunAsync(connection.Id, runId.Value, default);

        Assert.Equal("retrying", retrying!.State);
        Assert.Equal("Attempt 1 of 3 failed: connection refused. Retrying in 30 s.", retrying.Error);
        Assert.Equal(2, _jobs.GetMonitoringApi().ScheduledCount());
        Assert.Equal("failed", failed!.State);
        Assert.Equal("Failed after 3 attempts: connection refused.", failed.Error);
    }

    [Fact]
    public async Task A_run_the_host_was_stopped_in_resumes_at_the_next_start_and_finishes()
    {
        var connection = await CreateAsync(cron: null);
        var (runId, _) = await _syncs.StartAsync(connection.Id, "manual", default);
        using (var stopping = new CancellationTokenSource())
        {
            _connector.OnRead = () => stopping.Cancel();
            await _syncs.ExecuteAsync(runId!.Value, stopping.Token);
        }

        Assert.Equal("retrying", (await _syncs.GetRunAsync(connection.Id, runId.Value, default))!.State);
        _connector.OnRead = null;

        Assert.Equal(1, await _syncs.ResumeInterruptedAsync(default));
        await _syncs.ExecuteAsync(runId.Value, default);

        var run = await _syncs.GetRunAsync(connection.Id, runId.Value, default);
        Assert.Equal("succeeded", run!.State);
        Assert.Equal(3, run.Rows["things"]);
    }

    private async Task<ConnectionView> CreateAsync(string? cron)
    {
        var document = new JsonObject
        {
            ["connector"] = "counting",
            ["config"] = new JsonObject(),
            ["streams"] = new JsonArray(new JsonObject { ["name"] = "things", ["sync_mode"] = "full_refresh" }),
        };
        if (cron is not null)
        {
            document["schedule"] = new JsonObject { ["type"] = "cron", ["expression"] = cron };
        }

        var (view, problems) = await _connections.CreateAsync(document, "priya", default);
        Assert.Empty(problems);
        return view!;
    }

    /// <summary>A small real connector: three rows, optionally failing or noticing that a read started.</summary>
    private sealed class CountingConnector : IConnector
    {
        private static readonly TableSchema s_schema = new([new ColumnSchema("id", ColumnType.Int64, false)], ["id"]);

        public string? FailWith { get; set; }

        public Action? OnRead { get; set; }

        public string Id => "counting";

        public ConnectorSpec Spec { get; } = new("Counting", "Three rows.", Array.Empty<ParameterSpec>());

        public Task<CheckResult> CheckAsync(JsonElement config, CancellationToken cancellationToken) => Task.FromResult(CheckResult.Ok());

        public Task<IReadOnlyList<StreamDescriptor>> DiscoverAsync(JsonElement config, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StreamDescriptor>>([new StreamDescriptor("things", null, s_schema, [SyncMode.FullRefresh])]);

        public async Task ReadAsync(JsonElement config, ReadRequest request, IRecordSink sink, CancellationToken cancellationToken)
        {
            OnRead?.Invoke();
            cancellationToken.ThrowIfCancellationRequested();
            if (FailWith is not null)
            {
                throw new IOException(FailWith);
            }

            await sink.BeginStreamAsync("things", s_schema, cancellationToken);
            var batch = new RowBatch(s_schema.Columns);
            for (var i = 0; i < 3; i++)
            {
                batch.Column<long>(0).Set(batch.AddRow(), i);
            }

            await sink.WriteAsync("things", batch, RecordOperation.Upsert, cancellationToken);
            await sink.CheckpointAsync(new ConnectorState(new Dictionary<string, JsonElement>(), null), cancellationToken);
        }
    }
}
