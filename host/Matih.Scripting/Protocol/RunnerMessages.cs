using System.Text.Json;
using System.Text.Json.Serialization;

namespace Matih.Scripting.Protocol;

/// <summary>
/// One line of JSON from the host to the runner on its standard input. Kinds: <c>run</c> (a script, compiled once per
/// source and cached), <c>submit</c> (the next REPL submission; state persists), <c>complete</c> (completion and
/// signature help at <see cref="Position"/>), <c>cancel</c> (the run <see cref="Id"/>), <c>stats</c>.
/// </summary>
public sealed record RunnerRequest
{
    /// <summary>Correlates the replies; for <c>cancel</c>, the run to cancel.</summary>
    public int Id { get; init; }

    /// <summary>run, submit, complete, cancel or stats.</summary>
    public required string Kind { get; init; }

    /// <summary>The C# code.</summary>
    public string? Code { get; init; }

    /// <summary>The script's name in diagnostics and stack traces (a file path or <c>console</c>).</summary>
    public string? Name { get; init; }

    /// <summary>The script's arguments.</summary>
    public IReadOnlyList<string>? Args { get; init; }

    /// <summary>The host's API address.</summary>
    public string? ApiUrl { get; init; }

    /// <summary>A short-lived bearer token of the user the script runs as.</summary>
    public string? Token { get; init; }

    /// <summary>That user's name.</summary>
    public string? User { get; init; }

    /// <summary>For <c>complete</c>: the caret's offset in <see cref="Code"/>.</summary>
    public int? Position { get; init; }
}

/// <summary>
/// One line of JSON from the runner to the host on its standard output. Kinds: <c>ready</c> (warmed up),
/// <c>output</c> (text the script wrote), <c>display</c> (a value it displayed), <c>done</c> (the outcome of a run or
/// submission), <c>completion</c>, <c>stats</c>.
/// </summary>
public sealed record RunnerMessage
{
    /// <summary>The request this belongs to (0 for <c>ready</c>).</summary>
    public int Id { get; init; }

    /// <summary>ready, output, display, done, completion or stats.</summary>
    public required string Kind { get; init; }

    /// <summary>For <c>output</c>: the text.</summary>
    public string? Text { get; init; }

    /// <summary>For <c>display</c>: the value as the console renders it.</summary>
    public ScriptValue? Value { get; init; }

    /// <summary>For <c>done</c>: what happened.</summary>
    public ScriptOutcome? Outcome { get; init; }

    /// <summary>For <c>completion</c>: the items and signature help.</summary>
    public CompletionResult? Completion { get; init; }

    /// <summary>For <c>stats</c> and <c>ready</c>: the runner's memory and cache.</summary>
    public RunnerStats? Stats { get; init; }

    /// <summary>The JSON settings of both ends (camelCase, nulls left out).</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>The runner's own figures, for recycling decisions and the memory tests.</summary>
/// <param name="ProcessId">The runner's process id.</param>
/// <param name="WorkingSetBytes">Resident memory.</param>
/// <param name="ManagedBytes">Managed heap in use after a full collection when asked, else as it is.</param>
/// <param name="CachedScripts">Compiled scripts in the cache.</param>
/// <param name="Compilations">Scripts compiled since start.</param>
/// <param name="Runs">Runs and submissions since start.</param>
/// <param name="LiveLoadContexts">Script load contexts not yet unloaded (collected).</param>
public sealed record RunnerStats(int ProcessId, long WorkingSetBytes, long ManagedBytes, int CachedScripts, int Compilations, int Runs, int LiveLoadContexts);

/// <summary>A compiler or runtime diagnostic at a script position (1-based line and column).</summary>
/// <param name="Line">The line, from 1.</param>
/// <param name="Column">The column, from 1.</param>
/// <param name="EndLine">The end line.</param>
/// <param name="EndColumn">The end column.</param>
/// <param name="Severity">error, warning or info.</param>
/// <param name="Id">The compiler's id (<c>CS0103</c>) or <c>runtime</c>.</param>
/// <param name="Message">What is wrong.</param>
public sealed record ScriptDiagnostic(int Line, int Column, int EndLine, int EndColumn, string Severity, string Id, string Message);

/// <summary>An exception the script threw, with the script line it came from.</summary>
/// <param name="Type">The exception type (<c>System.InvalidOperationException</c>).</param>
/// <param name="Message">Its message.</param>
/// <param name="Line">The script line, when known.</param>
/// <param name="Column">The script column, when known.</param>
/// <param name="StackTrace">The script's frames and the platform's, without the runner's.</param>
public sealed record ScriptError(string Type, string Message, int? Line, int? Column, string? StackTrace);

/// <summary>
/// What a run or submission came to in the runner. <see cref="State"/> is succeeded, failed or cancelled;
/// <see cref="Failure"/> says why a run failed: compile_error, exception (and, added by the host, timed_out,
/// stack_overflow, out_of_memory, crashed).
/// </summary>
public sealed record ScriptOutcome
{
    /// <summary>succeeded, failed or cancelled.</summary>
    public required string State { get; init; }

