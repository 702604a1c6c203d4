using System.Text.Json;
using Matih.Core.Features;
using Matih.Sdk.Pipelines;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Pipelines.Tasks;

/// <summary><c>feature_store_sync</c>: registers or refreshes a feature group from a table (offline version + online latest rows).</summary>
public sealed class FeatureStoreSyncTask(FeatureStore store) : IPipelineTaskType
{
    /// <inheritdoc />
    public string Type => "feature_store_sync";

    /// <inheritdoc />
    public string Description => "Publish a table as a new version of a feature group, offline and online.";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Config { get; } =
    [
        new("source_table", ParameterType.String, "catalog.schema.table holding one or more rows per entity.") { Required = true },
        new("feature_group", ParameterType.String, "The feature group's name, e.g. customer_churn_features.") { Required = true },
        new("entity_key", ParameterType.String, "The column identifying an entity, e.g. customer_id.") { Required = true },
        new("timestamp_column", ParameterType.String, "The column saying how recent a row is; the online store keeps the latest row per entity.") { Required = true },
    ];

    /// <inheritdoc />
    public Task<IReadOnlyList<ConfigProblem>> ValidateAsync(JsonElement config, IServiceProvider platform, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ConfigProblem>>(
            config.Text("source_table") is { } source && !Sdk.Data.TableRef.TryParse(source, out _)
                ? [new ConfigProblem("source_table", $"'{source}' is not a table name; write catalog.schema.table.")]
                : []);

    /// <inheritdoc />
    public async Task<TaskOutcome> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var spec = new FeatureGroupSync(
            context.Config.Text("feature_group")!,
            context.Config.Text("source_table")!,
            context.Config.Text("entity_key")!,
            context.Config.Text("timestamp_column")!);
        var version = await store.SyncAsync(spec, cancellationToken).ConfigureAwait(false);
        var summary = $"Feature group {version.Group} version {version.Version}: {version.Rows:N0} rows, {version.Entities:N0} entities online.";
        context.Log.LogInformation("{Summary}", summary);
        return new TaskOutcome(true, summary)
        {
            Outputs = new Dictionary<string, object?> { ["feature_group"] = version.Group, ["version"] = version.Version, ["rows"] = version.Rows, ["entities"] = version.Entities },
        };
    }
}
