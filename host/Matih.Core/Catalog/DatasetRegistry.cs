using Matih.Core.Metadata;
using Matih.Sdk.Data;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Catalog;

/// <summary>Records every table Matih writes (syncs, imports, SQL) so the catalog can show origin, rows and freshness.</summary>
public sealed class DatasetRegistry(IDbContextFactory<MetadataDbContext> contexts, TimeProvider clock)
{
    /// <summary>Raised after a table was recorded, so caches of the catalog can refresh.</summary>
    public event Action? Changed;

    /// <summary>Registers or refreshes <paramref name="table"/>.</summary>
    public async Task RecordAsync(TableRef table, string origin, string? sourceLocation, long? rowCount, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var id = table.ToString();
        var record = await db.Datasets.SingleOrDefaultAsync(d => d.Id == id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            record = new DatasetRecord { Id = id, Origin = origin };
            db.Datasets.Add(record);
        }

        record.Origin = origin;
        record.SourceLocation = sourceLocation ?? record.SourceLocation;
        record.RowCount = rowCount;
        record.LastUpdated = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        Changed?.Invoke();
    }

    /// <summary>The record of <paramref name="table"/>, or null.</summary>
    public async Task<DatasetRecord?> FindAsync(TableRef table, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var id = table.ToString();
        return await db.Datasets.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken).ConfigureAwait(false);
    }
}
