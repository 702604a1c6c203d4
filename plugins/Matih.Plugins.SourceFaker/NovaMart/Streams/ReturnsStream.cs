using System.Runtime.CompilerServices;
using Matih.Plugins.SourceFaker.Generation;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.NovaMart.Streams;

/// <summary><c>returns</c>: at most one per order, always after it; return_id is customer_id * 1000 + the return's number.</summary>
internal sealed class ReturnsStream : NovaMartStream
{
    public override string Name => "returns";

    public override TableSchema Schema { get; } = new(
        [
            Columns.Id("return_id"),
            Columns.Id("order_id"),
            Columns.Date("return_date"),
            Columns.Money("refund_amount"),
            Columns.Text("reason"),
        ],
        ["return_id"]);

    public override string CursorField => "return_date";

    public override double RowsPerUnit => NovaMartShape.ReturnsPerCustomer;

    public override IChunkGenerator CreateGenerator(NovaMartDataset data) => new Generator(data);

    private sealed class Generator(NovaMartDataset data) : IChunkGenerator
    {
        private readonly CustomerSimulator _customer = new(data);
        private RowBatch? _bound;
        private ColumnVector<long> _returnId = null!;
        private ColumnVector<long> _orderId = null!;
        private ColumnVector<DateOnly> _returnDate = null!;
        private ColumnVector<decimal> _refund = null!;
        private ColumnVector<string> _reason = null!;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Generate(long first, long end, ChunkWriter writer)
        {
            var c = _customer;
            for (var unit = first; unit < end; unit++)
            {
                c.SimulateProfile(unit + 1);
                c.SimulateOrders();
                var returnDaysAgo = c.ReturnDaysAgo;
                var refunds = c.RefundCents;
                var reasons = c.ReturnReason;
                var number = 0;
                for (var k = 0; k < c.OrderCount; k++)
                {
                    if (returnDaysAgo[k] < 0)
                    {
                        continue;
                    }

                    number++;
                    if (!writer.Accept(data.Ticks(returnDaysAgo[k], 0)))
                    {
                        continue;
                    }

                    var row = writer.AddRow();
                    Bind(writer.Batch);
                    _returnId.Set(row, (c.CustomerId * 1000) + number);
                    _orderId.Set(row, OrdersStream.OrderId(c.CustomerId, k));
                    _returnDate.Set(row, data.Date(returnDaysAgo[k]));
                    _refund.Set(row, Values.Money(refunds[k]));
                    _reason.Set(row, Vocabulary.ReturnReasons[reasons[k]]);
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
            _returnId = batch.Column<long>(0);
            _orderId = batch.Column<long>(1);
            _returnDate = batch.Column<DateOnly>(2);
            _refund = batch.Column<decimal>(3);
            _reason = batch.Column<string>(4);
        }
    }
}
