using Matih.Core.Hosting;
using Matih.Core.Metadata;
using Matih.Host.Startup;
using Setup = Matih.Host.Startup.ServerMode;
using Microsoft.Extensions.Configuration;

namespace Matih.Host.Tests.ServerMode;

/// <summary>Server mode is chosen the .NET way: flags, <c>MATIH__</c> variables or appsettings.json, all binding one options class.</summary>
public sealed class ServerModeSettingsTests
{
    private const string Store = "Host=db;Database=matih;Username=matih;Password=pw-not-shown-1";

    [Fact]
    public void The_metadata_postgres_flag_selects_postgresql_and_hangfire_follows_it()
    {
        var options = Bind(CommandLine.Parse(["--metadata-postgres", Store, "--warehouse-dir", "/srv/wh-b", "--job-workers", "4"]).Args);

        Assert.Equal(MetadataStoreKind.PostgreSql, options.MetadataStore);
        Assert.Equal(Store, options.MetadataConnectionString);
        Assert.Equal(JobStorageKind.PostgreSql, Setup.EffectiveJobStorage(options));
        Assert.Equal("/srv/wh-b", options.WarehouseDirectory);
        Assert.Equal(4, options.JobWorkers);
        Assert.Equal(Matih.Core.Warehouse.WarehouseSharing.Shared, options.EffectiveWarehouseSharing);
        Assert.Equal("metadata: PostgreSQL db:5432/matih as matih; jobs: PostgreSQL (shared by every host on it); warehouse: shared (hosts on its folder take turns)",
            Setup.Describe(options));
    }

    [Fact]
    public void Jobs_can_stay_embedded_beside_postgresql_and_sqlite_keeps_them_embedded_by_default()
    {
        Assert.Equal(JobStorageKind.Embedded, Setup.EffectiveJobStorage(Bind(CommandLine.Parse(["--metadata-postgres", Store, "--jobs", "embedded"]).Args)));
        var embedded = Bind([]);
        Assert.Equal(MetadataStoreKind.Sqlite, embedded.MetadataStore);
        Assert.Equal(JobStorageKind.Embedded, Setup.EffectiveJobStorage(embedded));
        Assert.Equal(Matih.Core.Warehouse.WarehouseSharing.Exclusive, embedded.EffectiveWarehouseSharing);
        Assert.Equal(Matih.Core.Warehouse.WarehouseSharing.Exclusive,
            Bind(CommandLine.Parse(["--metadata-postgres", Store, "--warehouse-sharing", "exclusive"]).Args).EffectiveWarehouseSharing);
        Assert.StartsWith("metadata: SQLite file ", Setup.Describe(embedded), StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_style_keys_bind_the_same_settings()
    {
        // MATIH__METADATASTORE and MATIH__METADATACONNECTIONSTRING arrive as these keys.
        var options = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["MATIH:METADATASTORE"] = "PostgreSql", ["MATIH:METADATACONNECTIONSTRING"] = Store })
            .Build().GetSection("Matih").Get<MatihOptions>()!;

        Assert.Equal(MetadataStoreKind.PostgreSql, options.MetadataStore);
        Setup.Validate(options);
    }

    [Fact]
    public void Postgresql_without_a_connection_string_is_refused_naming_the_setting()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Setup.Validate(Bind(["--Matih:MetadataStore=PostgreSql"])));

        Assert.Contains("Matih:MetadataConnectionString", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--metadata-postgres", refused.Message, StringComparison.Ordinal);
    }

    private static MatihOptions Bind(string[] args) =>
        new ConfigurationBuilder().AddCommandLine(args).Build().GetSection("Matih").Get<MatihOptions>() ?? new MatihOptions();
}
