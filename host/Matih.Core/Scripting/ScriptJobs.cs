namespace Matih.Core.Scripting;

/// <summary>A script to run on behalf of a user, as a pipeline step or a headless run asks for it.</summary>
/// <param name="Code">The C# code.</param>
/// <param name="Name">Its name in diagnostics and stack traces (the file path for scripts under <c>scripts/</c>).</param>
/// <param name="Args">The script's arguments (its <c>Args</c> global).</param>
/// <param name="UserName">The user it runs as: its API calls carry a short-lived token of this user.</param>
/// <param name="Source">What asked, for the audit trail (<c>pipeline:churn-refresh/score</c>).</param>
/// <param name="Timeout">Its time limit; null = the engine's default.</param>
public sealed record ScriptJob(string Code, string Name, IReadOnlyList<string> Args, string UserName, string Source, TimeSpan? Timeout)
{
    /// <summary>Receives the script's output as it is written (a pipeline's task log).</summary>
    public Action<string>? Output { get; init; }
}

/// <summary>How a script run ended.</summary>
/// <param name="RunId">The audit record's id.</param>
/// <param name="State">succeeded, failed or cancelled.</param>
/// <param name="Failure">compile_error, exception, timed_out, stack_overflow, out_of_memory, crashed; null when it succeeded.</param>
/// <param name="Message">The outcome in words, with the script line of an error.</param>
/// <param name="Output">Everything the script wrote.</param>
/// <param name="Result">Its last expression's value as text, or null.</param>
/// <param name="ElapsedMs">How long it took.</param>
public sealed record ScriptJobResult(Guid RunId, string State, string? Failure, string Message, string Output, string? Result, long ElapsedMs)
{
    /// <summary>True when the script ran to its end.</summary>
    public bool Succeeded => State == "succeeded";
}

/// <summary>
/// Runs C# scripts in a child process (the host's script engine). Core's pipeline task uses it; the host implements it,
/// because the script reaches the platform through the host's API with a token the host signs.
/// </summary>
public interface IScriptRunner
{
    /// <summary>Runs <paramref name="job"/> to its end, its time limit or cancellation; every outcome is audited.</summary>
    Task<ScriptJobResult> RunAsync(ScriptJob job, CancellationToken cancellationToken);
}
