using System.Text.Json;
using Matih.Core.Connections;
using Matih.Sdk.Pipelines;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Pipelines.Tasks;

/// <summary>
/// <c>sync_connection</c>: syncs a source connection and waits for it, so downstream SQL sees fresh rows. A sync
/// already running is waited for rather than started twice.
/// </summary>
public sealed class SyncConnectionTask(Connections.Connections connections, ConnectionSyncs syncs, TimeProvider clock) : IPipelineTaskType
{
    /// <summary>How often the sync's state is read while waiting.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public string Type => "sync_connection";

    /// <inheritdoc />
    public string Description => "Sync a source connection into the warehouse and wait for it to finish.";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Config { get; } =
    [
        new("connection", ParameterType.String, "The connection's id or name, e.g. novamart-production.") { Required = true },
    ];

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConfigProblem>> ValidateAsync(JsonElement config, IServiceProvider platform, CancellationToken cancellationToken) =>
        config.Text("connection") is { } name && await FindAsync(name, cancellationToken).ConfigureAwait(false) is null
            ? [new ConfigProblem("connection", $"No connection has the id or name '{name}'.")]
            : [];

    /// <inheritdoc />
    public async Task<TaskOutcome> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var name = context.Config.Text("connection")!;
        var connectionId = await FindAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No connection has the id or name '{name}'.");
        var (runId, error) = await syncs.StartAsync(connectionId, $"pipeline:{context.PipelineId}", cancellationToken).ConfigureAwait(false);
        if (runId is null)
        {
            throw new InvalidOperationException(error);
        }

        context.Log.LogInformation(error is null ? "Sync run {RunId} of {Connection} queued." : "Waiting for the active sync run {RunId} of {Connection}.", runId, connectionId);
        while (true)
        {
            var run = await syncs.GetRunAsync(connectionId, runId.Value, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Sync run {runId} disappeared.");
            switch (run.State)
            {
                case "succeeded":
                    var rows = run.Rows.Values.Sum();
                    return new TaskOutcome(true, $"Synced {connectionId}: {rows:N0} rows in {run.Rows.Count} streams.")
                    {
                        Outputs = new Dictionary<string, object?> { ["sync_run"] = runId, ["rows"] = rows },
                    };
                case "failed" or "cancelled":
                    throw new InvalidOperationException($"Sync run {runId} of {connectionId} {run.State}: {run.Error}");
            }

            try
            {
                await Task.Delay(PollInterval, clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await syncs.CancelAsync(runId.Value, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
    }

    private async Task<string?> FindAsync(string idOrName, CancellationToken cancellationToken)
    {
        var all = await connections.ListAsync(cancellationToken).ConfigureAwait(false);
        return all.FirstOrDefault(c => c.Id == idOrName)?.Id ?? all.FirstOrDefault(c => string.Equals(c.Name, idOrName, StringComparison.OrdinalIgnoreCase))?.Id;
    }
}
