using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Metadata;

/// <summary>
/// Brings the metadata store up to the model: creates missing tables and indexes (idempotent, so a store made by
/// an earlier Matih gains the tables of new features) and refuses a store written by a newer Matih.
/// </summary>
public static class MetadataSchema
{
    /// <summary>The schema version this build writes. Raise it when a change is not purely additive.</summary>
    public const int Version = 1;

    /// <summary>Creates what is missing; throws <see cref="InvalidOperationException"/> for a newer store.</summary>
    public static async Task EnsureAsync(MetadataDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsSqlite())
        {
            // Write-ahead logging lets readers go on while pipeline workers write; it is a property of the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL", cancellationToken).ConfigureAwait(false);
        }

        var script = db.Database.GenerateCreateScript();
        foreach (var statement in script.Split(";", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var idempotent = statement
                .Replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", StringComparison.Ordinal)
                .Replace("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS ", StringComparison.Ordinal)
                .Replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", StringComparison.Ordinal);
            if (idempotent.Length > 0)
            {
                await db.Database.ExecuteSqlRawAsync(idempotent, cancellationToken).ConfigureAwait(false);
            }
        }

        var info = await db.SchemaInfo.SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (info is null)
        {
            db.SchemaInfo.Add(new SchemaInfo { Id = 1, Version = Version });
        }
        else if (info.Version > Version)
        {
            throw new InvalidOperationException(
                $"The metadata store was written by a newer Matih (schema {info.Version}); this build knows schema {Version}. Upgrade Matih or point it at another data directory.");
        }
        else
        {
            info.Version = Version;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The one row saying which schema version wrote the store.</summary>
public sealed class SchemaInfo
{
    /// <summary>Always 1.</summary>
    public int Id { get; set; }

    /// <summary>The schema version.</summary>
    public int Version { get; set; }
}
