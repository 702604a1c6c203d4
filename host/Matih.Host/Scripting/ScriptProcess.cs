using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Matih.Scripting.Protocol;

namespace Matih.Host.Scripting;

/// <summary>The script process ended (or was killed) while a request was open.</summary>
public sealed class ScriptProcessExitedException(int? exitCode, string errorTail)
    : Exception($"The script process ended (exit code {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}).")
{
    /// <summary>The exit code, when known.</summary>
    public int? ExitCode { get; } = exitCode;

    /// <summary>The last lines the runtime wrote to standard error (a stack overflow's report).</summary>
    public string ErrorTail { get; } = errorTail;
}

/// <summary>
/// One script runner child process (<c>dotnet Matih.Scripting.Runner.dll</c>): JSON-line requests on its stdin, replies
/// on its stdout, its runtime's own complaints (stack overflow, a crash) kept from stderr. It runs with a managed heap
/// limit and without the host's MATIH_* environment (no admin password, no secrets), in the host's working directory.
/// </summary>
public sealed class ScriptProcess : IAsyncDisposable
{
    private const int ErrorTailChars = 8192;

    private readonly Process _process;
    private readonly ConcurrentDictionary<int, Pending> _pending = new();
    private readonly TaskCompletionSource<RunnerStats> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _errors = new();
    private readonly object _writeGate = new();
    private int _nextId;
    private volatile bool _killed;

    private ScriptProcess(Process process) => _process = process;

    /// <summary>The OS process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Runs and submissions done so far.</summary>
    public int Uses { get; set; }

    /// <summary>True when the process must not be reused (it ran out of memory, or was stopped).</summary>
    public bool Poisoned { get; set; }

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>True when the host killed it.</summary>
    public bool Killed => _killed;

    /// <summary>Completes when the process ends.</summary>
    public Task Exited => _exited.Task;

    /// <summary>The exit code once ended.</summary>
    public int? ExitCode => HasExited ? SafeExitCode() : null;

    /// <summary>What the runtime wrote to standard error lately.</summary>
    public string ErrorTail
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Starts a runner and waits until it has warmed up (compiled and run a first script).</summary>
    /// <exception cref="InvalidOperationException">The runner is missing or did not start; the message says why.</exception>
    public static async Task<ScriptProcess> StartAsync(ScriptEngineOptions options, CancellationToken cancellationToken)
    {
        var runner = options.ResolveRunner();
        if (!File.Exists(runner))
        {
            throw new InvalidOperationException($"The script runner is missing at {runner}. Build the host (dotnet build host/Matih.Host) so scripting/ is copied beside it, or set Matih:Scripts:RunnerPath.");
        }

        var start = new ProcessStartInfo(DotnetPath())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Environment.CurrentDirectory,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardInputEncoding = new UTF8Encoding(false),
        };
        start.ArgumentList.Add(runner);
        foreach (var key in start.Environment.Keys.ToArray())
        {
            // The host's own settings (admin password, connection strings) are not the script's business.
            if (key.StartsWith("MATIH", StringComparison.OrdinalIgnoreCase) || key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }

        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + (options.MemoryLimitMb * 1024L * 1024).ToString("X", CultureInfo.InvariantCulture);
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_GCgen0size"] = "0x2000000";
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment["MATIH_SCRIPT_MEMORY_MB"] = options.MemoryLimitMb.ToString(CultureInfo.InvariantCulture);
        start.Environment["MATIH_SCRIPT_CACHE"] = options.CacheSize.ToString(CultureInfo.InvariantCulture);

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ScriptProcess(process);
        process.ErrorDataReceived += (_, e) => child.AppendError(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("The script runner did not start.");
        }

        process.BeginErrorReadLine();
        _ = child.ReadLoopAsync();
        try
        {
            await child._ready.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return child;
    }

    /// <summary>
    /// Sends <paramref name="request"/> (its id is assigned here) and returns the final reply (<c>done</c>,
    /// <c>completion</c> or <c>stats</c>); <paramref name="onEvent"/> sees <c>output</c> and <c>display</c> messages on the way.
    /// </summary>
    /// <exception cref="ScriptProcessExitedException">The process ended first.</exception>
    public Task<RunnerMessage> RequestAsync(RunnerRequest request, Action<RunnerMessage>? onEvent, out int id)
    {
        id = Interlocked.Increment(ref _nextId);
        var pending = new Pending(onEvent);
        _pending[id] = pending;
        if (HasExited)
        {
            _pending.TryRemove(id, out _);
            return Task.FromException<RunnerMessage>(new ScriptProcessExitedException(ExitCode, ErrorTail));
        }

        Write(request with { Id = id });
        return pending.Reply.Task;
    }

    /// <summary>Asks the runner to cancel request <paramref name="id"/> (a script awaiting something stops; a tight loop does not).</summary>
    public void Cancel(int id) => Write(new RunnerRequest { Id = id, Kind = "cancel" });

    /// <summary>The process's resident memory (Linux VmRSS), or null when unknown.</summary>
    public long? ResidentBytes()
    {
        if (HasExited)
        {
            return null;
        }

        try
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }

            _process.Refresh();
            return _process.WorkingSet64;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Kills the process (and anything it started) at once.</summary>
    public void Kill()
    {
        _killed = true;
        Poisoned = true;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _exited.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The OS reaps it; nothing more to do here.
        }

        _process.Dispose();
    }

