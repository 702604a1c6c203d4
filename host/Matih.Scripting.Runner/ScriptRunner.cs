using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Matih.Scripting.Display;
using Matih.Scripting.Protocol;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Matih.Scripting.Runner;

/// <summary>
/// Serves the host's requests: runs (cached, collectible), REPL submissions (one <see cref="ScriptState"/> chain per
/// process: a session owns its runner), completions, cancellation and stats.
/// </summary>
internal sealed class ScriptRunner(ProtocolChannel channel, ScriptCompiler compiler)
{
    private readonly ConcurrentDictionary<int, CancellationTokenSource> _active = new();
    private readonly SemaphoreSlim _replGate = new(1, 1);
    private ScriptState<object?>? _replState;
    private MatihPlatform? _replPlatform;
    private int _replSubmissions;
    private int _runs;

    public Completions Completions { get; } = new(compiler);

    public int Runs => Volatile.Read(ref _runs);

    /// <summary>Compiles and runs a trivial script so the first real run is warm.</summary>
    public async Task WarmUpAsync()
    {
        var platform = new MatihPlatform(new Uri("http://127.0.0.1:9/"), "warm-up");
        var (script, _, _, _) = compiler.Acquire("var n = Args.Length + 1;\nn", "warm-up", CancellationToken.None);
        if (script is not null)
        {
            await script.Entry([platform, null]).ConfigureAwait(false);
            compiler.Release(script);
        }

        ScriptValues.Render(new[] { 1, 2, 3 });
    }

    /// <summary>
    /// Warms the completion path and Roslyn's own REPL compile path (one tiny assembly, loaded for good); done after
    /// <c>ready</c>, so a first run does not wait for it.
    /// </summary>
    public void WarmCompletions()
    {
        Completions.Complete("Catalog.", 8, null);
        CSharpScript.Create<object?>("Args.Length", compiler.Options.WithFilePath("warm-up"), typeof(MatihPlatform)).Compile();
    }

    public void Dispatch(RunnerRequest request)
    {
        switch (request.Kind)
        {
            case "run":
            case "submit":
                var cancel = new CancellationTokenSource();
                _active[request.Id] = cancel;
                _ = Task.Run(async () =>
                {
                    try
                    {
                        var outcome = request.Kind == "run" ? await RunAsync(request, cancel.Token) : await SubmitAsync(request, cancel.Token);
                        channel.Send(new RunnerMessage { Id = request.Id, Kind = "done", Outcome = outcome });
                    }
                    finally
                    {
                        _active.TryRemove(request.Id, out _);
                        cancel.Dispose();
                    }
                });
                break;
            case "cancel":
                if (_active.TryGetValue(request.Id, out var active))
                {
                    active.Cancel();
                }

                break;
            case "complete":
                _ = Task.Run(() =>
                {
                    CompletionResult result;
                    try
                    {
                        result = Completions.Complete(request.Code ?? "", request.Position ?? 0, _replState?.Script);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // Completion is a convenience: a Roslyn hiccup on half-typed code gives nothing, not a broken runner.
                        result = new CompletionResult([], null, request.Position ?? 0);
                    }

                    channel.Send(new RunnerMessage { Id = request.Id, Kind = "completion", Completion = result });
                });
                break;
            case "stats":
                channel.Send(new RunnerMessage { Id = request.Id, Kind = "stats", Stats = Stats(collect: true) });
                break;
            default:
                channel.Send(new RunnerMessage
                {
                    Id = request.Id,
                    Kind = "done",
                    Outcome = new ScriptOutcome { State = "failed", Failure = "protocol", Message = $"Unknown request kind '{request.Kind}'." },
                });
                break;
        }
    }

