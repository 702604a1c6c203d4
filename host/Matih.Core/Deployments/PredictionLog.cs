using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using DuckDB.NET.Data;
using Matih.Core.Catalog;
using Matih.Core.Warehouse;
using Matih.Sdk.Data;
using Matih.Sdk.Serving;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Deployments;

/// <summary>One row of the prediction log.</summary>
/// <param name="RequestId">The request (a batch's instances share it).</param>
/// <param name="BatchIndex">The instance's index in a batch request; null for a single prediction.</param>
/// <param name="Deployment">The deployment that answered.</param>
/// <param name="ModelName">The model.</param>
/// <param name="ModelVersion">Its version.</param>
/// <param name="Variant">The A/B variant that served it; null outside A/B tests.</param>
/// <param name="EntityKey">The entity key as text (<c>1042587</c>), when the request carried one.</param>
/// <param name="Features">The inputs the model scored; null when the request was refused before they were read.</param>
/// <param name="Probability">The positive-class probability; null when there was no prediction.</param>
/// <param name="Risk">LOW, MEDIUM or HIGH.</param>
/// <param name="TopFactors">The top factors returned.</param>
/// <param name="LatencyUs">Server-side latency of the whole request, in microseconds.</param>
/// <param name="Status">ok | invalid | not_found | error.</param>
/// <param name="Error">Why it was not ok.</param>
/// <param name="LoggedAt">When it was answered (UTC).</param>
public sealed record PredictionLogEntry(
    Guid RequestId,
    int? BatchIndex,
    string Deployment,
    string ModelName,
    string ModelVersion,
    string? Variant,
    string? EntityKey,
    FeatureVector? Features,
    double? Probability,
    string? Risk,
    IReadOnlyList<FeatureFactor>? TopFactors,
    long LatencyUs,
    string Status,
    string? Error,
    DateTime LoggedAt);

/// <summary>What the prediction log has done since start.</summary>
/// <param name="Written">Rows appended to the table.</param>
/// <param name="Dropped">Rows not taken because the queue was full.</param>
/// <param name="Failed">Rows lost because the warehouse refused a batch.</param>
/// <param name="Queued">Rows waiting to be written.</param>
/// <param name="LastError">The last write error, if any.</param>
public sealed record PredictionLogStatus(long Written, long Dropped, long Failed, int Queued, string? LastError);

/// <summary>
/// Appends every prediction to the warehouse table <c>analytics.monitoring.prediction_log</c>, off the request path:
/// requests put rows on a bounded queue (a full queue drops the row and counts it, never blocks a request), and one
/// background writer appends them with DuckDB's appender every 500 ms or 1,000 rows, and once more on shutdown.
/// </summary>
/// <remarks>
/// Columns (monitoring reads them): <c>request_id</c> UUID, <c>batch_index</c> INTEGER (null for single predictions),
/// <c>deployment</c>, <c>model_name</c>, <c>model_version</c>, <c>variant</c> (A/B tests; null otherwise),
/// <c>entity_key</c> (text), <c>features</c> (JSON object of the inputs scored: numbers, strings, null for missing),
/// <c>probability</c> DOUBLE, <c>risk</c> (LOW/MEDIUM/HIGH), <c>top_factors</c> (JSON array of {feature, importance}),
/// <c>latency_us</c> BIGINT, <c>status</c> (ok, invalid, not_found, error), <c>error</c>, <c>logged_at</c> TIMESTAMP (UTC).
/// Requests refused at the concurrency limit are not predictions and are counted in the deployment's stats only.
/// </remarks>
public sealed class PredictionLog : IHostedService, IDisposable
{
    /// <summary>The log table.</summary>
    public static readonly TableRef Table = new("analytics", "monitoring", "prediction_log");

    /// <summary>Rows written per append at most.</summary>
    public const int BatchRows = 1_000;

    /// <summary>Rows the queue holds before it drops.</summary>
    public const int DefaultCapacity = 200_000;

    /// <summary>How long a row waits at most before it is written.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(500);

    private readonly DuckDbWarehouse _warehouse;
    private readonly DatasetRegistry? _datasets;
    private readonly ILogger _log;
    private readonly Channel<PredictionLogEntry> _queue;
    private readonly ArrayBufferWriter<byte> _json = new(1024);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _writer;
    private long _accepted;
    private long _written;
    private long _dropped;
    private long _failed;
    private string? _lastError;