    private void Write(RunnerRequest request)
    {
        var line = JsonSerializer.Serialize(request, RunnerMessage.Json);
        lock (_writeGate)
        {
            try
            {
                _process.StandardInput.WriteLine(line);
                _process.StandardInput.Flush();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The process is ending; the read loop fails the open requests.
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            var output = _process.StandardOutput;
            while (await output.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                Handle(line);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The pipe broke with the process.
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Kill();
        }

        var failure = new ScriptProcessExitedException(SafeExitCode(), ErrorTail);
        _ready.TrySetException(new InvalidOperationException($"The script runner ended before it was ready (exit code {SafeExitCode()}): {ErrorTail}"));
        foreach (var (id, pending) in _pending)
        {
            _pending.TryRemove(id, out _);
            pending.Reply.TrySetException(failure);
        }

        _exited.TrySetResult();
    }

    private void Handle(string line)
    {
        RunnerMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<RunnerMessage>(line, RunnerMessage.Json);
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null)
        {
            // Something wrote past the runner's capture (a native library, Console.OpenStandardOutput): treat it as output
            // of whatever runs now.
            foreach (var pending in _pending.Values)
            {
                pending.OnEvent?.Invoke(new RunnerMessage { Kind = "output", Text = line + "\n" });
            }

            return;
        }

        if (message.Kind == "ready")
        {
            _ready.TrySetResult(message.Stats!);
            return;
        }

        if (!_pending.TryGetValue(message.Id, out var open))
        {
            return;
        }

        if (message.Kind is "output" or "display")
        {
            open.OnEvent?.Invoke(message);
            return;
        }

        _pending.TryRemove(message.Id, out _);
        open.Reply.TrySetResult(message);
    }

    private void AppendError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_errors)
        {
            _errors.AppendLine(line);
            if (_errors.Length > ErrorTailChars)
            {
                _errors.Remove(0, _errors.Length - ErrorTailChars);
            }
        }
    }

    private int? SafeExitCode()
    {
        try
        {
            return _process.HasExited ? _process.ExitCode : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The dotnet muxer that runs the host, so the runner uses the same runtime.</summary>
    private static string DotnetPath()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }

    private sealed class Pending(Action<RunnerMessage>? onEvent)
    {
        public TaskCompletionSource<RunnerMessage> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Action<RunnerMessage>? OnEvent { get; } = onEvent;
    }
}
