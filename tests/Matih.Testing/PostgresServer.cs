using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Matih.Testing;

/// <summary>
/// A real PostgreSQL from Debian's packages, started in a temporary directory on a free loopback port with
/// logical replication on, and stopped and removed on dispose. Trust authentication: test use only.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;

    private PostgresServer(string bin, string directory, int port)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>A connection string to database <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=15";

    /// <summary>Initialises and starts a cluster (~4 s).</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => d).LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed; scripts/test.sh installs it (apt-get install postgresql).");
        }

        var directory = Directory.CreateTempSubdirectory("matih-pg-").FullName;
        var port = FreePort();
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["postgres", directory]);
        }

        await RunAsPostgresAsync(Path.Combine(bin, "initdb"), ["-D", directory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        await RunAsPostgresAsync(Path.Combine(bin, "pg_ctl"),
        [
            "-D", directory, "-l", Path.Combine(directory, "server.log"), "-w", "-o",
            $"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={directory} -c wal_level=logical " +
            "-c max_replication_slots=10 -c max_wal_senders=10 -c fsync=off -c synchronous_commit=off", "start",
        ]);
        return new PostgresServer(bin, directory, port);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), ["-D", _directory, "-m", "immediate", "stop"]);
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static Task RunAsPostgresAsync(string program, IReadOnlyList<string> args) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", program, .. args]) : RunAsync(program, args);

    private static async Task RunAsync(string program, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
