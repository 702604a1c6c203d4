using System.Text;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Pipelines;

/// <summary>
/// The log a task attempt writes, kept for run history (time-stamped lines) and forwarded to the host's log.
/// Bounded so a chatty task cannot fill the metadata store.
/// </summary>
public sealed class AttemptLog(ILogger forward, TimeProvider clock) : ILogger
{
    /// <summary>Characters kept; later lines are dropped with a note.</summary>
    public const int MaxLength = 256 * 1024;

    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();
    private bool _truncated;

    /// <summary>What was logged so far.</summary>
    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _text.ToString();
            }
        }
    }

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => forward.BeginScope(state);

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    /// <summary>Adds a line of the host's own (attempt started, retry scheduled).</summary>
    public void Write(string line) => Append(LogLevel.Information, line);

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        forward.Log(logLevel, eventId, state, exception, formatter);
        if (IsEnabled(logLevel))
        {
            Append(logLevel, formatter(state, exception) + (exception is null ? "" : $" ({exception.Message})"));
        }
    }

    private void Append(LogLevel level, string message)
    {
        var line = $"{clock.GetUtcNow():HH:mm:ss.fff} {Level(level)} {message}\n";
        lock (_gate)
        {
            if (_text.Length + line.Length <= MaxLength)
            {
                _text.Append(line);
            }
            else if (!_truncated)
            {
                _truncated = true;
                _text.Append("... (log truncated: the attempt logged more than 256 KiB)\n");
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Warning => "WARN ",
        LogLevel.Error or LogLevel.Critical => "ERROR",
        _ => "INFO ",
    };
}
