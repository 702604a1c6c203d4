using System.Globalization;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Matih.Sdk.Drift;

namespace Matih.Core.Monitoring;

/// <summary>
/// Reads windows of the prediction log (and reference tables) as drift samples. The log is the warehouse table the
/// serving engine appends to; monitoring only reads it.
/// </summary>
public sealed class PredictionLogWindows(DuckDbWarehouse warehouse)
{
    /// <summary>The prediction log the serving engine writes.</summary>
    public static TableRef Table => Deployments.PredictionLog.Table;

    /// <summary>Whether the log exists yet (nothing was served before the first deployment).</summary>
    public async Task<bool> ExistsAsync(CancellationToken cancellationToken) =>
        await warehouse.GetSchemaAsync(Table, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>A feature's values in the window, as numbers or categories.</summary>
    public async Task<DriftSample> FeatureAsync(string deployment, string feature, bool categorical, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var value = $"json_extract_string(features, {Literal("$." + feature)})";
        return await SampleAsync($"SELECT {value} FROM {Table.ToSql()} {Where(deployment, from, to)}", categorical, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The predicted probabilities in the window.</summary>
    public Task<DriftSample> PredictionsAsync(string deployment, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        SampleAsync($"SELECT probability FROM {Table.ToSql()} {Where(deployment, from, to)}", categorical: false, cancellationToken);

    /// <summary>A column of a reference table.</summary>
    public async Task<DriftSample> ReferenceAsync(TableRef table, string column, CancellationToken cancellationToken)
    {
        var schema = await warehouse.GetSchemaAsync(table, cancellationToken).ConfigureAwait(false)
            ?? throw new MonitorDataException($"The reference dataset {table} does not exist.");
        var found = schema.Columns.FirstOrDefault(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase))
            ?? throw new MonitorDataException($"The reference dataset {table} has no column '{column}'.");
        return await SampleAsync($"SELECT {TableRef.Quote(found.Name)} FROM {table.ToSql()}", IsCategorical(found.Type), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether a reference column holds categories rather than numbers.</summary>
    public async Task<bool> IsCategoricalAsync(TableRef table, string column, CancellationToken cancellationToken)
    {
        var schema = await warehouse.GetSchemaAsync(table, cancellationToken).ConfigureAwait(false)
            ?? throw new MonitorDataException($"The reference dataset {table} does not exist.");
        var found = schema.Columns.FirstOrDefault(c => string.Equals(c.Name, column, StringComparison.OrdinalIgnoreCase))
            ?? throw new MonitorDataException($"The reference dataset {table} has no column '{column}'.");
        return IsCategorical(found.Type);
    }

    /// <summary>
    /// Scores and actual labels for precision@k: each entity's latest prediction in the window joined with the ground
    /// truth table (its first column is the entity key; the label is <c>label_column</c> or the first boolean or
    /// 0/1 column after it).
    /// </summary>
    public async Task<DriftSample> LabelledAsync(string deployment, TableRef groundTruth, string? labelColumn, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var schema = await warehouse.GetSchemaAsync(groundTruth, cancellationToken).ConfigureAwait(false)
            ?? throw new MonitorDataException($"The ground truth table {groundTruth} does not exist.");
        if (schema.Columns.Count < 2)
        {
            throw new MonitorDataException($"The ground truth table {groundTruth} needs an entity key column and a label column.");
        }

        var key = schema.Columns[0].Name;
        var label = labelColumn is not null
            ? schema.Columns.FirstOrDefault(c => string.Equals(c.Name, labelColumn, StringComparison.OrdinalIgnoreCase))?.Name
                ?? throw new MonitorDataException($"The ground truth table {groundTruth} has no column '{labelColumn}'.")
            : schema.Columns.Skip(1).FirstOrDefault(c => c.Type is ColumnType.Boolean or ColumnType.Int32 or ColumnType.Int64)?.Name
                ?? throw new MonitorDataException($"The ground truth table {groundTruth} has no boolean or 0/1 label column; name it with label_column.");
        var sql = $"""
            WITH latest AS (
                SELECT entity_key, arg_max(probability, logged_at) AS probability
                FROM {Table.ToSql()} {Where(deployment, from, to)} AND entity_key IS NOT NULL
                GROUP BY entity_key)
            SELECT l.probability, CAST(g.{TableRef.Quote(label)} AS BOOLEAN)
            FROM latest l JOIN {groundTruth.ToSql()} g ON CAST(g.{TableRef.Quote(key)} AS VARCHAR) = l.entity_key
            WHERE g.{TableRef.Quote(label)} IS NOT NULL
            """;
        var result = await warehouse.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        return new DriftSample
        {
            Numeric = result.Rows.Select(r => Convert.ToDouble(r[0], CultureInfo.InvariantCulture)).ToArray(),
            Labels = result.Rows.Select(r => (bool)r[1]!).ToArray(),
        };
    }

    /// <summary>Volume, latency percentiles and error rate of all requests in [from, to).</summary>
    public async Task<TrafficFigures> TrafficAsync(string deployment, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var result = await warehouse.QueryAsync($"""
            SELECT count(*), quantile_cont(latency_us, 0.5) / 1000.0, quantile_cont(latency_us, 0.99) / 1000.0,
                   coalesce(avg(CASE WHEN status = 'ok' THEN 0.0 ELSE 1.0 END), 0)
            FROM {Table.ToSql()}
            WHERE deployment = {Literal(deployment)} AND logged_at >= {Timestamp(from)} AND logged_at < {Timestamp(to)}
            """, cancellationToken).ConfigureAwait(false);
        var row = result.Rows[0];
        return new TrafficFigures(Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Nullable(row[1]), Nullable(row[2]), Convert.ToDouble(row[3], CultureInfo.InvariantCulture));

        static double? Nullable(object? value) => value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture);
    }

    /// <summary>Shares of successful predictions per risk band (LOW, MEDIUM, HIGH) in [from, to).</summary>
    public async Task<Dictionary<string, double>> RiskBandsAsync(string deployment, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var result = await warehouse.QueryAsync(
            $"SELECT risk, count(*) / sum(count(*)) OVER () FROM {Table.ToSql()} {Where(deployment, from, to)} GROUP BY risk", cancellationToken).ConfigureAwait(false);
        return result.Rows.Where(r => r[0] is not null).ToDictionary(r => (string)r[0]!, r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
    }

    /// <summary>The WHERE clause of a deployment's successful predictions in [from, to).</summary>
    public static string Where(string deployment, DateTimeOffset from, DateTimeOffset to) =>
        $"WHERE deployment = {Literal(deployment)} AND status = 'ok' AND logged_at >= {Timestamp(from)} AND logged_at < {Timestamp(to)}";

    /// <summary>A SQL string literal.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A SQL timestamp literal (UTC).</summary>
    public static string Timestamp(DateTimeOffset at) => $"TIMESTAMP '{at.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff}'";

    private static bool IsCategorical(ColumnType type) => type is ColumnType.String or ColumnType.Boolean;

    private async Task<DriftSample> SampleAsync(string sql, bool categorical, CancellationToken cancellationToken)
    {
        var values = new List<object?>();
        await foreach (var batch in warehouse.QueryBatchesAsync(sql, 100_000, cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                values.Add(batch.GetValue(i, 0));
            }
        }

        return categorical
            ? new DriftSample { Categorical = values.Select(v => v is null ? null : Convert.ToString(v, CultureInfo.InvariantCulture)).ToArray() }
            : new DriftSample
            {
                Numeric = values.Select(v => v switch
                {
                    null => double.NaN,
                    string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN,
                    _ => Convert.ToDouble(v, CultureInfo.InvariantCulture),
                }).ToArray(),
            };
    }
}

/// <summary>A check could not read what it compares (a missing table or column): shown as the check's error.</summary>
public sealed class MonitorDataException(string message) : Exception(message);
