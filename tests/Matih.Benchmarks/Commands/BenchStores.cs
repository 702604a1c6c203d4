using Matih.Core.Catalog;
using Matih.Core.Lineage;
using Matih.Core.Metadata;
using Matih.Core.Query;
using Matih.Core.Warehouse;
using Microsoft.EntityFrameworkCore;

namespace Matih.Benchmarks.Commands;

/// <summary>The engine over a warehouse and metadata store in a folder, as the host builds it, for in-process benchmarks.</summary>
internal sealed class BenchStores : IDisposable
{
    private readonly bool _owns;

    public BenchStores(string? folder = null, string? memoryLimit = null)
    {
        _owns = folder is null;
        Folder = folder ?? Directory.CreateTempSubdirectory("matih-bench-").FullName;
        Warehouse = new DuckDbWarehouse(new WarehouseOptions { Directory = Path.Combine(Folder, "warehouse"), MemoryLimit = memoryLimit });
        var options = SqliteTuning.Use(new DbContextOptionsBuilder<MetadataDbContext>(), $"Data Source={Path.Combine(Folder, "metadata.db")}").Options;
        Contexts = new Factory(options);
        using (var db = Contexts.CreateDbContext())
        {
            MetadataSchema.EnsureAsync(db, default).GetAwaiter().GetResult();
        }

        Datasets = new DatasetRegistry(Contexts, TimeProvider.System);
        Lineage = new LineageGraph(Contexts, TimeProvider.System);
        Queries = new SqlQueryService(Warehouse, new LineageParser(Warehouse), Lineage, Datasets, Contexts, TimeProvider.System);
    }

    public string Folder { get; }

    public DuckDbWarehouse Warehouse { get; }

    public IDbContextFactory<MetadataDbContext> Contexts { get; }

    public DatasetRegistry Datasets { get; }

    public LineageGraph Lineage { get; }

    public SqlQueryService Queries { get; }

    public void Dispose()
    {
        Warehouse.Dispose();
        if (_owns)
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    /// <summary>The median of <paramref name="values"/>.</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed class Factory(DbContextOptions<MetadataDbContext> options) : IDbContextFactory<MetadataDbContext>
    {
        public MetadataDbContext CreateDbContext() => new(options);
    }
}
