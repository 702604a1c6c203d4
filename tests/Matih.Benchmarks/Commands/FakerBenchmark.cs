using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matih.Plugins.SourceFaker;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Benchmarks.Commands;

/// <summary>
/// <c>faker</c>: generates every NovaMart stream into a sink that only counts rows, so the figure is the
/// generator's own speed (what a real sink adds is measured by the sink's own benchmark).
/// </summary>
public sealed class FakerBenchmark : IBenchmarkCommand
{
    /// <inheritdoc />
    public string Name => "faker";

    /// <inheritdoc />
    public string Description => "Generate all source-faker streams into a discarding sink; rows per stream, rows/s, peak memory.";

    /// <inheritdoc />
    public string Usage => "--scale 1.0 --seed 42 --as-of 2025-12-15 --repeat 1 [--threads N] [--batch 8192] [--streams customers,orders]";

    /// <inheritdoc />
    public async Task<int> RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var scale = options.Number("scale", 1.0);
        var seed = options.Integer("seed", 42);
        var asOf = options.Text("as-of") ?? "2025-12-15";
        var repeat = (int)options.Integer("repeat", 1);
        var only = options.Text("streams")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var settings = new FakerSettings
        {
            MaxParallelism = (int)options.Integer("threads", Environment.ProcessorCount),
            BatchRows = (int)options.Integer("batch", 8_192),
        };
        if (options.Unused.FirstOrDefault() is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}. Options: {Usage}");
        }

        if (repeat < 1)
        {
            throw new ArgumentException("--repeat: must be at least 1.");
        }

        var connector = new FakerConnector(settings);
        using var configDocument = JsonDocument.Parse(string.Create(
            CultureInfo.InvariantCulture, $$"""{"scale": {{scale}}, "seed": {{seed}}, "as_of": "{{asOf}}"}"""));
        var config = configDocument.RootElement;
        var check = await connector.CheckAsync(config, cancellationToken);
        if (!check.Succeeded)
        {
            throw new ArgumentException(check.Message);
        }

        var streams = await connector.DiscoverAsync(config, cancellationToken);
        if (only?.FirstOrDefault(name => !streams.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))) is { } missing)
        {
            throw new ArgumentException($"--streams: no stream '{missing}'. Streams: {string.Join(", ", streams.Select(s => s.Name))}.");
        }

        var request = new ReadRequest(
            streams
                .Where(s => only is null || only.Contains(s.Name, StringComparer.OrdinalIgnoreCase))
                .Select(s => new ConfiguredStream(s.Name, SyncMode.FullRefresh, null, s.Schema.PrimaryKey))
                .ToList(),
            State: null);

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"source-faker: scale {scale}, seed {seed}, as_of {asOf}, {settings.MaxParallelism} threads, batches of {settings.BatchRows:N0} rows, {Environment.ProcessorCount} cores"));
        Console.WriteLine();

        var runs = new List<RunFigures>();
        CountingSink? first = null;
        for (var run = 1; run <= repeat; run++)
        {
            var sink = new CountingSink();
            var stopwatch = Stopwatch.StartNew();
            await connector.ReadAsync(config, request, sink, cancellationToken);
            stopwatch.Stop();
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            runs.Add(new RunFigures(run, sink.TotalRows, stopwatch.Elapsed.TotalSeconds, process.PeakWorkingSet64));
            first ??= sink;
        }

        Console.WriteLine($"{"stream",-14} {"rows",14} {"seconds",9} {"rows/s",14}   (run 1)");
        foreach (var (stream, figures) in first!.Streams)
        {
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{stream,-14} {figures.Rows,14:N0} {figures.Seconds,9:F2} {figures.Rows / Math.Max(figures.Seconds, 1e-9),14:N0}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-14} {first.TotalRows,14:N0}"));
        Console.WriteLine();
        Console.WriteLine($"{"run",-8} {"seconds",9} {"rows/s",14} {"peak memory",13}");
        foreach (var figures in runs)
        {
            Console.WriteLine(figures.Format(figures.Run.ToString(CultureInfo.InvariantCulture)));
        }

        if (runs.Count > 1)
        {
            var median = runs.OrderBy(r => r.Seconds).ElementAt(runs.Count / 2);
            Console.WriteLine(median.Format("median"));
        }

        return 0;
    }

    private sealed record RunFigures(int Run, long Rows, double Seconds, long PeakWorkingSet)
    {
        public string Format(string label) => string.Create(
            CultureInfo.InvariantCulture,
            $"{label,-8} {Seconds,9:F2} {Rows / Seconds,14:N0} {PeakWorkingSet / (1024.0 * 1024.0),10:N0} MiB");
    }

    private sealed class StreamFigures
    {
        public long Rows { get; set; }

        public double Seconds { get; set; }
    }

    /// <summary>Counts rows per stream and times each stream from its start to its checkpoint; keeps no rows.</summary>
    private sealed class CountingSink : IRecordSink
    {
        private readonly Dictionary<string, StreamFigures> _streams = new(StringComparer.Ordinal);
        private readonly Stopwatch _clock = new();
        private StreamFigures? _current;

        public IEnumerable<KeyValuePair<string, StreamFigures>> Streams => _streams;

        public long TotalRows => _streams.Values.Sum(s => s.Rows);

        public Task BeginStreamAsync(string stream, TableSchema schema, CancellationToken cancellationToken)
        {
            _current = _streams[stream] = new StreamFigures();
            _clock.Restart();
            return Task.CompletedTask;
        }

        public Task WriteAsync(string stream, RowBatch batch, RecordOperation operation, CancellationToken cancellationToken)
        {
            _streams[stream].Rows += batch.Count;
            return Task.CompletedTask;
        }

        public Task TruncateAsync(string stream, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task CheckpointAsync(ConnectorState state, CancellationToken cancellationToken)
        {
            // The connector checkpoints once at the end of each stream.
            if (_current is not null)
            {
                _current.Seconds = _clock.Elapsed.TotalSeconds;
                _current = null;
            }

            return Task.CompletedTask;
        }

        public void ReportProgress(string stream, long rowsRead, long? rowsEstimated)
        {
        }
    }
}