    /// <summary>Creates the log; <see cref="StartAsync"/> creates the table and starts the writer.</summary>
    public PredictionLog(DuckDbWarehouse warehouse, DatasetRegistry? datasets, ILogger<PredictionLog> log, int capacity = DefaultCapacity)
    {
        _warehouse = warehouse;
        _datasets = datasets;
        _log = log;
        _queue = Channel.CreateBounded<PredictionLogEntry>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>Queues a row; false (and counted) when the queue is full or the log has stopped.</summary>
    public bool TryAppend(PredictionLogEntry entry)
    {
        if (_queue.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _accepted);
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>What the log has done.</summary>
    public PredictionLogStatus Status => new(Interlocked.Read(ref _written), Interlocked.Read(ref _dropped), Interlocked.Read(ref _failed), _queue.Reader.Count, _lastError);

    /// <summary>Creates the table (when missing) and starts the writer.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        _writer ??= Task.Run(() => WriteLoopAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Stops taking rows and writes what is queued.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            try
            {
                await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Shutdown ran out of time; the writer is told to stop after its current batch.
                await _stopping.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits until every row queued before the call is written (or lost), at most <paramref name="timeout"/>.</summary>
    public async Task FlushAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var target = Interlocked.Read(ref _accepted);
        var clock = Stopwatch.StartNew();
        while (Interlocked.Read(ref _written) + Interlocked.Read(ref _failed) < target && clock.Elapsed < timeout)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        _warehouse.EnsureCatalog(Table.Catalog);
        await _warehouse.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {TableRef.Quote(Table.Catalog)}.{TableRef.Quote(Table.Schema)}", cancellationToken).ConfigureAwait(false);
        await _warehouse.ExecuteAsync($"""
            CREATE TABLE IF NOT EXISTS {Table.ToSql()} (
                request_id UUID NOT NULL,
                batch_index INTEGER,
                deployment VARCHAR NOT NULL,
                model_name VARCHAR NOT NULL,
                model_version VARCHAR NOT NULL,
                variant VARCHAR,
                entity_key VARCHAR,
                features VARCHAR,
                probability DOUBLE,
                risk VARCHAR,
                top_factors VARCHAR,
                latency_us BIGINT NOT NULL,
                status VARCHAR NOT NULL,
                error VARCHAR,
                logged_at TIMESTAMP NOT NULL)
            """, cancellationToken).ConfigureAwait(false);
        if (_datasets is not null)
        {
            await _datasets.RecordAsync(Table, "serving", null, null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteLoopAsync(CancellationToken stopping)
    {
        var reader = _queue.Reader;
        var batch = new List<PredictionLogEntry>(BatchRows);
        try
        {
            while (await reader.WaitToReadAsync(stopping).ConfigureAwait(false))
            {
                var deadline = Stopwatch.GetTimestamp() + (long)(FlushInterval.TotalSeconds * Stopwatch.Frequency);
                while (batch.Count < BatchRows)
                {
                    while (batch.Count < BatchRows && reader.TryRead(out var entry))
                    {
                        batch.Add(entry);
                    }

                    var remaining = TimeSpan.FromSeconds((deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
                    if (batch.Count >= BatchRows || remaining <= TimeSpan.Zero)
                    {
                        break;
                    }

                    var more = reader.WaitToReadAsync(stopping).AsTask();
                    if (await Task.WhenAny(more, Task.Delay(remaining, stopping)).ConfigureAwait(false) != more || !await more.ConfigureAwait(false))
                    {
                        break;
                    }
                }

                Write(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped without draining: shutdown ran out of time.
        }

        // Rows queued after the last wait (the queue is complete by now, or stopping was forced).
        while (reader.TryRead(out var late))
        {
            batch.Add(late);
            if (batch.Count == BatchRows)
            {
                Write(batch);
                batch.Clear();
            }
        }

        Write(batch);
    }

    private void Write(List<PredictionLogEntry> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            // A connection per batch, not per writer: a shared warehouse is held only while a batch is written.
            using var connection = _warehouse.OpenConnection();
            using (var appender = connection.CreateAppender(Table.Catalog, Table.Schema, Table.Table))
            {
                foreach (var entry in batch)
                {
                    appender.CreateRow()
                        .AppendValue(entry.RequestId)
                        .AppendValue(entry.BatchIndex)
                        .AppendValue(entry.Deployment)
                        .AppendValue(entry.ModelName)
                        .AppendValue(entry.ModelVersion)
                        .AppendValue(entry.Variant)
                        .AppendValue(entry.EntityKey)
                        .AppendValue(entry.Features is null ? null : FeaturesJson(entry.Features))
                        .AppendValue(entry.Probability)
                        .AppendValue(entry.Risk)
                        .AppendValue(entry.TopFactors is null ? null : FactorsJson(entry.TopFactors))
                        .AppendValue(entry.LatencyUs)
                        .AppendValue(entry.Status)
                        .AppendValue(entry.Error)
                        .AppendValue(entry.LoggedAt)
                        .EndRow();
                }
            }

            Interlocked.Add(ref _written, batch.Count);
        }
        catch (Exception e) when (e is DuckDBException or InvalidOperationException)
        {
            // The rows are lost, not retried: a log must not grow without bound behind a broken table.
            Interlocked.Add(ref _failed, batch.Count);
            _lastError = e.Message;
            _log.LogError(e, "Could not append {Rows} rows to {Table}", batch.Count, Table);
        }
    }

    private string FeaturesJson(FeatureVector features)
    {
        _json.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_json))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in features.Numeric)
            {
                if (float.IsFinite(value))
                {
                    writer.WriteNumber(name, value);
                }
                else
                {
                    writer.WriteNull(name);
                }
            }

            foreach (var (name, value) in features.Categorical)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(_json.WrittenSpan);
    }

    private string FactorsJson(IReadOnlyList<FeatureFactor> factors)
    {
        _json.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_json))
        {
            writer.WriteStartArray();
            foreach (var factor in factors)
            {
                writer.WriteStartObject();
                writer.WriteString("feature", factor.Feature);
                writer.WriteNumber("importance", Math.Round(factor.Importance, 6));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(_json.WrittenSpan);
    }
}
