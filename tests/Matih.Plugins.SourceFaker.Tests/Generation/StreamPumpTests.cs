using Matih.Plugins.SourceFaker.Tests.Support;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.Tests.Generation;

public sealed class StreamPumpTests
{
    [Fact]
    public async Task Batches_never_hold_more_than_the_configured_rows()
    {
        var sink = new BatchSizeSink();
        var connector = new FakerConnector(new FakerSettings { MaxParallelism = 2, BatchRows = 777 });

        await connector.ReadAsync(Faker.Config(scale: 0.002), Faker.FullRefresh("orders", "returns"), sink, CancellationToken.None);

        Assert.InRange(sink.Largest, 700, 777);
        Assert.True(sink.Batches > 10);
    }

    [Fact]
    public async Task A_failing_sink_surfaces_its_own_error_and_stops_the_workers()
    {
        var sink = new BatchSizeSink { FailAfter = 3 };
        var connector = new FakerConnector(new FakerSettings { MaxParallelism = 2, BatchRows = 500 });

        var error = await Assert.ThrowsAsync<IOException>(() =>
            connector.ReadAsync(Faker.Config(scale: 0.01), Faker.FullRefresh("clickstream"), sink, CancellationToken.None));

        Assert.Equal("disk full", error.Message);
        Assert.Equal(3, sink.Batches);
    }

    private sealed class BatchSizeSink : IRecordSink
    {
        public int FailAfter { get; init; } = int.MaxValue;

        public int Largest { get; private set; }

        public int Batches { get; private set; }

        public Task BeginStreamAsync(string stream, TableSchema schema, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteAsync(string stream, RowBatch batch, RecordOperation operation, CancellationToken cancellationToken)
        {
            if (Batches == FailAfter)
            {
                throw new IOException("disk full");
            }

            Batches++;
            Largest = Math.Max(Largest, batch.Count);
            Assert.True(batch.Count <= batch.Capacity);
            return Task.CompletedTask;
        }

        public Task TruncateAsync(string stream, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task CheckpointAsync(ConnectorState state, CancellationToken cancellationToken) => Task.CompletedTask;

        public void ReportProgress(string stream, long rowsRead, long? rowsEstimated)
        {
        }
    }
}
