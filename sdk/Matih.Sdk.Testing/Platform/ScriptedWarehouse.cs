using System.Runtime.CompilerServices;
using Matih.Sdk.Data;
using Matih.Sdk.Platform;

namespace Matih.Sdk.Testing;

/// <summary>
/// An <see cref="IWarehouse"/> for plugin tests that answers the SQL a test scripted and records every statement, so
/// a pipeline task or another plugin that queries the warehouse can be exercised without the host. It runs no SQL:
/// a query nobody scripted fails the test, naming the SQL.
/// </summary>
/// <example>
/// <code>
/// var warehouse = new ScriptedWarehouse()
///     .Answer("count(*)", new QueryResult([new ColumnSchema("n", ColumnType.Int64)], [[42L]]));
/// </code>
/// </example>
public sealed class ScriptedWarehouse : IWarehouse
{
    private readonly object _gate = new();
    private readonly List<(Func<string, bool> Matches, QueryResult Result)> _answers = [];
    private readonly List<(Func<string, bool> Matches, long Rows)> _statements = [];
    private readonly Dictionary<TableRef, TableSchema> _schemas = [];
    private readonly List<string> _received = [];

    /// <inheritdoc />
    public IReadOnlyList<string> Catalogs { get; set; } = ["analytics"];

    /// <summary>Every SQL text received (queries and statements), in order.</summary>
    public IReadOnlyList<string> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Answers queries whose SQL contains <paramref name="sqlFragment"/> (case-insensitive) with <paramref name="result"/>.</summary>
    public ScriptedWarehouse Answer(string sqlFragment, QueryResult result)
    {
        ArgumentException.ThrowIfNullOrEmpty(sqlFragment);
        return Answer(sql => sql.Contains(sqlFragment, StringComparison.OrdinalIgnoreCase), result);
    }

    /// <summary>Answers queries <paramref name="matches"/> accepts with <paramref name="result"/>; the first match wins.</summary>
    public ScriptedWarehouse Answer(Func<string, bool> matches, QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
        {
            _answers.Add((matches, result));
        }

        return this;
    }

    /// <summary>Makes statements whose SQL contains <paramref name="sqlFragment"/> report <paramref name="rowsChanged"/>.</summary>
    public ScriptedWarehouse AnswerStatement(string sqlFragment, long rowsChanged)
    {
        ArgumentException.ThrowIfNullOrEmpty(sqlFragment);
        lock (_gate)
        {
            _statements.Add((sql => sql.Contains(sqlFragment, StringComparison.OrdinalIgnoreCase), rowsChanged));
        }

        return this;
    }

    /// <summary>Declares a table, so <see cref="GetSchemaAsync"/> finds it.</summary>
    public ScriptedWarehouse AddTable(TableRef table, TableSchema schema)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(schema);
        lock (_gate)
        {
            _schemas[table] = schema;
        }

        return this;
    }

    /// <inheritdoc />
    public Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Find(sql));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<RowBatch> QueryBatchesAsync(string sql, int batchSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var result = Find(sql);
        for (var start = 0; start < result.Rows.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = new RowBatch(result.Columns, batchSize);
            foreach (var row in result.Rows.Skip(start).Take(batchSize))
            {
                batch.AddRow(row);
            }

            yield return batch;
            await Task.Yield();
        }
    }

    /// <inheritdoc />
    public Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _received.Add(sql);
            return Task.FromResult(_statements.FirstOrDefault(s => s.Matches(sql)).Rows);
        }
    }

    /// <inheritdoc />
    public Task<TableSchema?> GetSchemaAsync(TableRef table, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_schemas.GetValueOrDefault(table));
        }
    }

    private QueryResult Find(string sql)
    {
        lock (_gate)
        {
            _received.Add(sql);
            foreach (var (matches, result) in _answers)
            {
                if (matches(sql))
                {
                    return result;
                }
            }
        }

        throw new InvalidOperationException($"ScriptedWarehouse has no answer for this query; script one with Answer(...):\n{sql}");
    }
}
