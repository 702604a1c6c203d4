using Matih.Plugins.SourceFaker.Generation;
using Matih.Sdk.Data;

namespace Matih.Plugins.SourceFaker.NovaMart.Streams;

/// <summary><c>products</c>: 50k at scale 1.0, at least 500; order items and clicks reference them.</summary>
internal sealed class ProductsStream : NovaMartStream
{
    public override string Name => "products";

    public override TableSchema Schema { get; } = new(
        [
            Columns.Id("product_id"),
            Columns.Text("name"),
            Columns.Text("category"),
            Columns.Money("price"),
            Columns.Timestamp("created_at"),
            Columns.Timestamp("updated_at"),
        ],
        ["product_id"]);

    public override string CursorField => "updated_at";

    public override double RowsPerUnit => 1;

    public override long UnitCount(double scale) => NovaMartShape.ProductCount(scale);

    public override IChunkGenerator CreateGenerator(NovaMartDataset data) => new Generator(data.Products);

    private sealed class Generator(ProductCatalog products) : IChunkGenerator
    {
        public void Generate(long first, long end, ChunkWriter writer)
        {
            for (var unit = (int)first; unit < end; unit++)
            {
                var updated = products.UpdatedAt[unit];
                if (!writer.Accept(updated.Ticks))
                {
                    continue;
                }

                var row = writer.AddRow();
                var batch = writer.Batch;
                batch.Column<long>(0).Set(row, unit + 1);
                batch.Column<string>(1).Set(row, products.Names[unit]);
                batch.Column<string>(2).Set(row, products.CategoryNames[unit]);
                batch.Column<decimal>(3).Set(row, Values.Money(products.PriceCents[unit]));
                batch.Column<DateTime>(4).Set(row, products.CreatedAt[unit]);
                batch.Column<DateTime>(5).Set(row, updated);
            }
        }
    }
}
