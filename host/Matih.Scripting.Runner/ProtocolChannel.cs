using System.Text;
using System.Text.Json;
using Matih.Scripting.Protocol;

namespace Matih.Scripting.Runner;

/// <summary>Writes <see cref="RunnerMessage"/>s as JSON lines on the real standard output (scripts' Console is captured).</summary>
internal sealed class ProtocolChannel(Stream stdout)
{
    private readonly StreamWriter _writer = new(stdout, new UTF8Encoding(false)) { AutoFlush = false, NewLine = "\n" };
    private readonly object _gate = new();

    public void Send(RunnerMessage message)
    {
        var line = JsonSerializer.Serialize(message, RunnerMessage.Json);
        lock (_gate)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }
}

/// <summary>
/// The output of one run: what the script writes to Console is batched into <c>output</c> messages (at most every
/// 100 ms or 8 KB), up to <see cref="MaxChars"/> characters per run so a print loop cannot flood the host.
/// </summary>
internal sealed class RunOutput : IDisposable
{
    public const int MaxChars = 1_000_000;

    private readonly int _id;
    private readonly ProtocolChannel _channel;
    private readonly StringBuilder _buffer = new();
    private readonly Timer _timer;
    private long _total;
    private bool _truncated;

    public RunOutput(int id, ProtocolChannel channel)
    {
        _id = id;
        _channel = channel;
        _timer = new Timer(_ => Flush(), null, 100, 100);
    }

    public void Append(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        lock (_buffer)
        {
            if (_total >= MaxChars)
            {
                if (!_truncated)
                {
                    _truncated = true;
                    _buffer.Append($"\n[output truncated: more than {MaxChars:N0} characters]\n");
                }

                return;
            }

            _total += text.Length;
            _buffer.Append(text);
            if (_buffer.Length < 8192)
            {
                return;
            }
        }

        Flush();
    }

    public void Flush()
    {
        string text;
        lock (_buffer)
        {
            if (_buffer.Length == 0)
            {
                return;
            }

            text = _buffer.ToString();
            _buffer.Clear();
        }

        _channel.Send(new RunnerMessage { Id = _id, Kind = "output", Text = text });
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }
}

/// <summary>Console.Out and Console.Error while scripts run: text goes to the run it was written in (async-local).</summary>
internal sealed class CapturedConsole : TextWriter
{
    public static readonly AsyncLocal<RunOutput?> Current = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Current.Value?.Append(value.ToString());

    public override void Write(string? value) => Current.Value?.Append(value);

    public override void Write(char[] buffer, int index, int count) => Current.Value?.Append(new string(buffer, index, count));

    public override void WriteLine(string? value) => Current.Value?.Append(value + "\n");

    public override void WriteLine() => Current.Value?.Append("\n");
}
