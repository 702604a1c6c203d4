using System.Diagnostics;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Matih.Core.Catalog;
using Matih.Core.Lineage;
using Matih.Core.Metadata;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Query;

/// <summary>A query's answer as the API and the Query Editor show it.</summary>
/// <param name="Columns">Result columns with their types.</param>
/// <param name="Rows">At most the requested number of rows.</param>
/// <param name="RowCount">Rows the query returned (or changed, for statements).</param>
/// <param name="ElapsedMs">Wall time in the engine.</param>
/// <param name="Truncated">True when more rows existed than were returned.</param>
public sealed record SqlAnswer(IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<object?[]> Rows, long RowCount, long ElapsedMs, bool Truncated)
{
    /// <summary>Tables the statements wrote (registered in the catalog with their lineage).</summary>
    public IReadOnlyList<TableRef> Written { get; init; } = [];
}

/// <summary>Why a statement failed, with where in the SQL when the engine says.</summary>
/// <param name="Message">The engine's message, first line.</param>
/// <param name="Line">1-based line of the fault in the whole text, when known.</param>
/// <param name="Column">1-based column of the fault, when known.</param>
/// <param name="Kind">What kind of failure: <c>syntax</c>, <c>binder</c>, <c>permission</c>, <c>runtime</c>, <c>cancelled</c>.</param>
public sealed record SqlFault(string Message, int? Line, int? Column, string Kind);

/// <summary>Either an answer or a fault.</summary>
public sealed record SqlOutcome(SqlAnswer? Answer, SqlFault? Fault);

