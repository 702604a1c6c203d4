using System.Diagnostics;
using Matih.Plugins.SourcePostgres.Tests.Support;

namespace Matih.Plugins.SourcePostgres.Tests.Checks;

/// <summary>A server restarted with wal_level = replica, the default of a stock PostgreSQL.</summary>
public sealed class ReplicaWalServerFixture : PostgresFixture
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var directory = await ScalarAsync<string>("postgres", "SHOW data_directory");
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).Order().Last();
        string[] restart =
        [
            // -l: without a log file the new server would hold our output pipe open forever.
            Path.Combine(bin, "pg_ctl"), "-D", directory, "-l", Path.Combine(directory, "server.log"), "-w", "-m", "fast", "restart", "-o",
            $"-c port={Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={directory} -c wal_level=replica -c fsync=off",
        ];
        var start = Environment.UserName == "root"
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", .. restart])
            : new ProcessStartInfo(restart[0], restart[1..]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg_ctl restart failed: {await errors}{await output}");
    }
}

public sealed class WalLevelCheckTests(ReplicaWalServerFixture postgres) : IClassFixture<ReplicaWalServerFixture>
{
    [Fact]
    public async Task A_cdc_config_fails_the_check_when_wal_level_is_not_logical()
    {
        var result = await postgres.Connector.CheckAsync(postgres.CdcConfig("postgres"), default);

        Assert.False(result.Succeeded);
        Assert.StartsWith("replication_method: CDC needs wal_level = logical, but the server has wal_level = replica", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_standard_config_checks_whatever_the_wal_level()
    {
        var result = await postgres.Connector.CheckAsync(postgres.Config("postgres"), default);

        Assert.True(result.Succeeded, result.Message);
    }

    [Fact]
    public async Task A_cdc_sync_is_refused_with_the_same_reason_before_anything_is_created()
    {
        var database = await postgres.CreateDatabaseAsync("CREATE TABLE customers (customer_id int PRIMARY KEY);");
        var warehouse = new MemoryWarehouse();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => postgres.Connector.ReadAsync(
            postgres.CdcConfig(database), Streams.Request(warehouse, Streams.Incremental("customers")), warehouse.Sink(), default));

        Assert.Contains("wal_level = logical", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await postgres.ScalarAsync<long>(database, "SELECT count(*) FROM pg_publication"));
    }
}
