using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Matih.Core.Metadata;

/// <summary>
/// The metadata model on SQLite: owns the SQLite migration set (Metadata/Migrations/Sqlite). Only migrations use
/// it; the rest of Matih works with <see cref="MetadataDbContext"/>, whose model is the same.
/// </summary>
public sealed class SqliteMetadataDbContext(DbContextOptions<SqliteMetadataDbContext> options) : MetadataDbContext(options);

/// <summary>The metadata model on PostgreSQL: owns the PostgreSQL migration set (Metadata/Migrations/Postgres).</summary>
public sealed class PostgresMetadataDbContext(DbContextOptions<PostgresMetadataDbContext> options) : MetadataDbContext(options);

/// <summary>For <c>dotnet ef migrations add ... --context SqliteMetadataDbContext</c> (scripts/migrations.sh).</summary>
public sealed class SqliteMetadataDesignFactory : IDesignTimeDbContextFactory<SqliteMetadataDbContext>
{
    /// <inheritdoc />
    public SqliteMetadataDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteMetadataDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

/// <summary>For <c>dotnet ef migrations add ... --context PostgresMetadataDbContext</c>; no server is contacted.</summary>
public sealed class PostgresMetadataDesignFactory : IDesignTimeDbContextFactory<PostgresMetadataDbContext>
{
    /// <inheritdoc />
    public PostgresMetadataDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresMetadataDbContext>().UseNpgsql("Host=localhost;Database=matih_design").Options);
}
