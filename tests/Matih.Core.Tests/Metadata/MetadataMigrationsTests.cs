using Matih.Core.Hosting;
using Matih.Core.Metadata;
using Matih.Core.Users;
using Matih.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Matih.Core.Tests.Metadata;

/// <summary>Both metadata stores are built and upgraded by EF Core migrations from the one model.</summary>
public sealed class MetadataMigrationsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-migrations-").FullName;

    [Fact]
    public void Every_model_change_has_a_migration_for_sqlite_and_for_postgresql()
    {
        // Fails when an IEntityTypeConfiguration changed without `scripts/migrations.sh add <Name>`.
        using var sqlite = new SqliteMetadataDesignFactory().CreateDbContext([]);
        using var postgres = new PostgresMetadataDesignFactory().CreateDbContext([]);
        Assert.False(sqlite.Database.HasPendingModelChanges(), "The model changed without a SQLite migration: run scripts/migrations.sh add <Name>.");
        Assert.False(postgres.Database.HasPendingModelChanges(), "The model changed without a PostgreSQL migration: run scripts/migrations.sh add <Name>.");
        Assert.Equal(sqlite.Database.GetMigrations().Count(), postgres.Database.GetMigrations().Count());
    }

    [Fact]
    public async Task A_fresh_sqlite_store_gets_every_migration_and_works()
    {
        await using var db = Sqlite("fresh.db");
        await MetadataSchema.EnsureAsync(db, default);

        await using var migrating = new SqliteMetadataDesignFactory().CreateDbContext([]);
        Assert.Equal(migrating.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        db.Users.Add(new UserAccount { UserName = "ada", PasswordHash = "x", Role = Role.Analyst, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        Assert.Equal(MetadataSchema.Version, (await db.SchemaInfo.SingleAsync()).Version);

        // Starting again is a no-op.
        await MetadataSchema.EnsureAsync(db, default);
        Assert.Equal(1, await db.Users.CountAsync());
    }

    [Fact]
    public async Task A_sqlite_store_made_before_migrations_is_adopted_with_its_data()
    {
        // What the additive schema of earlier builds left: the tables of its day, a schema_info row, no history.
        await using (var old = Sqlite("old.db"))
        {
            await using var connection = new SqliteConnection(old.Database.GetConnectionString());
            await connection.OpenAsync();
            foreach (var statement in old.Database.GenerateCreateScript().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = statement;
                await command.ExecuteNonQueryAsync();
            }

            await using var seed = connection.CreateCommand();
            // A feature that came later (saved queries) had no table yet; a user and the version row were there.
            seed.CommandText = """
                DROP TABLE saved_queries;
                INSERT INTO schema_info ("Id", "Version") VALUES (1, 1);
                """;
            await seed.ExecuteNonQueryAsync();
            old.Users.Add(new UserAccount { UserName = "grace", PasswordHash = "x", Role = Role.Admin, CreatedAt = DateTimeOffset.UtcNow });
            await old.SaveChangesAsync();
        }

        await using var db = Sqlite("old.db");
        await MetadataSchema.EnsureAsync(db, default);

        Assert.Equal("grace", (await db.Users.SingleAsync()).UserName);
        Assert.Equal(0, await db.SavedQueries.CountAsync());
        await using var migrating = new SqliteMetadataDesignFactory().CreateDbContext([]);
        Assert.Equal(migrating.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Equal(MetadataSchema.Version, (await db.SchemaInfo.SingleAsync()).Version);
    }

    [Fact]
    public async Task A_sqlite_store_migrated_by_a_newer_matih_is_refused_naming_the_store_and_both_versions()
    {
        await using var db = Sqlite("newer.db");
        await MetadataSchema.EnsureAsync(db, default);
        await RecordFutureMigrationAsync(db);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => MetadataSchema.EnsureAsync(db, default));

        var newest = new SqliteMetadataDesignFactory().CreateDbContext([]).Database.GetMigrations().Last();
        Assert.Contains(Path.Combine(_folder, "newer.db"), refused.Message, StringComparison.Ordinal);
        Assert.Contains("29991231000000_FromTheFuture", refused.Message, StringComparison.Ordinal);
        Assert.Contains(newest, refused.Message, StringComparison.Ordinal);
        Assert.Contains("newer Matih", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_postgresql_store_migrates_once_when_two_hosts_start_together_and_refuses_a_newer_one()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var options = new DbContextOptionsBuilder<MetadataDbContext>().UseNpgsql(postgres.ConnectionString()).Options;

        // Two hosts starting at the same moment: EF's migration lock lets one migrate, the other finds it done.
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var db = new MetadataDbContext(options);
            await MetadataSchema.EnsureAsync(db, default);
        }));

        await using (var db = new MetadataDbContext(options))
        {
            await using var migrating = new PostgresMetadataDesignFactory().CreateDbContext([]);
            Assert.Equal(migrating.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
            db.Users.Add(new UserAccount { UserName = "linus", PasswordHash = "x", Role = Role.Viewer, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
            Assert.Equal(MetadataSchema.Version, (await db.SchemaInfo.SingleAsync()).Version);

            await RecordFutureMigrationAsync(db);
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => MetadataSchema.EnsureAsync(db, default));
            Assert.Contains($"PostgreSQL 127.0.0.1:{postgres.Port}/postgres", refused.Message, StringComparison.Ordinal);
            Assert.Contains("29991231000000_FromTheFuture", refused.Message, StringComparison.Ordinal);
            Assert.Contains(migrating.Database.GetMigrations().Last(), refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_store_is_named_without_its_password()
    {
        var options = new MatihOptions
        {
            MetadataStore = MetadataStoreKind.PostgreSql,
            MetadataConnectionString = "Host=db.internal;Port=5433;Database=matih;Username=matih;Password=s3cret-pw",
        };

        Assert.Equal("PostgreSQL db.internal:5433/matih as matih", MetadataStores.Describe(options));
        Assert.DoesNotContain("s3cret-pw", MetadataStores.Mask(options.MetadataConnectionString), StringComparison.Ordinal);
        Assert.Contains("matih", MetadataStores.Mask(options.MetadataConnectionString), StringComparison.Ordinal);
        var missing = Assert.Throws<InvalidOperationException>(() => MetadataStores.PostgresConnectionString(new MatihOptions { MetadataStore = MetadataStoreKind.PostgreSql }));
        Assert.Contains("Matih:MetadataConnectionString", missing.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private MetadataDbContext Sqlite(string file) =>
        new(SqliteTuning.Use(new DbContextOptionsBuilder<MetadataDbContext>(), $"Data Source={Path.Combine(_folder, file)};Pooling=false").Options);

    private static async Task RecordFutureMigrationAsync(MetadataDbContext db)
    {
        // What a newer build leaves behind: a migration this build has never heard of.
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('29991231000000_FromTheFuture', '99.0.0')");
    }
}
