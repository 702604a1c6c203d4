using Matih.Core.Audit;
using Matih.Core.Catalog;
using Matih.Core.Lineage;
using Matih.Core.Metadata;
using Matih.Core.Query;
using Matih.Core.Warehouse;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Tests;

/// <summary>A real warehouse and metadata store in a temporary folder, and the engine services over them.</summary>
public sealed class TestStores : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-stores-").FullName;

    public TestStores()
    {
        Warehouse = new DuckDbWarehouse(new WarehouseOptions { Directory = Path.Combine(_folder, "warehouse"), Catalogs = ["postgresql", "snowflake", "analytics", "novamart"] });
        var options = SqliteTuning.Use(new DbContextOptionsBuilder<MetadataDbContext>(), $"Data Source={Path.Combine(_folder, "metadata.db")};Pooling=false").Options;
        Contexts = new Factory(options);
        using (var db = Contexts.CreateDbContext())
        {
            MetadataSchema.EnsureAsync(db, default).GetAwaiter().GetResult();
        }

        Datasets = new DatasetRegistry(Contexts, Clock);
        Lineage = new LineageGraph(Contexts, Clock);
        Parser = new LineageParser(Warehouse);
        Queries = new SqlQueryService(Warehouse, Parser, Lineage, Datasets, Contexts, Clock);
        Audit = new AuditLog(Contexts, Clock);
    }

    public string Folder => _folder;

    public TimeProvider Clock { get; } = TimeProvider.System;

    public DuckDbWarehouse Warehouse { get; }

    public IDbContextFactory<MetadataDbContext> Contexts { get; }

    public DatasetRegistry Datasets { get; }

    public LineageGraph Lineage { get; }

    public LineageParser Parser { get; }

    public SqlQueryService Queries { get; }

    public AuditLog Audit { get; }

    /// <summary>Every audit entry of <paramref name="action"/> (or all), oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(string? action = null) =>
        (await Audit.QueryAsync(new AuditQuery(Action: action, Limit: AuditLog.MaxLimit), default)).Items.Reverse().ToArray();

    public void Dispose()
    {
        Warehouse.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class Factory(DbContextOptions<MetadataDbContext> options) : IDbContextFactory<MetadataDbContext>
    {
        public MetadataDbContext CreateDbContext() => new(options);
    }
}
