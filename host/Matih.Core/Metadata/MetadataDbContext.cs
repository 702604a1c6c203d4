using Matih.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Metadata;

/// <summary>
/// The metadata store: users now; connections, pipelines, runs, suites, experiments, models and the rest as their
/// features land. One model for SQLite (embedded) and PostgreSQL (server mode).
/// </summary>
public sealed class MetadataDbContext(DbContextOptions<MetadataDbContext> options) : DbContext(options)
{
    /// <summary>People and service accounts that can sign in.</summary>
    public DbSet<UserAccount> Users => Set<UserAccount>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
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
