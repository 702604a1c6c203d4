using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Matih.Sdk.Data;
using Matih.Sdk.Pipelines;
using Matih.Sdk.Platform;
using Matih.Sdk.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Company.MatihPlugin;

/// <summary>
/// <c>row_count_at_least</c>: counts a warehouse table's rows and fails the task (without retrying) when there are
/// fewer than <c>min_rows</c>, e.g. to stop a pipeline before training on an empty feature table.
/// </summary>
public sealed class SampleEntryTask : IPipelineTaskType
{
    /// <inheritdoc />
    public string Type => "row_count_at_least";

    /// <inheritdoc />
    public string Description => "Fail when a table has fewer rows than expected.";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Config { get; } =
    [
        new ParameterSpec("table", ParameterType.String, "The table, as catalog.schema.table.") { Required = true },
        new ParameterSpec("min_rows", ParameterType.Integer, "Fewest rows that pass.") { Default = JsonValue.Create(1), Minimum = 0 },
    ];

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConfigProblem>> ValidateAsync(JsonElement config, IServiceProvider platform, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (!TryTable(config, out var table))
        {
            return [new ConfigProblem("table", "expected a three-part name, catalog.schema.table.")];
        }

        var warehouse = platform.GetRequiredService<IWarehouse>();
        return await warehouse.GetSchemaAsync(table, cancellationToken) is null
            ? [new ConfigProblem("table", $"{table} does not exist in the warehouse.")]
            : [];
    }

    /// <inheritdoc />
    public async Task<TaskOutcome> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!TryTable(context.Config, out var table))
        {
            throw new ArgumentException("config.table: expected a three-part name, catalog.schema.table.");
        }

        var minRows = context.Config.TryGetProperty("min_rows", out var min) ? min.GetInt64() : 1;
        var warehouse = context.Platform.GetRequiredService<IWarehouse>();
        var result = await warehouse.QueryAsync($"SELECT count(*) AS row_count FROM {table.ToSql()}", cancellationToken);
        var rows = Convert.ToInt64(result.Rows[0][0], CultureInfo.InvariantCulture);
        context.Log.LogInformation("{Table} has {Rows} rows; at least {MinRows} expected", table, rows, minRows);
        var outcome = rows >= minRows
            ? TaskOutcome.Success($"{table} has {rows} rows.")
            : TaskOutcome.Failure($"{table} has {rows} rows, fewer than min_rows = {minRows}.");
        return outcome with { Outputs = new Dictionary<string, object?> { ["row_count"] = rows } };
    }

    private static bool TryTable(JsonElement config, out TableRef table)
    {
        table = null!;
        return config.ValueKind == JsonValueKind.Object && config.TryGetProperty("table", out var value)
            && value.ValueKind == JsonValueKind.String && TableRef.TryParse(value.GetString(), out table);
    }
}
