using System.Data.Common;
using Matih.Core.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Matih.Core.Metadata;

/// <summary>
/// Picks the metadata store from <see cref="MatihOptions"/> and names it for people: the name never carries a
/// password, so it is safe for logs, error messages and the Settings page.
/// </summary>
public static class MetadataStores
{
    /// <summary>Configures <paramref name="builder"/> for the configured store.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL without a connection string, or an unreadable one.</exception>
    public static DbContextOptionsBuilder Use(DbContextOptionsBuilder builder, MatihOptions options) => options.MetadataStore switch
    {
        MetadataStoreKind.PostgreSql => builder.UseNpgsql(PostgresConnectionString(options)),
        _ => SqliteTuning.Use(builder, SqliteConnectionString(options)),
    };

    /// <summary>The SQLite connection string: as configured, else <c>metadata.db</c> in the data directory.</summary>
    public static string SqliteConnectionString(MatihOptions options) =>
        options.MetadataConnectionString ?? $"Data Source={Path.Combine(options.DataPath, "metadata.db")}";

    /// <summary>The PostgreSQL connection string, checked.</summary>
    /// <exception cref="InvalidOperationException">It is missing or not a connection string.</exception>
    public static string PostgresConnectionString(MatihOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.MetadataConnectionString))
        {
            throw new InvalidOperationException(
                "Matih:MetadataStore is PostgreSql but Matih:MetadataConnectionString is empty. Set it, e.g. " +
                "--metadata-postgres \"Host=127.0.0.1;Port=55432;Username=postgres;Database=matih\" or MATIH__METADATACONNECTIONSTRING.");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.MetadataConnectionString);
        }
        catch (ArgumentException e)
        {
            // The message names the bad keyword, never the value.
            throw new InvalidOperationException($"Matih:MetadataConnectionString is not a PostgreSQL connection string: {e.Message}", e);
        }

        return options.MetadataConnectionString;
    }

    /// <summary>The configured store for people, e.g. <c>PostgreSQL 127.0.0.1:5432/matih as matih</c>; no password.</summary>
    public static string Describe(MatihOptions options)
    {
        try
        {
            return options.MetadataStore == MetadataStoreKind.PostgreSql
                ? DescribePostgres(new NpgsqlConnectionStringBuilder(options.MetadataConnectionString))
                : $"SQLite file {Path.GetFullPath(new SqliteConnectionStringBuilder(SqliteConnectionString(options)).DataSource)}";
        }
        catch (ArgumentException)
        {
            return options.MetadataStore == MetadataStoreKind.PostgreSql ? "PostgreSQL (unreadable connection string)" : "SQLite (unreadable connection string)";
        }
    }

    /// <summary>The store behind an open or closed connection, for messages; no password.</summary>
    public static string Describe(DbConnection connection) => connection switch
    {
        NpgsqlConnection npgsql => DescribePostgres(new NpgsqlConnectionStringBuilder(npgsql.ConnectionString)),
        SqliteConnection sqlite => $"SQLite file {sqlite.DataSource}",
        _ => connection.GetType().Name,
    };

    /// <summary>A connection string with its password (and any other secret keyword) replaced by <c>***</c>.</summary>
    public static string Mask(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (var key in builder.Keys.Cast<string>().ToList())
        {
            if (key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase))
            {
                builder[key] = "***";
            }
        }

        return builder.ConnectionString;
    }

    private static string DescribePostgres(NpgsqlConnectionStringBuilder b) =>
        $"PostgreSQL {b.Host}:{b.Port}/{b.Database ?? b.Username} as {b.Username}";
}
