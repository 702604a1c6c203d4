using System.Runtime.CompilerServices;
using Matih.Plugins.SourceFaker.Generation;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.NovaMart.Streams;

/// <summary>
/// <c>clickstream</c>: the last 180 days of web and app events (the seed reads it as snowflake.analytics.clickstream).
/// event_id is customer_id * 10000 + the event's number; session_id is customer_id * 1000 + the session's number.
/// </summary>
internal sealed class ClickstreamStream : NovaMartStream
{
    public override string Name => "clickstream";

    public override string Namespace => "analytics";

    public override TableSchema Schema { get; } = new(
        [
            Columns.Id("event_id"),
            Columns.Id("customer_id"),
            Columns.Id("session_id"),
            Columns.Text("event_type"),
            Columns.Timestamp("event_timestamp"),
            Columns.Id("product_id", nullable: true),
            Columns.Text("channel"),
        ],
        ["event_id"]);

    public override string CursorField => "event_timestamp";

    public override double RowsPerUnit => NovaMartShape.EventsPerCustomer;

    public override IChunkGenerator CreateGenerator(NovaMartDataset data) => new Generator(data);

    private sealed class Generator(NovaMartDataset data) : IChunkGenerator
    {
        private readonly CustomerSimulator _customer = new(data);
        private RowBatch? _bound;
        private ColumnVector<long> _eventId = null!;
        private ColumnVector<long> _customerId = null!;
        private ColumnVector<long> _sessionId = null!;
        private ColumnVector<string> _eventType = null!;
        private ColumnVector<DateTime> _timestamp = null!;
        private ColumnVector<long> _productId = null!;
        private ColumnVector<string> _channel = null!;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Generate(long first, long end, ChunkWriter writer)
        {
            var c = _customer;
            for (var unit = first; unit < end; unit++)
            {
                c.SimulateProfile(unit + 1);
                c.SimulateClicks();
                var ticks = c.ClickTicks;
                var types = c.ClickType;
                var products = c.ClickProduct;
                var sessions = c.ClickSession;
                var channels = c.ClickChannel;
                for (var e = 0; e < ticks.Length; e++)
                {
                    if (!writer.Accept(ticks[e]))
                    {
                        continue;
                    }

                    var row = writer.AddRow();
                    Bind(writer.Batch);
                    _eventId.Set(row, (c.CustomerId * 10_000) + e + 1);
                    _customerId.Set(row, c.CustomerId);
                    _sessionId.Set(row, (c.CustomerId * 1000) + sessions[e]);
                    _eventType.Set(row, Vocabulary.EventTypes[types[e]]);
                    _timestamp.Set(row, Values.Timestamp(ticks[e]));
                    if (products[e] < 0)
                    {
                        _productId.SetNull(row);
                    }
                    else
                    {
                        _productId.Set(row, products[e] + 1);
                    }

                    _channel.Set(row, Vocabulary.Channels[channels[e]]);
                }
            }
        }

        private void Bind(RowBatch batch)
        {
            if (ReferenceEquals(batch, _bound))
            {
                return;
            }

            _bound = batch;
            _eventId = batch.Column<long>(0);
            _customerId = batch.Column<long>(1);
            _sessionId = batch.Column<long>(2);
            _eventType = batch.Column<string>(3);
            _timestamp = batch.Column<DateTime>(4);
            _productId = batch.Column<long>(5);
            _channel = batch.Column<string>(6);
        }
    }
}
