namespace Matih.Core.Audit;

/// <summary>
/// Who is acting right now, for the audit log: the signed-in user of the HTTP request or workbench circuit that
/// made the call, or <see cref="System"/> for scheduled and background work. The host sets it once per request and
/// per circuit activity, so the engine services record their changes without being told who asked.
/// </summary>
public static class AuditActor
{
    /// <summary>The actor of work no user started (schedules, recovery, background jobs).</summary>
    public const string System = "system";

    private static readonly AsyncLocal<string?> s_current = new();

    /// <summary>The current actor; <see cref="System"/> when none is set.</summary>
    public static string Current => string.IsNullOrEmpty(s_current.Value) ? System : s_current.Value;

    /// <summary>Makes <paramref name="name"/> the actor of the calling flow until the result is disposed.</summary>
    public static IDisposable Use(string name)
    {
        var scope = new Scope(s_current.Value);
        s_current.Value = name;
        return scope;
    }

    private sealed class Scope(string? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}