    public RunnerStats Stats(bool collect)
    {
        if (collect)
        {
            for (var i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }

        using var self = Process.GetCurrentProcess();
        return new RunnerStats(Environment.ProcessId, self.WorkingSet64, GC.GetTotalMemory(false), compiler.CachedCount, compiler.Compilations, Runs,
            compiler.LiveUnloadedContexts);
    }

    private async Task<ScriptOutcome> RunAsync(RunnerRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _runs);
        var name = string.IsNullOrWhiteSpace(request.Name) ? "script" : request.Name;
        CompiledScript? script;
        IReadOnlyList<ScriptDiagnostic> diagnostics;
        long compileMs;
        bool cached;
        try
        {
            (script, diagnostics, compileMs, cached) = compiler.Acquire(request.Code ?? "", name, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return new ScriptOutcome { State = "cancelled", Message = "Cancelled while compiling." };
        }
        catch (OutOfMemoryException)
        {
            return OutOfMemory(0, 0);
        }

        if (script is null)
        {
            return CompileFailed(diagnostics, compileMs);
        }

        try
        {
            var platform = NewPlatform(request);
            using var output = new RunOutput(request.Id, channel);
            platform.DisplaySink = (value, title) => Display(request.Id, output, value, title);
            platform.BeginRun(cancellationToken, null, null);
            CapturedConsole.Current.Value = output;
            var watch = Stopwatch.StartNew();
            try
            {
                var value = await script.Entry([platform, null]).ConfigureAwait(false);
                output.Flush();
                return new ScriptOutcome
                {
                    State = "succeeded",
                    Message = $"Succeeded in {Elapsed(watch.ElapsedMilliseconds)}{(cached ? " (compiled script from the cache)" : $" (compiled in {Elapsed(compileMs)})")}.",
                    Result = script.HasValue ? ScriptValues.Render(value) : null,
                    Diagnostics = diagnostics,
                    CompileMs = compileMs,
                    RunMs = watch.ElapsedMilliseconds,
                    Cached = cached,
                };
            }
            catch (Exception e)
            {
                output.Flush();
                return Failed(e, name, cancellationToken, compileMs, watch.ElapsedMilliseconds, cached, diagnostics);
            }
            finally
            {
                CapturedConsole.Current.Value = null;
            }
        }
        finally
        {
            compiler.Release(script);
        }
    }

    private async Task<ScriptOutcome> SubmitAsync(RunnerRequest request, CancellationToken cancellationToken)
    {
        await _replGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _runs);
            var number = ++_replSubmissions;
            var name = $"submission{number}";
            var options = compiler.Options.WithFilePath(name);
            var watch = Stopwatch.StartNew();
            Script<object?> script = _replState is null
                ? CSharpScript.Create<object?>(request.Code ?? "", options, typeof(MatihPlatform))
                : _replState.Script.ContinueWith<object?>(request.Code ?? "", options);
            var diagnostics = Diagnostics.From(script.Compile(cancellationToken));
            var compileMs = watch.ElapsedMilliseconds;
            if (diagnostics.Any(d => d.Severity == "error"))
            {
                return CompileFailed(diagnostics, compileMs);
            }

            _replPlatform ??= NewPlatform(request);
            using var output = new RunOutput(request.Id, channel);
            _replPlatform.DisplaySink = (value, title) => Display(request.Id, output, value, title);
            _replPlatform.BeginRun(cancellationToken, request.Token, request.Args);
            CapturedConsole.Current.Value = output;
            watch.Restart();
            try
            {
                var state = _replState is null
                    ? await script.RunAsync(_replPlatform, _ => true, cancellationToken).ConfigureAwait(false)
                    : await script.RunFromAsync(_replState, _ => true, cancellationToken).ConfigureAwait(false);
                _replState = state;
                output.Flush();
                if (state.Exception is { } thrown)
                {
                    return Failed(thrown, name, cancellationToken, compileMs, watch.ElapsedMilliseconds, false, diagnostics);
                }

                return new ScriptOutcome
                {
                    State = "succeeded",
                    Message = $"Submission {number} succeeded in {Elapsed(watch.ElapsedMilliseconds)}; {Variables(state)} in the session.",
                    Result = ScriptCompiler.EndsWithValue(script.GetCompilation().SyntaxTrees.Single()) ? ScriptValues.Render(state.ReturnValue) : null,
                    Diagnostics = diagnostics,
                    CompileMs = compileMs,
                    RunMs = watch.ElapsedMilliseconds,
                };
            }
            catch (Exception e)
            {
                output.Flush();
                return Failed(e, name, cancellationToken, compileMs, watch.ElapsedMilliseconds, false, diagnostics);
            }
            finally
            {
                CapturedConsole.Current.Value = null;
            }
        }
        finally
        {
            _replGate.Release();
        }
    }

    private void Display(int id, RunOutput output, object? value, string? title)
    {
        output.Flush();
        channel.Send(new RunnerMessage { Id = id, Kind = "display", Value = ScriptValues.Render(value, title) });
    }

    private static MatihPlatform NewPlatform(RunnerRequest request) =>
        new(new Uri(request.ApiUrl ?? "http://127.0.0.1:9/"), string.IsNullOrEmpty(request.Token) ? "none" : request.Token, request.Args, request.User);

    private static ScriptOutcome CompileFailed(IReadOnlyList<ScriptDiagnostic> diagnostics, long compileMs)
    {
        var errors = diagnostics.Where(d => d.Severity == "error").ToArray();
        var first = errors.FirstOrDefault();
        return new ScriptOutcome
        {
            State = "failed",
            Failure = "compile_error",
            Message = first is null
                ? "The script does not compile."
                : $"The script does not compile: {errors.Length} error{(errors.Length == 1 ? "" : "s")}, the first at line {first.Line}, column {first.Column}: {first.Message}",
            Diagnostics = diagnostics,
            CompileMs = compileMs,
        };
    }

    private static ScriptOutcome Failed(Exception thrown, string name, CancellationToken cancellationToken, long compileMs, long runMs, bool cached, IReadOnlyList<ScriptDiagnostic> diagnostics)
    {
        var e = Unwrap(thrown);
        if (e is OutOfMemoryException or InsufficientExecutionStackException)
        {
            return OutOfMemory(compileMs, runMs);
        }

        if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return new ScriptOutcome { State = "cancelled", Message = $"Cancelled after {Elapsed(runMs)}.", CompileMs = compileMs, RunMs = runMs, Cached = cached, Diagnostics = diagnostics };
        }

        var error = ErrorOf(e, name);
        var where = error.Line is { } line ? $" at line {line}" : "";
        return new ScriptOutcome
        {
            State = "failed",
            Failure = "exception",
            Message = $"The script threw {ShortName(e.GetType())}{where}: {e.Message}",
            Error = error,
            Diagnostics = error.Line is { } l
                ? [.. diagnostics, new ScriptDiagnostic(l, error.Column ?? 1, l, error.Column ?? 1, "error", "runtime", $"{ShortName(e.GetType())}: {e.Message}")]
                : diagnostics,
            CompileMs = compileMs,
            RunMs = runMs,
            Cached = cached,
        };
    }

    private static ScriptOutcome OutOfMemory(long compileMs, long runMs)
    {
        var limit = Environment.GetEnvironmentVariable("MATIH_SCRIPT_MEMORY_MB");
        return new ScriptOutcome
        {
            State = "failed",
            Failure = "out_of_memory",
            Message = $"The script ran out of memory{(limit is null ? "" : $" (scripts may use {limit} MB)")}; its process will be replaced.",
            CompileMs = compileMs,
            RunMs = runMs,
            Poisoned = true,
        };
    }

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    e = aggregate.InnerExceptions[0];
                    continue;
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    continue;
                default:
                    return e;
            }
        }
    }

    private static ScriptError ErrorOf(Exception e, string name)
    {
        StackFrame? frame = null;
        for (var current = e; current is not null && frame is null; current = current.InnerException)
        {
            frame = new StackTrace(current, fNeedFileInfo: true).GetFrames().FirstOrDefault(f => SameFile(f.GetFileName(), name) && f.GetFileLineNumber() > 0);
        }

        var stack = e.StackTrace is null
            ? null
            : string.Join("\n", e.StackTrace.Split('\n').Where(l => !l.Contains("Matih.Scripting.Runner", StringComparison.Ordinal)).Select(l => l.TrimEnd()));
        return new ScriptError(e.GetType().FullName ?? e.GetType().Name, e.Message, frame?.GetFileLineNumber(), frame?.GetFileColumnNumber() is > 0 and var c ? c : null, stack);
    }

    private static string ShortName(Type type) => type.Name;

    private static string Variables(ScriptState state)
    {
        var count = state.Variables.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count();
        return count == 1 ? "1 variable" : $"{count} variables";
    }

    private static bool SameFile(string? file, string name) =>
        file is not null && (file == name || file == Path.GetFullPath(name));

    private static string Elapsed(long ms) => ms < 1000 ? $"{ms} ms" : $"{ms / 1000.0:0.0} s";
}
