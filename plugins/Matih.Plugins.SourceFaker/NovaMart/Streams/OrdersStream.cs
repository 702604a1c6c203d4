using System.Runtime.CompilerServices;
using Matih.Plugins.SourceFaker.Generation;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.NovaMart.Streams;

/// <summary><c>orders</c>: ~9.5 per customer; order_id is customer_id * 1000 + the order's number.</summary>
internal sealed class OrdersStream : NovaMartStream
{
    public override string Name => "orders";

    public override TableSchema Schema { get; } = new(
        [
            Columns.Id("order_id"),
            Columns.Id("customer_id"),
            Columns.Date("order_date"),
            Columns.Money("total_amount"),
            Columns.Text("status"),
            Columns.Text("channel"),
            Columns.Timestamp("created_at"),
            Columns.Timestamp("updated_at"),
        ],
        ["order_id"]);

    public override string CursorField => "updated_at";

    public override double RowsPerUnit => NovaMartShape.OrdersPerCustomer;

    public override IChunkGenerator CreateGenerator(NovaMartDataset data) => new Generator(data);

    public static long OrderId(long customerId, int orderIndex) => (customerId * 1000) + orderIndex + 1;

    private sealed class Generator(NovaMartDataset data) : IChunkGenerator
    {
        private readonly CustomerSimulator _customer = new(data);
        private RowBatch? _bound;
        private ColumnVector<long> _orderId = null!;
        private ColumnVector<long> _customerId = null!;
        private ColumnVector<DateOnly> _orderDate = null!;
        private ColumnVector<decimal> _total = null!;
        private ColumnVector<string> _status = null!;
        private ColumnVector<string> _channel = null!;
        private ColumnVector<DateTime> _createdAt = null!;
        private ColumnVector<DateTime> _updatedAt = null!;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Generate(long first, long end, ChunkWriter writer)
        {
            var c = _customer;
            for (var unit = first; unit < end; unit++)
            {
                c.SimulateProfile(unit + 1);
                c.SimulateOrders();
                var daysAgo = c.OrderDaysAgo;
                var seconds = c.OrderSecond;
                var totals = c.OrderTotalCents;
                var statuses = c.OrderStatus;
                var channels = c.OrderChannel;
                var updated = c.OrderUpdatedTicks;
                for (var k = 0; k < c.OrderCount; k++)
                {
                    if (!writer.Accept(updated[k]))
                    {
                        continue;
                    }

                    var row = writer.AddRow();
                    Bind(writer.Batch);
                    _orderId.Set(row, OrderId(c.CustomerId, k));
                    _customerId.Set(row, c.CustomerId);
                    _orderDate.Set(row, data.Date(daysAgo[k]));
                    _total.Set(row, Values.Money(totals[k]));
                    _status.Set(row, Vocabulary.OrderStatuses[statuses[k]]);
                    _channel.Set(row, Vocabulary.Channels[channels[k]]);
                    _createdAt.Set(row, Values.Timestamp(data.Ticks(daysAgo[k], seconds[k])));
                    _updatedAt.Set(row, Values.Timestamp(updated[k]));
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
            _orderId = batch.Column<long>(0);
            _customerId = batch.Column<long>(1);
            _orderDate = batch.Column<DateOnly>(2);
            _total = batch.Column<decimal>(3);
            _status = batch.Column<string>(4);
            _channel = batch.Column<string>(5);
            _createdAt = batch.Column<DateTime>(6);
            _updatedAt = batch.Column<DateTime>(7);
        }
    }
}
