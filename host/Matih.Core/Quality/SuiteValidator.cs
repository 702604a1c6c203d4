using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Matih.Sdk.Quality;

namespace Matih.Core.Quality;

/// <summary>
/// Evaluates a suite over one table in as few scans as possible: every column-map and aggregate expectation in one
/// SELECT (FILTER-ed counts and aggregates, identical expressions computed once), each distinct query plan once (rules
/// that share a grouped query emit the same SQL), follow-up queries only for the aggregates whose figures ask for one
/// (uniqueness when the distinct count shows repeats), and one more statement sampling up to 20 unexpected values per
/// column-map expectation only when some were found. When the shared scan fails (a rule produced SQL the table
/// rejects), each plan is evaluated alone so the one at fault is reported and the others still are.
/// </summary>
public sealed class SuiteValidator
{
    /// <summary>How many unexpected values a column-map result lists (GE's partial_unexpected_list).</summary>
    public const int PartialListSize = 20;

    private readonly DuckDbWarehouse _warehouse;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, IQualityRule> _rules;

    /// <summary>Creates the validator over the quality rules the plugins registered.</summary>
    public SuiteValidator(DuckDbWarehouse warehouse, IEnumerable<IQualityRule> rules, TimeProvider clock)
    {
        _warehouse = warehouse;
        _clock = clock;
        _rules = rules.GroupBy(r => r.ExpectationType, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    /// <summary>The expectation types known, by name.</summary>
    public IReadOnlyCollection<IQualityRule> Rules => _rules.Values;

    /// <summary>Evaluates <paramref name="suite"/> over <paramref name="table"/>. Findings are results; a missing table fails every expectation.</summary>
    public async Task<SuiteValidation> ValidateAsync(ExpectationSuite suite, TableRef table, CancellationToken cancellationToken)
    {
        var timer = Stopwatch.StartNew();
        var runAt = _clock.GetUtcNow();
        var results = new ExpectationResult?[suite.Expectations.Count];
        var schema = await _warehouse.GetSchemaAsync(table, cancellationToken).ConfigureAwait(false);
        if (schema is null)
        {
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = Failed(i, suite.Expectations[i], $"The table {table} does not exist.");
            }

            return new SuiteValidation(suite.Name, table.ToString(), runAt, results!, 0, timer.Elapsed);
        }

        var planned = new List<Planned>();
        for (var i = 0; i < suite.Expectations.Count; i++)
        {
            var config = suite.Expectations[i];
            if (!_rules.TryGetValue(config.Type, out var rule))
            {
                results[i] = Failed(i, config, $"No loaded plugin provides the expectation type '{config.Type}'; see the Plugins page.");
                continue;
            }

            ExpectationPlan plan;
            try
            {
                plan = rule.Plan(config.Kwargs, table, schema);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                results[i] = Failed(i, config, $"The rule for {config.Type} failed: {ex.Message}");
                continue;
            }

            if (plan is InvalidKwargsPlan invalid)
            {
                results[i] = Failed(i, config, $"kwargs.{invalid.Kwarg}: {invalid.Message}");
                continue;
            }

            if (plan is ColumnMapPlan map && schema.Find(map.Column) is null)
            {
                results[i] = Failed(i, config, $"kwargs.column: the table has no column '{map.Column}'.");
                continue;
            }

            planned.Add(new Planned(i, config, plan));
        }

        // The shared scan and the grouped queries are independent: run side by side, each on its own connection, so
        // the single-threaded phases of one (a hash table's finalize, the sample) overlap the other.
        var scanPlans = planned.Where(p => p.Plan is ColumnMapPlan or AggregatePlan).ToList();
        var queryPlans = planned.Where(p => p.Plan is QueryPlan).ToList();
        int queries;
        if (queryPlans.Count == 0)
        {
            queries = OnOwnConnection(c => EvaluateScan(c, table, scanPlans, results, cancellationToken));
        }
        else
        {
            var scan = Task.Run(() => OnOwnConnection(c => EvaluateScan(c, table, scanPlans, results, cancellationToken)), cancellationToken);
            var grouped = Task.Run(() => OnOwnConnection(c => EvaluateQueries(c, table, queryPlans, results, cancellationToken)), cancellationToken);
            queries = await scan.ConfigureAwait(false) + await grouped.ConfigureAwait(false);
        }

        return new SuiteValidation(suite.Name, table.ToString(), runAt, results!, queries, timer.Elapsed);
    }

    private int OnOwnConnection(Func<DuckDBConnection, int> evaluate)
    {
        using var connection = _warehouse.OpenConnection();
        return evaluate(connection);
    }

    /// <summary>Column-map and aggregate plans in one SELECT; returns the statements issued.</summary>
    private static int EvaluateScan(DuckDBConnection connection, TableRef table, List<Planned> plans, ExpectationResult?[] results, CancellationToken cancellationToken)
    {
        if (plans.Count == 0)
        {
            return 0;
        }

        var scan = new Scan();
        var rows = scan.Add("count(*)");
        var slots = plans.ToDictionary(p => p.Index, p => Slots(scan, p));
        if (scan.Expressions.Count == 1 && plans.All(p => p.Plan is AggregatePlan { AggregatesSql.Count: 0 }))
        {
            // Only schema checks: nothing to read.
            foreach (var p in plans)
            {
                results[p.Index] = FromAggregate(p, (AggregatePlan)p.Plan, []);
            }

            return 0;
        }

        var queries = 1;
        object?[]? values = null;
        try
        {
            values = Query(connection, $"SELECT {string.Join(", ", scan.Expressions)} FROM {table.ToSql()}", cancellationToken)[0];
        }
        catch (DuckDBException)
        {
            // One plan's SQL is wrong for this table: evaluate each alone so only that one fails.
        }

        var maps = new List<(Planned Plan, ColumnMapPlan Map, long Unexpected)>();
        var followUps = new List<Planned>();
        foreach (var p in plans)
        {
            var own = values;
            if (own is null)
            {
                var alone = new Scan();
                alone.Add("count(*)");
                var aloneSlots = Slots(alone, p);
                try
                {
                    queries++;
                    var row = Query(connection, $"SELECT {string.Join(", ", alone.Expressions)} FROM {table.ToSql()}", cancellationToken)[0];
                    slots[p.Index] = aloneSlots;
                    own = row;
                }
                catch (DuckDBException ex)
                {
                    results[p.Index] = Failed(p.Index, p.Config, $"The query failed: {ex.Message}");
                    continue;
                }
            }

            var at = slots[p.Index];
            var elements = Convert.ToInt64(own[rows], CultureInfo.InvariantCulture);
            try
            {
                if (p.Plan is ColumnMapPlan map)
                {
                    var result = FromMap(p, map, elements, own, at);
                    results[p.Index] = result;
                    if (result.Number("unexpected_count") is > 0)
                    {
                        maps.Add((p, map, (long)result.Number("unexpected_count")!.Value));
                    }
                }
                else
                {
                    var aggregate = (AggregatePlan)p.Plan;
                    var figures = at.Select(i => own[i]).ToArray();
                    if (aggregate.FollowUp?.Invoke(figures) is { } followUp)
                    {
                        followUps.Add(p with { Plan = followUp });
                    }
                    else
                    {
                        results[p.Index] = FromAggregate(p, aggregate, figures);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                results[p.Index] = Failed(p.Index, p.Config, $"The rule for {p.Config.Type} failed to read its figures: {ex.Message}");
            }
        }

        // Only the aggregates that asked for it (repeats found, say) cost another query.
        queries += EvaluateQueries(connection, table, followUps, results, cancellationToken);
        return queries + Sample(connection, table, maps, results, cancellationToken);
    }

    /// <summary>Adds a plan's expressions to the scan; returns their positions.</summary>
    private static int[] Slots(Scan scan, Planned p)
    {
        if (p.Plan is ColumnMapPlan map)
        {
            var column = TableRef.Quote(map.Column);
            var nonNull = scan.Add($"count({column})");
            var unexpected = map.NullsAreUnexpected
                ? (IsFalse(map.UnexpectedSql) ? -1 : scan.Add($"count(*) FILTER (WHERE {column} IS NOT NULL AND ({map.UnexpectedSql}))"))
                : scan.Add($"count(*) FILTER (WHERE {column} IS NOT NULL AND ({map.UnexpectedSql}))");
            var extras = ValidationText.ExtraAggregates(p.Config, column).Select(scan.Add);
            return [nonNull, unexpected, .. extras];
        }

        return ((AggregatePlan)p.Plan).AggregatesSql.Select(scan.Add).ToArray();
    }

    private static ExpectationResult FromMap(Planned p, ColumnMapPlan map, long elements, object?[] values, int[] at)
    {
        var nonNull = Convert.ToInt64(values[at[0]], CultureInfo.InvariantCulture);
        var unexpectedValues = at[1] < 0 ? 0 : Convert.ToInt64(values[at[1]], CultureInfo.InvariantCulture);
        var missing = elements - nonNull;
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        bool success;
        if (map.NullsAreUnexpected)
        {
            // Nulls are the unexpected values: the share is over every row (GE's not_be_null).
            var unexpected = missing + unexpectedValues;
            success = elements == 0 || (double)(elements - unexpected) / elements >= map.Mostly;
            result["element_count"] = elements;
            result["unexpected_count"] = unexpected;
            result["unexpected_percent"] = elements == 0 ? null : 100.0 * unexpected / elements;
            result["unexpected_percent_total"] = elements == 0 ? null : 100.0 * unexpected / elements;
            result["partial_unexpected_list"] = Enumerable.Repeat<object?>(null, (int)Math.Min(missing, PartialListSize)).ToList();
        }
        else
        {
            success = nonNull == 0 || (double)(nonNull - unexpectedValues) / nonNull >= map.Mostly;
            result["element_count"] = elements;
            result["missing_count"] = missing;
            result["missing_percent"] = elements == 0 ? null : 100.0 * missing / elements;
            result["unexpected_count"] = unexpectedValues;
            result["unexpected_percent"] = nonNull == 0 ? null : 100.0 * unexpectedValues / nonNull;
            result["unexpected_percent_total"] = elements == 0 ? null : 100.0 * unexpectedValues / elements;
            result["unexpected_percent_nonmissing"] = nonNull == 0 ? null : 100.0 * unexpectedValues / nonNull;
            result["partial_unexpected_list"] = new List<object?>();
        }

        if (at.Length > 2)
        {
            result["details"] = ValidationText.ExtraDetails(p.Config, at.Skip(2).Select(i => Plain(values[i])).ToArray());
        }

        return new ExpectationResult(p.Index, p.Config, success, result, null);
    }

    private static ExpectationResult FromAggregate(Planned p, AggregatePlan plan, object?[] values)
    {
        var outcome = plan.Evaluate(values);
        return FromOutcome(p, outcome);
    }

    private static ExpectationResult FromOutcome(Planned p, ExpectationOutcome outcome)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (outcome.ObservedValue is not null || !outcome.Details.ContainsKey("unexpected_count"))
        {
            result["observed_value"] = Plain(outcome.ObservedValue);
        }

        foreach (var (key, value) in outcome.Details)
        {
            result[key] = Plain(value);
        }

        return new ExpectationResult(p.Index, p.Config, outcome.Success, result, null);
    }

    /// <summary>Up to 20 unexpected values per column-map result that has some, all in one statement.</summary>
    private static int Sample(DuckDBConnection connection, TableRef table, List<(Planned Plan, ColumnMapPlan Map, long Unexpected)> maps, ExpectationResult?[] results, CancellationToken cancellationToken)
    {
        var sampled = maps.Where(m => !IsFalse(m.Map.UnexpectedSql)).ToList();
        if (sampled.Count == 0)
        {
            return 0;
        }

        var subqueries = sampled.Select(m =>
        {
            var column = TableRef.Quote(m.Map.Column);
            var where = m.Map.NullsAreUnexpected ? $"{column} IS NULL OR ({m.Map.UnexpectedSql})" : $"{column} IS NOT NULL AND ({m.Map.UnexpectedSql})";
            return $"(SELECT list(v) FROM (SELECT {column} AS v FROM {table.ToSql()} WHERE {where} LIMIT {PartialListSize}))";
        });
        try
        {
            var row = Query(connection, $"SELECT {string.Join(", ", subqueries)}", cancellationToken)[0];
            for (var i = 0; i < sampled.Count; i++)
            {
                var index = sampled[i].Plan.Index;
                var result = new Dictionary<string, object?>(results[index]!.Result, StringComparer.Ordinal)
                {
                    ["partial_unexpected_list"] = Plain(row[i]) ?? new List<object?>(),
                };
                results[index] = results[index]! with { Result = result };
            }
        }
        catch (DuckDBException)
        {
            // The sample only illustrates the counts, which stand without it.
        }

        return 1;
    }

    /// <summary>Each distinct query once; plans emitting the same SQL share its rows.</summary>
    private static int EvaluateQueries(DuckDBConnection connection, TableRef table, List<Planned> plans, ExpectationResult?[] results, CancellationToken cancellationToken)
    {
        var queries = 0;
        foreach (var group in plans.GroupBy(p => ((QueryPlan)p.Plan).Sql.Replace("{table}", table.ToSql(), StringComparison.Ordinal), StringComparer.Ordinal))
        {
            IReadOnlyList<IReadOnlyList<object?>> rows;
            try
            {
                queries++;
                rows = Query(connection, group.Key, cancellationToken);
            }
            catch (DuckDBException ex)
            {
                foreach (var p in group)
                {
                    results[p.Index] = Failed(p.Index, p.Config, $"The query failed: {ex.Message}");
                }

                continue;
            }

            foreach (var p in group)
            {
                try
                {
                    results[p.Index] = FromOutcome(p, ((QueryPlan)p.Plan).Evaluate(rows));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    results[p.Index] = Failed(p.Index, p.Config, $"The rule for {p.Config.Type} failed to read its figures: {ex.Message}");
                }
            }
        }

        return queries;
    }

    private static List<object?[]> Query(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var registration = cancellationToken.Register(() => TryCancel(command));
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = DuckDbWarehouse.ReadValue(reader, i);
            }

            rows.Add(row);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return rows;
    }

    private static void TryCancel(DbCommand command)
    {
        try
        {
            command.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The query finished first.
        }
    }

    private static bool IsFalse(string sql) => string.Equals(sql.Trim(), "FALSE", StringComparison.OrdinalIgnoreCase);

    private static ExpectationResult Failed(int index, ExpectationConfig config, string message) =>
        new(index, config, false, new Dictionary<string, object?>(), message);

    /// <summary>A value as JSON can hold it: lists and maps made plain, non-finite numbers null, unknown types as text.</summary>
    internal static object? Plain(object? value) => value switch
    {
        null or DBNull => null,
        string or bool or int or long or short or byte or sbyte or uint or ulong or ushort or decimal or Guid => value,
        double d => double.IsFinite(d) ? d : null,
        float f => float.IsFinite(f) ? (double)f : null,
        DateTime or DateOnly or DateTimeOffset or TimeOnly or TimeSpan => value,
        System.Text.Json.JsonElement or System.Text.Json.Nodes.JsonNode => value,
        System.Collections.IDictionary map => map.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, CultureInfo.InvariantCulture) ?? "", k => Plain(map[k])),
        byte[] bytes => Convert.ToBase64String(bytes),
        System.Collections.IEnumerable list => list.Cast<object?>().Select(Plain).ToList(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private sealed record Planned(int Index, ExpectationConfig Config, ExpectationPlan Plan);

    /// <summary>The shared SELECT list; identical expressions are computed once.</summary>
    private sealed class Scan
    {
        private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);

        public List<string> Expressions { get; } = [];

        public int Add(string expression)
        {
            if (!_positions.TryGetValue(expression, out var position))
            {
                position = Expressions.Count;
                Expressions.Add(expression);
                _positions[expression] = position;
            }

            return position;
        }
    }
}
