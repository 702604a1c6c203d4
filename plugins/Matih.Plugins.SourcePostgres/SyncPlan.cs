using Matih.Plugins.SourcePostgres.Cdc;
using Matih.Plugins.SourcePostgres.Configuration;
using Matih.Plugins.SourcePostgres.Discovery;
using Matih.Plugins.SourcePostgres.Incremental;
using Matih.Sdk.Connectors;

namespace Matih.Plugins.SourcePostgres;

/// <summary>One requested stream, resolved to its table and checked.</summary>
/// <param name="Configured">The stream as the connection configures it.</param>
/// <param name="Table">Its table.</param>
/// <param name="CursorColumn">Standard incremental: index of the cursor column; otherwise -1.</param>
internal sealed record PlannedStream(ConfiguredStream Configured, SourceTable Table, int CursorColumn)
{
    /// <summary>The stream's name as the connection writes it.</summary>
    public string Name => Configured.Name;
}

/// <summary>
/// What a sync reads and how, checked in full before anything is read or created: unknown streams, missing cursors
/// and tables CDC cannot replicate are reported here, naming the stream at fault.
/// </summary>
/// <param name="Copied">Full-refresh streams and Standard incremental streams, read with COPY.</param>
/// <param name="Replicated">Incremental streams of a CDC connection.</param>
internal sealed record SyncPlan(IReadOnlyList<PlannedStream> Copied, IReadOnlyList<PlannedStream> Replicated)
{
    /// <exception cref="ArgumentException">A stream cannot be read as configured; the message names it.</exception>
    public static SyncPlan Create(PostgresConfig config, ReadRequest request, IReadOnlyList<SourceTable> tables)
    {
        var copied = new List<PlannedStream>();
        var replicated = new List<PlannedStream>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var configured in request.Streams)
        {
            var found = SourceCatalog.Find(tables, configured.Name) ?? throw new ArgumentException(
                $"streams: '{configured.Name}' is not a readable table or view in schema {string.Join(", ", config.Schemas)} of database '{config.Database}'. Streams found: {Describe(tables)}.",
                nameof(request));

            // The sink knows the stream by the name the connection uses, which may differ in case or qualification.
            var table = found with { StreamName = configured.Name };
            if (!seen.Add(table.DisplayName))
            {
                throw new ArgumentException($"streams: '{configured.Name}' reads {table.DisplayName}, which another stream of this connection already reads.", nameof(request));
            }

            foreach (var key in configured.PrimaryKey.Where(k => table.IndexOf(k) < 0))
            {
                throw new ArgumentException($"streams.{configured.Name}.primary_key: '{key}' is not a column of {table.DisplayName}.", nameof(request));
            }

            if (configured.Mode == SyncMode.FullRefresh)
            {
                copied.Add(new PlannedStream(configured, table, -1));
            }
            else if (config.IsCdc)
            {
                // With CDC the log decides what changed; cursor_field matters only to the Standard method.
                if (CdcReader.Refusal(table, configured.Name) is { } refusal)
                {
                    throw new ArgumentException(refusal, nameof(request));
                }

                replicated.Add(new PlannedStream(configured, table, -1));
            }
            else
            {
                copied.Add(new PlannedStream(configured, table, CursorColumn(configured, table)));
            }
        }

        return new SyncPlan(copied, replicated);
    }

    private static int CursorColumn(ConfiguredStream configured, SourceTable table)
    {
        var candidates = table.Columns.Where(c => c.IsCursorCandidate).Select(c => c.Name).ToList();
        var hint = candidates.Count > 0 ? $"candidates: {string.Join(", ", candidates)}" : "the table has no timestamp, date or integer column; read it in full_refresh mode";
        if (string.IsNullOrWhiteSpace(configured.CursorField))
        {
            throw new ArgumentException($"streams.{configured.Name}.cursor_field: incremental streams need a cursor column with the Standard method ({hint}).", nameof(configured));
        }

        var index = table.IndexOf(configured.CursorField);
        if (index < 0)
        {
            throw new ArgumentException($"streams.{configured.Name}.cursor_field: '{configured.CursorField}' is not a column of {table.DisplayName} ({hint}).", nameof(configured));
        }

        var column = table.Columns[index].Schema;
        if (!CursorState.Supports(column.Type))
        {
            throw new ArgumentException($"streams.{configured.Name}.cursor_field: '{column.Name}' has type {column.SourceType}, which cannot be a cursor ({hint}).", nameof(configured));
        }

        return index;
    }

    private static string Describe(IReadOnlyList<SourceTable> tables)
    {
        if (tables.Count == 0)
        {
            return "none";
        }

        var names = string.Join(", ", tables.Take(20).Select(t => t.StreamName));
        return tables.Count > 20 ? $"{names} and {tables.Count - 20} more" : names;
    }
}