    /// <summary>compile_error, exception, timed_out, stack_overflow, out_of_memory or crashed; null when it succeeded.</summary>
    public string? Failure { get; init; }

    /// <summary>The outcome in words.</summary>
    public required string Message { get; init; }

    /// <summary>The value of the script's last expression, rendered.</summary>
    public ScriptValue? Result { get; init; }

    /// <summary>Compiler errors and warnings, and the runtime error's position.</summary>
    public IReadOnlyList<ScriptDiagnostic> Diagnostics { get; init; } = [];

    /// <summary>The exception the script threw.</summary>
    public ScriptError? Error { get; init; }

    /// <summary>Milliseconds spent compiling (0 when cached).</summary>
    public long CompileMs { get; init; }

    /// <summary>Milliseconds spent running.</summary>
    public long RunMs { get; init; }

    /// <summary>True when the compiled script came from the cache.</summary>
    public bool Cached { get; init; }

    /// <summary>True when the runner ran out of memory and should not be reused.</summary>
    public bool Poisoned { get; init; }
}

/// <summary>Completion items and signature help at a position.</summary>
/// <param name="Items">What may be typed here, filtered by the word being typed.</param>
/// <param name="Signatures">The overloads of the call the caret is in, or null.</param>
/// <param name="ReplaceFrom">Offset where the word being typed starts (the completion replaces from here to the caret).</param>
public sealed record CompletionResult(IReadOnlyList<CompletionItem> Items, SignatureHelp? Signatures, int ReplaceFrom);

/// <summary>One completion item.</summary>
/// <param name="Label">The name.</param>
/// <param name="Kind">method, property, field, event, local, parameter, class, struct, interface, enum, enum_member, namespace, keyword, delegate.</param>
/// <param name="Detail">Its signature (<c>Task&lt;Table&gt; SqlAsync(string sql, int? maxRows = null)</c>).</param>
/// <param name="Documentation">Its XML doc summary, as text.</param>
public sealed record CompletionItem(string Label, string Kind, string? Detail, string? Documentation);

/// <summary>Signature help: the candidate overloads and which argument the caret is in.</summary>
/// <param name="Signatures">The overloads.</param>
/// <param name="ActiveSignature">The best-matching overload.</param>
/// <param name="ActiveParameter">The argument the caret is in, from 0.</param>
public sealed record SignatureHelp(IReadOnlyList<SignatureInfo> Signatures, int ActiveSignature, int ActiveParameter);

/// <summary>One overload.</summary>
/// <param name="Label">The whole signature.</param>
/// <param name="Documentation">Its summary.</param>
/// <param name="Parameters">Its parameters.</param>
public sealed record SignatureInfo(string Label, string? Documentation, IReadOnlyList<ParameterInfo> Parameters);

/// <summary>A parameter of an overload.</summary>
/// <param name="Label">As written in the signature (<c>string sql</c>).</param>
/// <param name="Documentation">Its doc comment.</param>
public sealed record ParameterInfo(string Label, string? Documentation);
