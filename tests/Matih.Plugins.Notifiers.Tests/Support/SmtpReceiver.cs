using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Matih.Plugins.Notifiers.Tests.Support;

/// <summary>
/// A minimal real SMTP server on a free loopback port: greeting, EHLO (advertising AUTH LOGIN), AUTH LOGIN,
/// MAIL FROM, RCPT TO, DATA and QUIT, enough for System.Net.Mail. Records each message and can refuse on demand.
/// </summary>
internal sealed partial class SmtpReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedEmail> _messages = new();
    private readonly Task _loop;
    private int _connections;
    private int _disposed;

    public SmtpReceiver()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public IReadOnlyList<ReceivedEmail> Messages => [.. _messages];

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Recipients answered with 550 (permanent failure).</summary>
    public HashSet<string> RejectedRecipients { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many connections, from the first, are greeted with 421 (try again later).</summary>
    public int BusyConnections { get; set; }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var number = Interlocked.Increment(ref _connections);
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
        if (number <= BusyConnections)
        {
            await writer.WriteLineAsync("421 localhost Service not available, try again later");
            return;
        }

        await writer.WriteLineAsync("220 localhost ESMTP test");
        string? from = null, user = null, password = null;
        var to = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-localhost");
                    await writer.WriteLineAsync("250-AUTH LOGIN");
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "HELO":
                    await writer.WriteLineAsync("250 localhost");
                    break;
                case "AUTH":
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length >= 3)
                    {
                        user = FromBase64(parts[2]);
                    }
                    else
                    {
                        await writer.WriteLineAsync("334 VXNlcm5hbWU6");
                        user = FromBase64(await reader.ReadLineAsync() ?? "");
                    }

                    await writer.WriteLineAsync("334 UGFzc3dvcmQ6");
                    password = FromBase64(await reader.ReadLineAsync() ?? "");
                    await writer.WriteLineAsync("235 2.7.0 Authentication successful");
                    break;
                case "MAIL":
                    from = Address(line);
                    to.Clear();
                    await writer.WriteLineAsync("250 2.1.0 OK");
                    break;
                case "RCPT":
                    var recipient = Address(line);
                    if (RejectedRecipients.Contains(recipient))
                    {
                        await writer.WriteLineAsync("550 5.1.1 User unknown");
                    }
                    else
                    {
                        to.Add(recipient);
                        await writer.WriteLineAsync("250 2.1.5 OK");
                    }

                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                    {
                        data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                    }

                    _messages.Enqueue(ReceivedEmail.Parse(from ?? "", [.. to], user, password, data.ToString()));
                    await writer.WriteLineAsync("250 2.0.0 Queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 2.0.0 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static string FromBase64(string text) => Encoding.UTF8.GetString(Convert.FromBase64String(text.Trim()));
}

/// <summary>One message as the SMTP server received it, with its subject and text body decoded.</summary>
internal sealed partial record ReceivedEmail(string From, IReadOnlyList<string> To, string? User, string? Password, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Subject => Headers.TryGetValue("Subject", out var subject) ? subject : "";

    public static ReceivedEmail Parse(string from, IReadOnlyList<string> to, string? user, string? password, string data)
    {
        var split = data.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headerText = split < 0 ? data : data[..split];
        var body = split < 0 ? "" : data[(split + 4)..];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in headerText.Split("\r\n"))
        {
            if (line.Length > 0 && char.IsWhiteSpace(line[0]) && last is not null)
            {
                headers[last] += line.TrimStart();
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                last = line[..colon];
                headers[last] = line[(colon + 1)..].Trim();
            }
        }

        foreach (var key in headers.Keys.ToArray())
        {
            headers[key] = EncodedWord().Replace(headers[key], m => m.Groups[2].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[3].Value))
                : QuotedPrintable(m.Groups[3].Value.Replace('_', ' ')));
        }

        var encoding = headers.TryGetValue("Content-Transfer-Encoding", out var value) ? value.ToLowerInvariant() : "7bit";
        body = encoding switch
        {
            "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(body.Split("\r\n")))),
            "quoted-printable" => QuotedPrintable(body.Replace("=\r\n", "", StringComparison.Ordinal)),
            _ => body,
        };
        return new ReceivedEmail(from, to, user, password, headers, body.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    private static string QuotedPrintable(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWord();
}
