using System.Text;
using System.Text.Json;
using Matih.Scripting.Protocol;
using Matih.Scripting.Runner;

// The script runner: a child process of the host. Requests arrive as JSON lines on stdin; replies leave as JSON lines
// on the real stdout, while scripts' Console output is captured per run. When the host goes away (stdin closes) the
// runner exits with it, so a killed host leaves no runner behind.
var channel = new ProtocolChannel(Console.OpenStandardOutput());
Console.SetOut(new CapturedConsole());
Console.SetError(new CapturedConsole());
Console.InputEncoding = Encoding.UTF8;

var capacity = int.TryParse(Environment.GetEnvironmentVariable("MATIH_SCRIPT_CACHE"), out var size) ? size : 64;
var runner = new ScriptRunner(channel, new ScriptCompiler(capacity));
await runner.WarmUpAsync();
channel.Send(new RunnerMessage { Kind = "ready", Stats = runner.Stats(collect: false) });
_ = Task.Run(runner.WarmCompletions);

using var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
while (await input.ReadLineAsync() is { } line)
{
    if (string.IsNullOrWhiteSpace(line))
    {
        continue;
    }

    RunnerRequest? request;
    try
    {
        request = JsonSerializer.Deserialize<RunnerRequest>(line, RunnerMessage.Json);
    }
    catch (JsonException e)
    {
        channel.Send(new RunnerMessage { Kind = "done", Outcome = new ScriptOutcome { State = "failed", Failure = "protocol", Message = "Not a request: " + e.Message } });
        continue;
    }

    if (request is not null)
    {
        runner.Dispatch(request);
    }
}

// Whatever a script still runs on other threads ends with the process.
Environment.Exit(0);
