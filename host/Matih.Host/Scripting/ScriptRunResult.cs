using Matih.Scripting.Protocol;

namespace Matih.Host.Scripting;

/// <summary>
/// A script run or REPL submission as the API and the console show it: the output, the rendered result and
/// displayed values, diagnostics with line and column, and the outcome in words.
/// </summary>
/// <param name="RunId">The audit record's id.</param>
/// <param name="State">succeeded, failed or cancelled.</param>
/// <param name="Failure">compile_error, exception, timed_out, stack_overflow, out_of_memory or crashed; null on success.</param>
/// <param name="Message">The outcome in words.</param>
/// <param name="Output">What the script wrote to the console.</param>
/// <param name="Result">Its last expression's value, rendered (a table, a series, a number, text), or null.</param>
/// <param name="Displays">Values it showed with <c>Display(...)</c>, in order.</param>
/// <param name="Diagnostics">Compiler errors and warnings and the runtime error, with line and column.</param>
/// <param name="Error">The exception it threw, with its script line.</param>
/// <param name="ElapsedMs">Wall time of the run, compile included.</param>
/// <param name="CompileMs">Time spent compiling (0 from the cache).</param>
/// <param name="Cached">True when the compiled script came from the cache.</param>
/// <param name="CodeHash">SHA-256 of the code.</param>
public sealed record ScriptRunResult(
    Guid RunId,
    string State,
    string? Failure,
    string Message,
    string Output,
    ScriptValue? Result,
    IReadOnlyList<ScriptValue> Displays,
    IReadOnlyList<ScriptDiagnostic> Diagnostics,
    ScriptError? Error,
    long ElapsedMs,
    long CompileMs,
    bool Cached,
    string CodeHash)
{
    /// <summary>For a REPL submission: true when the session's process was stopped and its variables are gone.</summary>
    public bool SessionReset { get; init; }

    /// <summary>True when the script ran to its end.</summary>
    public bool Succeeded => State == "succeeded";
}

/// <summary>How to run one script.</summary>
/// <param name="Name">Its name in diagnostics and stack traces (<c>console</c>, a file path).</param>
/// <param name="Args">Its arguments.</param>
/// <param name="Timeout">Its time limit; null = the engine's default.</param>
/// <param name="Source">Where it came from, for the audit trail (<c>console</c>, <c>api</c>, <c>headless</c>).</param>
public sealed record ScriptRunOptions(string Name = "console", IReadOnlyList<string>? Args = null, TimeSpan? Timeout = null, string Source = "api")
{
    /// <summary>Receives output text as the script writes it.</summary>
    public Action<string>? OnOutput { get; init; }

    /// <summary>Receives each displayed value as the script shows it.</summary>
    public Action<ScriptValue>? OnDisplay { get; init; }
}
