using System.Runtime.CompilerServices;
using Matih.Plugins.SourceFaker.Generation;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.NovaMart.Streams;

/// <summary><c>order_items</c>: ~1.6 per order; order_item_id is order_id * 10 + the line number.</summary>
internal sealed class OrderItemsStream : NovaMartStream
{
    public override string Name => "order_items";

    public override TableSchema Schema { get; } = new(
        [
            Columns.Id("order_item_id"),
            Columns.Id("order_id"),
            Columns.Id("product_id"),
            Columns.Integer("quantity"),
            Columns.Money("unit_price"),
            Columns.Timestamp("created_at"),
        ],
        ["order_item_id"]);

    public override string CursorField => "created_at";

    public override double RowsPerUnit => NovaMartShape.ItemsPerCustomer;

    public override IChunkGenerator CreateGenerator(NovaMartDataset data) => new Generator(data);

    private sealed class Generator(NovaMartDataset data) : IChunkGenerator
    {
        private readonly CustomerSimulator _customer = new(data);
        private RowBatch? _bound;
        private ColumnVector<long> _itemId = null!;
        private ColumnVector<long> _orderId = null!;
        private ColumnVector<long> _productId = null!;
        private ColumnVector<int> _quantity = null!;
        private ColumnVector<decimal> _unitPrice = null!;
        private ColumnVector<DateTime> _createdAt = null!;

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
                var starts = c.OrderItemStart;
                var products = c.ItemProduct;
                var quantities = c.ItemQuantity;
                var prices = c.ItemUnitCents;
                for (var k = 0; k < c.OrderCount; k++)
                {
                    var created = data.Ticks(daysAgo[k], seconds[k]);
                    if (!writer.Accept(created))
                    {
                        continue;
                    }

                    var orderId = OrdersStream.OrderId(c.CustomerId, k);
                    for (var i = starts[k]; i < starts[k + 1]; i++)
                    {
                        var row = writer.AddRow();
                        Bind(writer.Batch);
                        _itemId.Set(row, (orderId * 10) + (i - starts[k]) + 1);
                        _orderId.Set(row, orderId);
                        _productId.Set(row, products[i] + 1);
                        _quantity.Set(row, quantities[i]);
                        _unitPrice.Set(row, Values.Money(prices[i]));
                        _createdAt.Set(row, Values.Timestamp(created));
                    }
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
            _itemId = batch.Column<long>(0);
            _orderId = batch.Column<long>(1);
            _productId = batch.Column<long>(2);
            _quantity = batch.Column<int>(3);
            _unitPrice = batch.Column<decimal>(4);
            _createdAt = batch.Column<DateTime>(5);
        }
    }
}
