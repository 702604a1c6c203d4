using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Matih.Testing;

/// <summary>
/// A real Matih host process on a free loopback port with its own temporary data directory, started the way a
/// user starts it (the built Matih.Host.dll), and stopped and cleaned up on dispose.
/// </summary>
public sealed class MatihHost : IAsyncDisposable
{
    /// <summary>The admin password every test host is started with.</summary>
    public const string AdminPassword = "test-admin-password-1";

    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly bool _ownsDataDirectory;

    private MatihHost(Process process, StringBuilder output, Uri baseAddress, string dataDirectory, bool ownsDataDirectory)
    {
        _process = process;
        _output = output;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
    }

    /// <summary>Where the host listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The host process's id (pipeline task attempts name their worker by it).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The host's data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>Everything the host printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The repository root (the folder holding Matih.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Matih.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("Matih.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The built host assembly, in the same configuration as the running tests.</summary>
    public static string HostAssembly
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
            var path = Path.Combine(RepositoryRoot, "host", "Matih.Host", "bin", configuration, "net10.0", "Matih.Host.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("Build the host first: dotnet build Matih.sln", path);
        }
    }

    /// <summary>Starts a host and waits until <c>/health</c> answers.</summary>
    /// <param name="demo">Load the NovaMart demo (scale 0.01 unless <paramref name="extraArgs"/> says otherwise).</param>
    /// <param name="extraArgs">More command-line arguments, e.g. <c>--plugins</c> FILE.</param>
    /// <param name="dataDirectory">Reuse a data directory (not deleted on dispose); null = a fresh temporary one.</param>
    /// <param name="environment">Extra environment variables.</param>
    public static async Task<MatihHost> StartAsync(bool demo = false, IEnumerable<string>? extraArgs = null, string? dataDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("matih-test-").FullName;
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(HostAssembly);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(dataDirectory);
        start.ArgumentList.Add("--plugins");
        start.ArgumentList.Add(Path.Combine(RepositoryRoot, "plugins.json"));
        if (!demo)
        {
            start.ArgumentList.Add("--no-demo");
        }

        foreach (var arg in extraArgs ?? [])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["MATIH_ADMIN_PASSWORD"] = AdminPassword;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new MatihHost(process, output, baseAddress, dataDirectory, owns);
        try
        {
            await host.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>
    /// Arguments for a server-mode host: PostgreSQL metadata (Hangfire and a shared warehouse follow it) and optionally
    /// a warehouse folder of its own. Pass them as <c>extraArgs</c> with a shared <c>dataDirectory</c>.
    /// </summary>
    public static IReadOnlyList<string> ServerModeArgs(string metadataConnectionString, string? warehouseDirectory = null) =>
        warehouseDirectory is null
            ? ["--metadata-postgres", metadataConnectionString]
            : ["--metadata-postgres", metadataConnectionString, "--warehouse-dir", warehouseDirectory];

    /// <summary>An HTTP client for the host without credentials.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    /// <summary>An HTTP client carrying a bearer token for <paramref name="username"/>.</summary>
    public async Task<HttpClient> SignedInAsync(string username = "admin", string password = AdminPassword)
    {
        var client = Anonymous();
        var response = await client.PostAsJsonAsync("api/auth/token", new { username, password });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Polls <c>/health</c> until the demo is ready (or not loading any more).</summary>
    public async Task WaitForDemoAsync(TimeSpan timeout)
    {
        using var client = Anonymous();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var health = await client.GetFromJsonAsync<JsonElement>("health");
            var state = health.GetProperty("demo").GetProperty("state").GetString();
            if (state != "loading")
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The demo did not finish loading in time.\n" + Output);
    }

    /// <summary>The host process's peak resident memory so far (Linux VmHWM), in bytes; null where unknown.</summary>
    public long? PeakMemoryBytes
    {
        get
        {
            var status = $"/proc/{_process.Id}/status";
            if (!File.Exists(status))
            {
                return null;
            }

            var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    /// <summary>Sends Ctrl-C (SIGINT) and waits for a graceful exit; returns the exit code.</summary>
    public async Task<int> InterruptAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_ownsDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open; the temp folder is cleaned by the OS eventually.
            }
        }
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var client = Anonymous();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                var response = await client.GetAsync("health");
                if (response.StatusCode is HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("The host did not become healthy in time:\n" + Output);
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
