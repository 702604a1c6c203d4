using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Matih.Core.Scripting;
using Matih.Scripting.Protocol;

namespace Matih.Host.Scripting;

/// <summary>
/// Runs C# scripts in child processes: one-shot runs on warm pooled processes (compiled scripts cached there by source
/// hash), REPL submissions on a session's own process. A time limit, Cancel and a memory watchdog end a run by
/// cancelling it and, if it does not stop within a grace period (a tight loop), killing its process; a stack overflow or
/// a crash ends only the child. The host reports each outcome in words and audits every run.
/// </summary>
public sealed class ScriptEngine(
    ScriptProcessPool pool,
    ScriptApiAccess access,
    ScriptAudit audit,
    Matih.Core.Audit.AuditLog auditLog,
    ScriptEngineOptions options,
    TimeProvider clock,
    ILogger<ScriptEngine> log) : IScriptRunner
{
    /// <summary>How long a cancelled script may take to stop by itself before its process is killed.</summary>
    public static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.MaxConcurrentRuns));

    /// <summary>The engine's limits.</summary>
    public ScriptEngineOptions Options => options;

    /// <summary>SHA-256 of <paramref name="code"/>, lower-case hex (the audit trail's code hash).</summary>
    public static string HashOf(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    /// <summary>Runs <paramref name="code"/> as <paramref name="userName"/> on a warm process and audits the run.</summary>
    /// <exception cref="ScriptAccessException">The user may not run scripts.</exception>
    public async Task<ScriptRunResult> RunAsync(string code, string userName, ScriptRunOptions run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        var timeout = run.Timeout ?? options.Timeout(null);
        var startedAt = clock.GetUtcNow();
        var (token, _) = await access.GrantAsync(userName, timeout + TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        ScriptRunResult result;
        try
        {
            var process = await pool.RentAsync(cancellationToken).ConfigureAwait(false);
            var request = new RunnerRequest
            {
                Kind = "run",
                Code = code,
                Name = run.Name,
                Args = run.Args ?? [],
                ApiUrl = access.ApiUrl.AbsoluteUri,
                Token = token,
                User = userName,
            };
            result = await ExecuteAsync(process, request, timeout, run, cancellationToken).ConfigureAwait(false);
            process.Uses++;
            pool.Return(process);
        }
        finally
        {
            _slots.Release();
        }

        return await AuditAsync(result, code, userName, run.Source, run.Name, startedAt).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ScriptJobResult> RunAsync(ScriptJob job, CancellationToken cancellationToken)
    {
        var result = await RunAsync(job.Code, job.UserName, new ScriptRunOptions(job.Name, job.Args, job.Timeout, job.Source) { OnOutput = job.Output }, cancellationToken)
            .ConfigureAwait(false);
        return new ScriptJobResult(result.RunId, result.State, result.Failure, result.Message, result.Output, result.Result?.Text, result.ElapsedMs);
    }

    /// <summary>
    /// Writes the script-run record of <paramref name="result"/> and its entry in the audit log (by the ambient actor:
    /// the console's or the API's user, <c>system</c> for a pipeline's scheduled run) and returns it.
    /// </summary>
    internal async Task<ScriptRunResult> AuditAsync(ScriptRunResult result, string code, string userName, string source, string name, DateTimeOffset startedAt)
    {
        var record = new ScriptRunRecord
        {
            Id = result.RunId,
            UserName = userName,
            Source = source,
            ScriptName = name,
            CodeHash = result.CodeHash,
            CodeLength = code.Length,
            StartedAt = startedAt,
            ElapsedMs = result.ElapsedMs,
            State = result.State,
            Failure = result.Failure,
            Message = result.Message,
        };
        // Audited even when the caller has gone (a closed tab): the run happened.
        audit.Record(record);
        var submission = source.StartsWith("session:", StringComparison.Ordinal);
        await auditLog.RecordChangeAsync(submission ? "script.submitted" : "script.run", submission ? source["session:".Length..] : name,
            $"run {result.RunId} from {source} as {userName}: {result.State}; code sha256 {result.CodeHash[..Math.Min(12, result.CodeHash.Length)]}").ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="process"/> and watches it: the time limit, the caller's
    /// cancellation and resident memory. A stuck run is killed after <see cref="CancelGrace"/>.
    /// </summary>
    internal async Task<ScriptRunResult> ExecuteAsync(ScriptProcess process, RunnerRequest request, TimeSpan timeout, ScriptRunOptions run, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        var displays = new List<ScriptValue>();
        var watch = Stopwatch.StartNew();
        var reply = process.RequestAsync(request, message =>
        {
            if (message.Kind == "output" && message.Text is { } text)
            {
                lock (output)
                {
                    output.Append(text);
                }

                run.OnOutput?.Invoke(text);
            }
            else if (message.Kind == "display" && message.Value is { } value)
            {
                lock (displays)
                {
                    displays.Add(value);
                }

                run.OnDisplay?.Invoke(value);
            }
        }, out var id);

        string? stop = null;
        var killAt = DateTime.MaxValue;
        while (!reply.IsCompleted)
        {
            await Task.WhenAny(reply, Task.Delay(100, CancellationToken.None)).ConfigureAwait(false);
            if (reply.IsCompleted)
            {
                break;
            }

            if (stop is null && (watch.Elapsed >= timeout || cancellationToken.IsCancellationRequested))
            {
                stop = cancellationToken.IsCancellationRequested ? "cancelled" : "timed_out";
                process.Cancel(id);
                killAt = DateTime.UtcNow + CancelGrace;
            }
            else if (stop is not null && DateTime.UtcNow >= killAt)
            {
                process.Kill();
                break;
            }

            if (stop is null && process.ResidentBytes() > options.ProcessMemoryLimitBytes)
            {
                stop = "out_of_memory";
                process.Kill();
                break;
            }
        }

        RunnerMessage? done = null;
        ScriptProcessExitedException? died = null;
        try
        {
            done = await reply.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (ScriptProcessExitedException e)
        {
            died = e;
        }
        catch (TimeoutException)
        {
            process.Kill();
            died = new ScriptProcessExitedException(null, process.ErrorTail);
        }

        var elapsed = watch.ElapsedMilliseconds;
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        var hash = HashOf(request.Code ?? "");
        var outcome = done?.Outcome;
        if (outcome is not null)
        {
            if (outcome.Poisoned)
            {
                process.Poisoned = true;
            }

            if (stop == "timed_out" && outcome.State == "cancelled")
            {
                outcome = outcome with { State = "failed", Failure = "timed_out", Message = $"The script ran past its {Seconds(timeout)} limit and was stopped." };
            }

            return new ScriptRunResult(Guid.NewGuid(), outcome.State, outcome.Failure, outcome.Message, text, outcome.Result, [.. displays], outcome.Diagnostics, outcome.Error,
                elapsed, outcome.CompileMs, outcome.Cached, hash);
        }

        process.Poisoned = true;
        var (state, failure, message) = stop switch
        {
            "timed_out" => ("failed", "timed_out",
                $"The script ran past its {Seconds(timeout)} limit and did not stop when asked (a loop that never awaits), so its process was killed. The host is unaffected."),
            "cancelled" => ("cancelled", (string?)null,
                "Cancelled. The script did not stop when asked (a loop that never awaits), so its process was killed."),
            "out_of_memory" => ("failed", "out_of_memory",
                $"The script's process used more than {options.ProcessMemoryLimitBytes / (1024 * 1024)} MB and was killed. The host is unaffected."),
            _ => Died(died),
        };
        if (stop is null)
        {
            log.LogWarning("A script process ended during a run ({Failure}): {Tail}", failure, FirstLine(died?.ErrorTail, 400));
        }

        return new ScriptRunResult(Guid.NewGuid(), state, failure, message, text, null, [.. displays], [], null, elapsed, 0, false, hash);
    }

    private static (string State, string? Failure, string Message) Died(ScriptProcessExitedException? died)
    {
        var tail = died?.ErrorTail ?? "";
        if (tail.Contains("Stack overflow", StringComparison.OrdinalIgnoreCase))
        {
            return ("failed", "stack_overflow",
                "The script overflowed its stack (a recursion without end?), which ended its process. The host is unaffected; the next run gets a fresh process.");
        }

        if (tail.Contains("OutOfMemory", StringComparison.Ordinal) || tail.Contains("Out of memory", StringComparison.OrdinalIgnoreCase))
        {
            return ("failed", "out_of_memory", "The script ran out of memory, which ended its process. The host is unaffected.");
        }

        var last = FirstLine(tail, 300);
        return ("failed", "crashed",
            $"The script's process ended unexpectedly (exit code {died?.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}){(last.Length > 0 ? ": " + last : ".")} The host is unaffected.");
    }

    private static string FirstLine(string? text, int chars)
    {
        var trimmed = (text ?? "").Trim();
        var firstLine = trimmed.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
        return firstLine.Length > chars ? firstLine[..chars] + "…" : firstLine;
    }

    private static string Seconds(TimeSpan timeout) => timeout.TotalSeconds < 120 ? $"{timeout.TotalSeconds:0.#} s" : $"{timeout.TotalMinutes:0.#} min";
}
