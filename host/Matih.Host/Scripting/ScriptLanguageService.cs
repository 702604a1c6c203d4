using Matih.Scripting.Protocol;

namespace Matih.Host.Scripting;

/// <summary>
/// Completion and signature help for the console's editor, from Roslyn in a script process: the session's own
/// process when the console is in a REPL session (so earlier variables complete), else one long-lived language process.
/// </summary>
public sealed class ScriptLanguageService(ScriptEngineOptions options, ScriptSessions sessions) : IAsyncDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ScriptProcess? _process;

    /// <summary>Items and signature help at <paramref name="position"/> (an offset into <paramref name="code"/>).</summary>
    public async Task<CompletionResult> CompleteAsync(string code, int position, Guid? sessionId, string userName, CancellationToken cancellationToken)
    {
        var process = sessionId is { } id && sessions.Find(id, userName)?.Process is { HasExited: false } own
            ? own
            : await LanguageProcessAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var reply = await process.RequestAsync(new RunnerRequest { Kind = "complete", Code = code, Position = position }, null, out _)
                .WaitAsync(s_timeout, cancellationToken).ConfigureAwait(false);
            return reply.Completion ?? new CompletionResult([], null, position);
        }
        catch (Exception e) when (e is ScriptProcessExitedException or TimeoutException)
        {
            return new CompletionResult([], null, position);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<ScriptProcess> LanguageProcessAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_process is null || _process.HasExited)
            {
                if (_process is not null)
                {
                    await _process.DisposeAsync().ConfigureAwait(false);
                }

                _process = await ScriptProcess.StartAsync(options, cancellationToken).ConfigureAwait(false);
            }

            return _process;
        }
        finally
        {
            _gate.Release();
        }
    }
}
