using System.Diagnostics;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;

namespace Matih.Core.Query;

/// <summary>A query's answer as the API and the Query Editor show it.</summary>
/// <param name="Columns">Result columns with their types.</param>
/// <param name="Rows">At most the requested number of rows.</param>
/// <param name="RowCount">Rows the query returned (or changed, for statements).</param>
/// <param name="ElapsedMs">Wall time in the engine.</param>
/// <param name="Truncated">True when more rows existed than were returned.</param>
public sealed record SqlAnswer(IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<object?[]> Rows, long RowCount, long ElapsedMs, bool Truncated);

/// <summary>Why a statement failed, with where in the SQL when the engine says.</summary>
/// <param name="Message">The engine's message, first line.</param>
/// <param name="Line">1-based line of the fault, when known.</param>
/// <param name="Column">1-based column of the fault, when known.</param>
/// <param name="Kind">What kind of failure: <c>syntax</c>, <c>binder</c>, <c>permission</c>, <c>runtime</c>, <c>cancelled</c>.</param>
public sealed record SqlFault(string Message, int? Line, int? Column, string Kind);

/// <summary>Either an answer or a fault.</summary>
public sealed record SqlOutcome(SqlAnswer? Answer, SqlFault? Fault);

/// <summary>Runs SQL typed by a user against the warehouse: the path behind <c>POST /api/sql</c> and the Query Editor.</summary>
public sealed partial class SqlQueryService(DuckDbWarehouse warehouse)
{
    /// <summary>Rows returned at most unless the caller asks for fewer.</summary>
    public const int DefaultMaxRows = 10_000;

    /// <summary>Runs <paramref name="sql"/>. Read-only callers may run only queries (a single SELECT).</summary>
    public async Task<SqlOutcome> RunAsync(string sql, bool readOnly, int maxRows, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            return Fault(new SqlFault("The SQL is empty.", null, null, "syntax"));
        }

        using var connection = warehouse.OpenConnection();
        if (readOnly && await WritesAsync(connection, sql, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return Fault(refusal);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            using var registration = cancellationToken.Register(command.Cancel);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var columns = new List<ColumnSchema>(reader.FieldCount);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                columns.Add(DuckDbTypes.FromSql(reader.GetName(i), reader.GetDataTypeName(i), true));
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

            return new SqlOutcome(new SqlAnswer(columns, rows, count, clock.ElapsedMilliseconds, count > rows.Count), null);
        }
        catch (OperationCanceledException)
        {
            return Fault(new SqlFault("The query was cancelled.", null, null, "cancelled"));
        }
        catch (DuckDBException e)
        {
            return Fault(Describe(e.Message, cancellationToken.IsCancellationRequested));
        }
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
                var offset = caret - match.Length;
                column = echoed.StartsWith("...", StringComparison.Ordinal) ? null : offset + 1;
            }

            return new SqlFault(firstLine, line, column, kind);
        }

        return new SqlFault(firstLine, null, null, kind);
    }

    private static async Task<SqlFault?> WritesAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        // json_serialize_sql parses without running and accepts only SELECT statements: a faithful read-only test.
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json_extract_string(json_serialize_sql($sql::VARCHAR), '$.error_message')";
        command.Parameters.Add(new DuckDBParameter("sql", sql));
        var error = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        if (string.IsNullOrEmpty(error))
        {
            return null;
        }

        return error.Contains("Only SELECT", StringComparison.OrdinalIgnoreCase)
            ? new SqlFault("Your role may only read: run a single SELECT query, or ask for the analyst role to write.", null, null, "permission")
            : Describe(error);
    }

    private static SqlOutcome Fault(SqlFault fault) => new(null, fault);

    [GeneratedRegex(@"^LINE (\d+): ")]
    private static partial Regex LinePointer();
}