/// <summary>
/// Runs SQL typed by a user against the warehouse: the path behind <c>POST /api/sql</c>, the Query Editor and
/// pipeline SQL. Checks each statement against the caller's role, records lineage and catalog entries for what it
/// writes, and keeps the user's history.
/// </summary>
public sealed partial class SqlQueryService(
    DuckDbWarehouse warehouse,
    LineageParser parser,
    LineageGraph lineage,
    DatasetRegistry datasets,
    IDbContextFactory<MetadataDbContext> contexts,
    TimeProvider clock)
{
    /// <summary>Rows returned at most unless the caller asks for fewer.</summary>
    public const int DefaultMaxRows = 10_000;

    /// <summary>Catalogs the demo's connector fills (connections add theirs).</summary>
    public static readonly IReadOnlyDictionary<string, string> DemoCatalogs = new Dictionary<string, string>
    {
        ["postgresql"] = "the NovaMart demo source",
        ["snowflake"] = "the NovaMart demo source",
    };

    /// <summary>Runs <paramref name="sql"/> (one or more statements) as <paramref name="caller"/>; answers with the last statement's rows.</summary>
    public async Task<SqlOutcome> RunAsync(string sql, SqlCaller caller, int maxRows, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        var outcome = await ExecuteAsync(sql, caller, maxRows, cancellationToken).ConfigureAwait(false);
        await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None).ConfigureAwait(false))
        {
            db.QueryHistory.Add(new QueryHistoryEntry
            {
                UserName = caller.UserName,
                Sql = sql.Length > 100_000 ? sql[..100_000] : sql,
                StartedAt = started,
                ElapsedMs = outcome.Answer?.ElapsedMs ?? (long)(clock.GetUtcNow() - started).TotalMilliseconds,
                RowCount = outcome.Answer?.RowCount ?? 0,
                Error = outcome.Fault?.Message,
            });
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>
    /// Writes the rows of a single query to <paramref name="path"/> as CSV (with a header) or Parquet. Only queries
    /// may be exported, with the same permission checks as running them.
    /// </summary>
    /// <returns>Null on success, else why not.</returns>
    public async Task<SqlFault?> ExportAsync(string sql, SqlCaller caller, string format, string path, CancellationToken cancellationToken)
    {
        var statements = SqlStatements.Split(sql);
        if (statements.Count != 1)
        {
            return new SqlFault("Export one query at a time.", null, null, "syntax");
        }

        StatementLineage found;
        try
        {
            found = await parser.ParseAsync(statements[0].Text, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LineageException or DuckDBException)
        {
            return Describe(e.Message);
        }

        if (found.Kind != StatementKind.Query)
        {
            return new SqlFault("Only a query's rows can be exported.", null, null, "permission");
        }

        if (SqlPolicy.Refusal(found, caller, await ConnectorCatalogsAsync(cancellationToken).ConfigureAwait(false)) is { } refusal)
        {
            return new SqlFault(refusal, null, null, "permission");
        }

        var options = format switch
        {
            "csv" => "FORMAT csv, HEADER true",
            "parquet" => "FORMAT parquet",
            _ => null,
        };
        if (options is null)
        {
            return new SqlFault($"'{format}' is not an export format; use csv or parquet.", null, null, "syntax");
        }

        try
        {
            await warehouse.ExecuteAsync($"COPY ({statements[0].Text}) TO '{path.Replace("'", "''", StringComparison.Ordinal)}' ({options})", cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (DuckDBException e)
        {
            return Describe(e.Message, cancellationToken.IsCancellationRequested);
        }
    }

    /// <summary>The caller's latest statements, newest first.</summary>
    public async Task<IReadOnlyList<QueryHistoryEntry>> HistoryAsync(string userName, int take, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.QueryHistory.AsNoTracking().Where(h => h.UserName == userName)
            .OrderByDescending(h => h.Id).Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Turns a DuckDB error into a fault with the line and column it points at.</summary>
    public static SqlFault Describe(string message, bool cancelled = false)
    {
        if (cancelled || message.Contains("INTERRUPT", StringComparison.OrdinalIgnoreCase))
        {
            return new SqlFault("The query was cancelled.", null, null, "cancelled");
        }

        var kind = message.StartsWith("Parser Error", StringComparison.Ordinal) ? "syntax"
            : message.StartsWith("Binder Error", StringComparison.Ordinal) || message.StartsWith("Catalog Error", StringComparison.Ordinal) ? "binder"
            : "runtime";
        var firstLine = message.Split('\n', 2)[0].Trim();
        var lines = message.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var match = LinePointer().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var line = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            int? column = null;
            if (i + 1 < lines.Length && lines[i + 1].IndexOf('^', StringComparison.Ordinal) is var caret and >= 0)
            {
                // The caret sits under the echoed text, which starts after "LINE n: "; DuckDB may elide a prefix with "...".
                var echoed = lines[i][match.Length..];
                column = echoed.StartsWith("...", StringComparison.Ordinal) ? null : caret - match.Length + 1;
            }

            return new SqlFault(firstLine, line, column, kind);
        }

        return new SqlFault(firstLine, null, null, kind);
    }

    private async Task<SqlOutcome> ExecuteAsync(string sql, SqlCaller caller, int maxRows, CancellationToken cancellationToken)
    {
        var statements = SqlStatements.Split(sql);
        if (statements.Count == 0)
        {
            return Fault(new SqlFault("The SQL is empty.", null, null, "syntax"));
        }

        var owned = await ConnectorCatalogsAsync(cancellationToken).ConfigureAwait(false);
        var plans = new List<(SqlStatement Statement, StatementLineage? Lineage)>();
        foreach (var statement in statements)
        {
            StatementLineage? found = null;
            try
            {
                found = await parser.ParseAsync(statement.Text, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is LineageException or DuckDBException)
            {
                // The engine reports the error with its position when the statement runs.
            }

            if (found is not null && SqlPolicy.Refusal(found, caller, owned) is { } refusal)
            {
                return Fault(new SqlFault(refusal, LineOf(sql, statement.Offset), null, "permission"));
            }

            if (found is null && caller.Role == Users.Role.Viewer)
            {
                // Unparseable as a query: for a reader it can only be an error or a write; let DuckDB say which.
                var readOnly = await IsQueryAsync(statement.Text, cancellationToken).ConfigureAwait(false);
                if (readOnly is false)
                {
                    return Fault(new SqlFault("Your role may only read: run a single SELECT query, or ask for the analyst role to write.", LineOf(sql, statement.Offset), null, "permission"));
                }
            }

            plans.Add((statement, found));
        }

        var clock = Stopwatch.StartNew();
        using var connection = warehouse.OpenConnection();
        SqlAnswer? last = null;
        var written = new List<TableRef>();
        for (var index = 0; index < plans.Count; index++)
        {
            var (statement, found) = plans[index];
            try
            {
                if (found is { Kind: StatementKind.CreateTableAs or StatementKind.CreateTable or StatementKind.CreateView })
                {
                    // The seed writes analytics.derived.churn_features as its first statement: schemas (and catalogs) appear on first use.
                    foreach (var target in found.Writes)
                    {
                        warehouse.EnsureCatalog(target.Catalog);
                        await RunOneAsync(connection, $"CREATE SCHEMA IF NOT EXISTS {TableRef.Quote(target.Catalog)}.{TableRef.Quote(target.Schema)}", 0, cancellationToken).ConfigureAwait(false);
                    }
                }

                last = await RunOneAsync(connection, statement.Text, maxRows, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Fault(new SqlFault("The query was cancelled.", null, null, "cancelled"));
            }
            catch (ArgumentException e)
            {
                return Fault(new SqlFault(e.Message.Split(" (Parameter", 2)[0], LineOf(sql, statement.Offset), null, "binder"));
            }
            catch (DuckDBException e)
            {
                var fault = Describe(e.Message, cancellationToken.IsCancellationRequested);
                // DuckDB counts lines within the statement it was given; shift them to the whole text.
                var offsetLines = LinesBefore(sql, statement.Offset);
                return Fault(fault with { Line = fault.Line + offsetLines, Message = statements.Count > 1 ? $"Statement {index + 1}: {fault.Message}" : fault.Message });
            }

            if (found is { Writes.Count: > 0 } && found.Kind is not StatementKind.Ddl)
            {
                await lineage.RecordAsync(found, "sql", statement.Text.Trim(), CancellationToken.None).ConfigureAwait(false);
                foreach (var target in found.Writes)
                {
                    var rows = await CountAsync(connection, target).ConfigureAwait(false);
                    await datasets.RecordAsync(target, "sql", null, rows, CancellationToken.None).ConfigureAwait(false);
                    written.Add(target);

                    // A CREATE TABLE AS returns no rows of its own: report the rows the table now holds.
                    if (last.Columns.Count == 0 && found.Kind == StatementKind.CreateTableAs && rows is { } count)
                    {
                        last = last with { RowCount = count };
                    }
                }
            }
        }

        return new SqlOutcome(last! with { ElapsedMs = clock.ElapsedMilliseconds, Written = written }, null);
    }

    private static async Task<SqlAnswer> RunOneAsync(DuckDBConnection connection, string sql, int maxRows, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var registration = cancellationToken.Register(command.Cancel);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var columns = new List<ColumnSchema>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            // DuckDB.NET names types like enum members ("Varchar", "BigInt"); show them as SQL writes them.
            columns.Add(DuckDbTypes.FromSql(reader.GetName(i), reader.GetDataTypeName(i).ToUpperInvariant(), true));
        }

        var rows = new List<object?[]>();
        long count = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (count++ < maxRows)
            {
                var row = new object?[columns.Count];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = DuckDbWarehouse.ReadValue(reader, i);
                }

                rows.Add(row);
            }
        }

        return new SqlAnswer(columns, rows, count, clock.ElapsedMilliseconds, count > rows.Count);
    }

    private async Task<bool?> IsQueryAsync(string sql, CancellationToken cancellationToken)
    {
        using var connection = warehouse.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json_extract_string(json_serialize_sql($sql::VARCHAR), '$.error_message')";
        command.Parameters.Add(new DuckDBParameter("sql", sql));
        var error = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        return string.IsNullOrEmpty(error) ? true : error.Contains("Only SELECT", StringComparison.OrdinalIgnoreCase) ? false : null;
    }

    private async Task<IReadOnlyDictionary<string, string>> ConnectorCatalogsAsync(CancellationToken cancellationToken)
    {
        var owned = new Dictionary<string, string>(DemoCatalogs, StringComparer.Ordinal);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        foreach (var connection in await db.Connections.AsNoTracking().Select(c => new { c.DestinationCatalog, c.Name }).ToListAsync(cancellationToken).ConfigureAwait(false))
        {
            owned[connection.DestinationCatalog] = $"the connection '{connection.Name}'";
        }

        return owned;
    }

    private static async Task<long?> CountAsync(DuckDBConnection connection, TableRef table)
    {
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM {table.ToSql()}";
            return Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (DuckDBException)
        {
            return null;
        }
    }

    private static int LinesBefore(string text, int offset) => text.AsSpan(0, Math.Min(offset, text.Length)).Count('\n');

    private static int LineOf(string text, int offset)
    {
        var line = LinesBefore(text, offset) + 1;

        // A statement's own text starts after the previous semicolon; skip the blank lines before its first word.
        while (offset < text.Length && char.IsWhiteSpace(text[offset]))
        {
            if (text[offset] == '\n')
            {
                line++;
            }

            offset++;
        }

        return line;
    }

    private static SqlOutcome Fault(SqlFault fault) => new(null, fault);

    [GeneratedRegex(@"^LINE (\d+): ")]
    private static partial Regex LinePointer();
}
