using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Matih.Scripting.Protocol;

namespace Matih.Scripting.Tests.Runner;

/// <summary>The script runner started as the host starts it (<c>dotnet scripting/Matih.Scripting.Runner.dll</c>), spoken to in JSON lines.</summary>
public sealed class RunnerClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<RunnerMessage>> _pending = new();
    private readonly ConcurrentDictionary<int, List<RunnerMessage>> _events = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next;

    private RunnerClient(Process process) => _process = process;

    /// <summary>The runner's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a runner with a heap limit and waits until it is warm.</summary>
    public static async Task<RunnerClient> StartAsync(int memoryLimitMb = 1024, int cacheSize = 64)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "scripting", "Matih.Scripting.Runner.dll"));
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x" + (memoryLimitMb * 1024L * 1024).ToString("X", CultureInfo.InvariantCulture);
        start.Environment["MATIH_SCRIPT_CACHE"] = cacheSize.ToString(CultureInfo.InvariantCulture);
        var client = new RunnerClient(Process.Start(start)!);
        client._process.ErrorDataReceived += (_, _) => { };
        client._process.BeginErrorReadLine();
        _ = client.ReadAsync();
        await client._ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return client;
    }

    /// <summary>Runs a script and returns its outcome.</summary>
    public async Task<ScriptOutcome> RunAsync(string code, string name = "test", string kind = "run", string? apiUrl = null) =>
        (await RequestAsync(new RunnerRequest { Kind = kind, Code = code, Name = name, ApiUrl = apiUrl, Token = "t" })).Outcome!;

    /// <summary>Sends a request and returns the final reply.</summary>
    public async Task<RunnerMessage> RequestAsync(RunnerRequest request)
    {
        var id = Interlocked.Increment(ref _next);
        var reply = new TaskCompletionSource<RunnerMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(request with { Id = id }, RunnerMessage.Json));
        await _process.StandardInput.FlushAsync();
        return await reply.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Sends a request as it is (its own id), without waiting for a reply.</summary>
    public async Task SendAsync(RunnerRequest request)
    {
        await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(request, RunnerMessage.Json));
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Output and display messages of the last request with this id.</summary>
    public IReadOnlyList<RunnerMessage> EventsOf(int id) => _events.TryGetValue(id, out var list) ? list : [];

    /// <summary>The output text of request <paramref name="id"/>.</summary>
    public string OutputOf(int id) => string.Concat(EventsOf(id).Where(e => e.Kind == "output").Select(e => e.Text));

    /// <summary>The last request id used.</summary>
    public int LastId => _next;

    /// <summary>The runner's resident memory (Linux VmRSS) in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
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
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            var message = JsonSerializer.Deserialize<RunnerMessage>(line, RunnerMessage.Json)!;
            if (message.Kind == "ready")
            {
                _ready.TrySetResult();
            }
            else if (message.Kind is "output" or "display")
            {
                _events.GetOrAdd(message.Id, _ => []).Add(message);
            }
            else if (_pending.TryRemove(message.Id, out var reply))
            {
                reply.TrySetResult(message);
            }
        }

        foreach (var reply in _pending.Values)
        {
            reply.TrySetException(new InvalidOperationException("The runner ended."));
        }
    }
}
