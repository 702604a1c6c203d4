using Matih.Core.Catalog;
using Matih.Core.Connections;
using Matih.Core.Lineage;
using Matih.Core.Query;
using Matih.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Metadata;

/// <summary>
/// The metadata store: users now; connections, pipelines, runs, suites, experiments, models and the rest as their
/// features land. One model for SQLite (embedded) and PostgreSQL (server mode); the schema is created and upgraded by
/// the provider's migration set (<see cref="SqliteMetadataDbContext"/>, <see cref="PostgresMetadataDbContext"/>).
/// </summary>
public class MetadataDbContext : DbContext
{
    /// <summary>A context over <paramref name="options"/>.</summary>
    public MetadataDbContext(DbContextOptions<MetadataDbContext> options)
        : base(options)
    {
    }

    /// <summary>For the per-provider subclasses that own the migration sets.</summary>
    protected MetadataDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>People and service accounts that can sign in.</summary>
    public DbSet<UserAccount> Users => Set<UserAccount>();

    /// <summary>Source connections.</summary>
    public DbSet<ConnectionRecord> Connections => Set<ConnectionRecord>();

    /// <summary>Sync runs of connections.</summary>
    public DbSet<SyncRunRecord> SyncRuns => Set<SyncRunRecord>();

    /// <summary>Tables Matih wrote, with origin and freshness.</summary>
    public DbSet<DatasetRecord> Datasets => Set<DatasetRecord>();

    /// <summary>Lineage edges between tables and sources.</summary>
    public DbSet<LineageEdge> LineageEdges => Set<LineageEdge>();

    /// <summary>Saved queries with dotted names.</summary>
    public DbSet<SavedQuery> SavedQueries => Set<SavedQuery>();

    /// <summary>Every statement users ran, per user.</summary>
    public DbSet<QueryHistoryEntry> QueryHistory => Set<QueryHistoryEntry>();

    /// <summary>Column profiles of tables over time.</summary>
    public DbSet<StoredProfile> Profiles => Set<StoredProfile>();

    /// <summary>Which schema version wrote the store.</summary>
    public DbSet<SchemaInfo> SchemaInfo => Set<SchemaInfo>();

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset; a binary (ticks + offset) long sorts correctly everywhere.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Features added later (pipelines, quality, features, ML) map their tables with an IEntityTypeConfiguration
        // in their own folder, so each feature owns its part of the store.
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MetadataDbContext).Assembly);
        modelBuilder.Entity<SchemaInfo>().ToTable("schema_info");
        modelBuilder.Entity<LineageEdge>(e =>
        {
            e.ToTable("lineage_edges");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.Upstream, x.Downstream }).IsUnique();
            e.HasIndex(x => x.Downstream);
        });
        modelBuilder.Entity<SavedQuery>(q =>
        {
            q.ToTable("saved_queries");
            q.HasKey(x => x.Name);
        });
        modelBuilder.Entity<QueryHistoryEntry>(h =>
        {
            h.ToTable("query_history");
            h.HasKey(x => x.Id);
            h.HasIndex(x => new { x.UserName, x.StartedAt });
        });
        modelBuilder.Entity<StoredProfile>(p =>
        {
            p.ToTable("table_profiles");
            p.HasKey(x => x.Id);
            p.HasIndex(x => new { x.Table, x.TakenAt });
        });
        modelBuilder.Entity<DatasetRecord>(d =>
        {
            d.ToTable("datasets");
            d.HasKey(x => x.Id);
        });
        modelBuilder.Entity<ConnectionRecord>(c =>
        {
            c.ToTable("connections");
            c.HasKey(x => x.Id);
            c.HasIndex(x => x.Name);
        });
        modelBuilder.Entity<SyncRunRecord>(r =>
        {
            r.ToTable("sync_runs");
            r.HasKey(x => x.Id);
            r.HasIndex(x => new { x.ConnectionId, x.QueuedAt });
            r.HasIndex(x => x.State);
        });
        modelBuilder.Entity<UserAccount>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.HasIndex(u => u.UserName).IsUnique();
            user.Property(u => u.UserName).HasMaxLength(100);
            user.Property(u => u.Role).HasConversion<string>().HasMaxLength(20);
        });
    }
}
