using Microsoft.Extensions.Logging;

namespace Matih.Sdk.Testing;

/// <summary>
/// An <see cref="ILogger"/> that keeps every line, e.g. for <c>TaskContext.Log</c>, so a test can assert what a
/// pipeline task told the run history.
/// </summary>
public sealed class RecordingLogger : ILogger
{
    private readonly object _gate = new();
    private readonly List<LoggedLine> _lines = [];

    /// <summary>Every line logged, in order.</summary>
    public IReadOnlyList<LoggedLine> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The messages alone, in order.</summary>
    public IReadOnlyList<string> Messages => Lines.Select(l => l.Message).ToArray();

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        lock (_gate)
        {
            _lines.Add(new LoggedLine(logLevel, formatter(state, exception), exception));
        }
    }
}

/// <summary>One logged line.</summary>
/// <param name="Level">Its level.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception logged with it, if any.</param>
public sealed record LoggedLine(LogLevel Level, string Message, Exception? Exception);
