using Matih.Scripting.Protocol;

namespace Matih.Host.Scripting;

/// <summary>One submission of a REPL session, for the console's history.</summary>
/// <param name="Number">1, 2, 3, ...</param>
/// <param name="Code">The code submitted.</param>
/// <param name="Result">What it came to.</param>
public sealed record ScriptSubmission(int Number, string Code, ScriptRunResult Result);

/// <summary>A REPL session: its own script process, where variables and functions persist between submissions.</summary>
public sealed class ScriptSession
{
    internal ScriptSession(Guid id, string userName, DateTimeOffset createdAt)
    {
        Id = id;
        UserName = userName;
        CreatedAt = createdAt;
        LastUsedAt = createdAt;
    }

    /// <summary>The session id.</summary>
    public Guid Id { get; }

    /// <summary>Its user; only they may use it.</summary>
    public string UserName { get; }

    /// <summary>When it was opened.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>When it was last used.</summary>
    public DateTimeOffset LastUsedAt { get; internal set; }

    /// <summary>Submissions so far, oldest first.</summary>
    public IReadOnlyList<ScriptSubmission> History
    {
        get
        {
            lock (Submissions)
            {
                return [.. Submissions];
            }
        }
    }

    internal List<ScriptSubmission> Submissions { get; } = [];

    internal SemaphoreSlim Gate { get; } = new(1, 1);

    internal ScriptProcess? Process { get; set; }
}

/// <summary>
/// REPL sessions: each owns a script process (taken warm from the pool) whose Roslyn <c>ScriptState</c> carries
/// variables from one submission to the next. A submission that has to be killed (a tight loop past its limit, a
/// stack overflow) ends the process and so the session's state, and the result says so; the next submission starts a
/// fresh process. Idle sessions close after <see cref="ScriptEngineOptions.SessionIdleMinutes"/>.
/// </summary>
public sealed class ScriptSessions : IAsyncDisposable
{
    private readonly Dictionary<Guid, ScriptSession> _sessions = [];
    private readonly ScriptEngine _engine;
    private readonly ScriptProcessPool _pool;
    private readonly ScriptApiAccess _access;
    private readonly ScriptEngineOptions _options;
    private readonly TimeProvider _clock;
    private readonly ITimer _sweeper;

    /// <summary>Creates the session registry and its idle sweeper.</summary>
    public ScriptSessions(ScriptEngine engine, ScriptProcessPool pool, ScriptApiAccess access, ScriptEngineOptions options, TimeProvider clock)
    {
        (_engine, _pool, _access, _options, _clock) = (engine, pool, access, options, clock);
        _sweeper = clock.CreateTimer(_ => _ = SweepAsync(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>Opens a session for <paramref name="userName"/>.</summary>
    /// <exception cref="InvalidOperationException">Too many sessions are open (the message says how many may be).</exception>
    public async Task<ScriptSession> OpenAsync(string userName, CancellationToken cancellationToken)
    {
        await _access.GrantAsync(userName, TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
        lock (_sessions)
        {
            if (_sessions.Values.Count(s => s.UserName == userName) >= _options.MaxSessionsPerUser)
            {
                throw new InvalidOperationException($"You have {_options.MaxSessionsPerUser} console sessions open, the most allowed; close one (DELETE /api/scripts/sessions/{{id}}) first.");
            }

            if (_sessions.Count >= _options.MaxSessions)
            {
                throw new InvalidOperationException($"{_options.MaxSessions} console sessions are open on this host, the most allowed; try again when one closes.");
            }
        }

        var session = new ScriptSession(Guid.NewGuid(), userName, _clock.GetUtcNow())
        {
            Process = await _pool.RentAsync(cancellationToken).ConfigureAwait(false),
        };
        lock (_sessions)
        {
            _sessions[session.Id] = session;
        }

        return session;
    }

    /// <summary>The session <paramref name="id"/> of <paramref name="userName"/>, or null.</summary>
    public ScriptSession? Find(Guid id, string userName)
    {
        lock (_sessions)
        {
            return _sessions.TryGetValue(id, out var session) && session.UserName == userName ? session : null;
        }
    }

    /// <summary>The sessions of <paramref name="userName"/>.</summary>
    public IReadOnlyList<ScriptSession> List(string userName)
    {
        lock (_sessions)
        {
            return _sessions.Values.Where(s => s.UserName == userName).OrderBy(s => s.CreatedAt).ToArray();
        }
    }

    /// <summary>Runs the next submission of <paramref name="session"/>; its variables persist for the next.</summary>
    public async Task<ScriptRunResult> SubmitAsync(ScriptSession session, string code, TimeSpan? timeout, ScriptRunOptions? run, CancellationToken cancellationToken)
    {
        var limit = timeout ?? _options.Timeout(null);
        var startedAt = _clock.GetUtcNow();
        var (token, _) = await _access.GrantAsync(session.UserName, limit + TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
        await session.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        ScriptRunResult result;
        int number;
        try
        {
            var reset = false;
            if (session.Process is null || session.Process.HasExited)
            {
                reset = session.Process is not null;
                session.Process = await _pool.RentAsync(cancellationToken).ConfigureAwait(false);
            }

            var process = session.Process;
            var name = $"session:{session.Id}";
            var request = new RunnerRequest { Kind = "submit", Code = code, Name = name, Args = [], ApiUrl = _access.ApiUrl.AbsoluteUri, Token = token, User = session.UserName };
            result = await _engine.ExecuteAsync(process, request, limit, run ?? new ScriptRunOptions(name), cancellationToken).ConfigureAwait(false);
            process.Uses++;
            if (process.HasExited || process.Killed || process.Poisoned)
            {
                session.Process = null;
                _ = process.DisposeAsync().AsTask();
                result = result with { Message = result.Message + " The session's variables are gone; the next submission starts afresh.", SessionReset = true };
            }
            else if (reset)
            {
                result = result with { SessionReset = true };
            }

            session.LastUsedAt = _clock.GetUtcNow();
            lock (session.Submissions)
            {
                number = session.Submissions.Count + 1;
            }
        }
        finally
        {
            session.Gate.Release();
        }

        result = await _engine.AuditAsync(result, code, session.UserName, $"session:{session.Id}", $"submission {number}", startedAt).ConfigureAwait(false);
        lock (session.Submissions)
        {
            session.Submissions.Add(new ScriptSubmission(number, code, result));
        }

        return result;
    }

    /// <summary>Closes a session and stops its process.</summary>
    public async Task<bool> CloseAsync(Guid id, string userName)
    {
        ScriptSession? session;
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(id, out session) || session.UserName != userName)
            {
                return false;
            }

            _sessions.Remove(id);
        }

        if (session.Process is { } process)
        {
            session.Process = null;
            await process.DisposeAsync().ConfigureAwait(false);
        }

        return true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        ScriptSession[] all;
        lock (_sessions)
        {
            all = [.. _sessions.Values];
            _sessions.Clear();
        }

        foreach (var session in all)
        {
            if (session.Process is { } process)
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task SweepAsync()
    {
        var cutoff = _clock.GetUtcNow() - TimeSpan.FromMinutes(_options.SessionIdleMinutes);
        ScriptSession[] idle;
        lock (_sessions)
        {
            idle = _sessions.Values.Where(s => s.LastUsedAt < cutoff && s.Gate.CurrentCount > 0).ToArray();
        }

        foreach (var session in idle)
        {
            await CloseAsync(session.Id, session.UserName).ConfigureAwait(false);
        }
    }
}
