using System.Text.Json;
using Matih.Plugins.SourcePostgres.Cdc;
using Matih.Plugins.SourcePostgres.Checks;
using Matih.Plugins.SourcePostgres.Configuration;
using Matih.Plugins.SourcePostgres.Copying;
using Matih.Plugins.SourcePostgres.Diagnostics;
using Matih.Plugins.SourcePostgres.Discovery;
using Matih.Plugins.SourcePostgres.Incremental;
using Matih.Sdk.Catalog;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourcePostgres;

/// <summary>
/// The <c>source-postgres</c> connector, with Airbyte's semantics: full refresh by binary COPY, incremental by
/// cursor column (Standard) or by logical replication with pgoutput (CDC), and slot diagnostics for CDC connections.
/// </summary>
/// <remarks>
/// State: Standard incremental streams save <c>{"cursor_field": ..., "cursor": ...}</c>; CDC streams save
/// <c>{"snapshot_lsn": ...}</c> once their initial snapshot is in, and the connection saves <c>{"lsn": ...}</c>
/// globally. Full-refresh streams keep no state and are copied whole every sync, in CDC connections too.
/// </remarks>
public sealed class PostgresConnector : IConnector, IConnectorDiagnostics, ILiveCatalog
{
    /// <summary>The id connection documents use.</summary>
    public const string ConnectorId = "source-postgres";

    private readonly PostgresPluginSettings _settings;

    /// <summary>Creates the connector.</summary>
    public PostgresConnector(PostgresPluginSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
    }

    /// <inheritdoc />
    public string Id => ConnectorId;

    /// <inheritdoc />
    public ConnectorSpec Spec { get; } = new(
        "PostgreSQL",
        "Reads tables and views from PostgreSQL: full refresh, incremental by cursor column, or change data capture from the write-ahead log.",
        PostgresConfig.Spec)
    {
        SupportsIncremental = true,
        SupportsCdc = true,
    };

    /// <inheritdoc />
    public async Task<CheckResult> CheckAsync(JsonElement config, CancellationToken cancellationToken)
    {
        if (!PostgresConfig.TryParse(config, out var parsed, out var error))
        {
            return CheckResult.Failed(error);
        }

        return await ConnectionCheck.RunAsync(parsed, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The config is invalid; the message names the field.</exception>
    public async Task<IReadOnlyList<StreamDescriptor>> DiscoverAsync(JsonElement config, CancellationToken cancellationToken)
    {
        var parsed = PostgresConfig.Parse(config);
        var tables = await DiscoverTablesAsync(parsed, cancellationToken).ConfigureAwait(false);
        return tables.Select(t => t.ToDescriptor()).ToList();
    }

    /// <summary>The source's tables and views as the catalog shows them: <c>database.schema.table</c>, live.</summary>
    public async Task<IReadOnlyList<DatasetInfo>> ListLiveDatasetsAsync(JsonElement config, CancellationToken cancellationToken)
    {
        var parsed = PostgresConfig.Parse(config);
        var tables = await DiscoverTablesAsync(parsed, cancellationToken).ConfigureAwait(false);
        return tables.Select(t => new DatasetInfo(new TableRef(parsed.Database, t.Namespace, t.Name), t.Columns.Select(c => c.Schema).ToArray())
        {
            Kind = t.IsView ? "view" : "table",
            RowCount = t.EstimatedRows,
            SourceLocation = $"{parsed.Database}.{t.Namespace}.{t.Name}",
            Description = $"Live table of the PostgreSQL database {parsed.Database} on {parsed.Host}.",
        }).ToArray();
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The config or a stream is invalid; the message names the field or stream.</exception>
    /// <exception cref="InvalidOperationException">The source cannot serve the sync (CDC prerequisites, slot in use); the message says why.</exception>
    public async Task ReadAsync(JsonElement config, ReadRequest request, IRecordSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(sink);
        var parsed = PostgresConfig.Parse(config);
        var tables = await DiscoverTablesAsync(parsed, cancellationToken).ConfigureAwait(false);
        var plan = SyncPlan.Create(parsed, request, tables);
        var state = new SyncState(request.State);

        if (plan.Copied.Count > 0)
        {
            await using var connection = await SourceConnection.OpenAsync(parsed, commandTimeoutSeconds: 0, cancellationToken).ConfigureAwait(false);
            foreach (var stream in plan.Copied)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await CopyStreamAsync(connection, stream, state, sink, cancellationToken).ConfigureAwait(false);
            }
        }

        if (plan.Replicated.Count > 0)
        {
            var reader = new CdcReader(parsed, plan.Replicated.Select(s => WithKey(s)).ToList(), state, sink);
            await reader.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The config is invalid; the message names the field.</exception>
    public Task<IReadOnlyList<SourceFigure>> DiagnoseAsync(JsonElement config, CancellationToken cancellationToken) =>
        SlotDiagnostics.DiagnoseAsync(PostgresConfig.Parse(config), _settings.LagWarningBytes, cancellationToken);

    private static async Task<IReadOnlyList<SourceTable>> DiscoverTablesAsync(PostgresConfig config, CancellationToken cancellationToken)
    {
        await using var connection = await SourceConnection.OpenAsync(config, commandTimeoutSeconds: 60, cancellationToken).ConfigureAwait(false);
        return await SourceCatalog.ReadAsync(connection, config, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CopyStreamAsync(Npgsql.NpgsqlConnection connection, PlannedStream stream, SyncState state, IRecordSink sink, CancellationToken cancellationToken)
    {
        var table = WithKey(stream);
        await sink.BeginStreamAsync(stream.Name, table.Schema, cancellationToken).ConfigureAwait(false);
        if (stream.CursorColumn < 0)
        {
            await TableCopier.CopyAsync(connection, table, null, stream.Name, sink, null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var cursor = table.Columns[stream.CursorColumn].Schema;
            var saved = CursorState.Read(state.Stream(stream.Name), cursor);
            var tracker = new CursorTracker(stream.CursorColumn, cursor.Type, saved);
            var where = saved is null ? null : CursorState.Condition(cursor, saved);
            await TableCopier.CopyAsync(connection, table, where, stream.Name, sink, tracker.Inspect, cancellationToken).ConfigureAwait(false);
            state.SetStream(stream.Name, CursorState.Write(cursor, tracker.Max));
        }

        // Full refresh: the sink swaps the new table in here. Incremental: rows and the new cursor commit together.
        await sink.CheckpointAsync(state.ToConnectorState(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The table with the key the connection configures, when it names one (Standard streams may).</summary>
    private static SourceTable WithKey(PlannedStream stream) =>
        stream.Configured.PrimaryKey.Count > 0 && stream.Configured.Mode == SyncMode.Incremental && stream.CursorColumn >= 0
            ? stream.Table with { PrimaryKey = stream.Configured.PrimaryKey.Select(k => stream.Table.Columns[stream.Table.IndexOf(k)].Name).ToList() }
            : stream.Table;
}
