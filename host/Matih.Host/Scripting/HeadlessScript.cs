using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Matih.Core.Metadata;
using Matih.Core.Users;
using Matih.Scripting.Protocol;
using Microsoft.EntityFrameworkCore;

namespace Matih.Host.Scripting;

/// <summary>
/// The <c>script</c> verb: <c>dotnet run --project host/Matih.Host -- script scripts/NAME.csx [args]</c> runs a script
/// against the data directory, starting the host in-process on a free loopback port (the script reaches it like any
/// API client), or with <c>--api URL --token T</c> against a running host (whose <c>POST /api/scripts/run</c> runs it).
/// Output goes to stdout as the script writes it, the host's logs to stderr. Exit codes: 0 succeeded, 1 the script
/// failed (does not compile, threw, timed out, crashed), 2 bad usage, 3 the host or user is not available, 130 cancelled.
/// </summary>
public sealed class HeadlessScript
{
    /// <summary>The usage text.</summary>
    public const string Usage =
        "usage: script [--user NAME] [--timeout SECONDS] [--api URL --token TOKEN] [--data-dir DIR] [--no-demo] [host options] scripts/NAME.csx [script args...]";

    private readonly TextWriter _out;

    private HeadlessScript(TextWriter output) => _out = output;

    /// <summary>The script file.</summary>
    public string ScriptPath { get; private init; } = "";

    /// <summary>The script's arguments.</summary>
    public IReadOnlyList<string> ScriptArgs { get; private init; } = [];

    /// <summary>The arguments for the in-process host (data directory, plugins, demo, configuration).</summary>
    public string[] HostArgs { get; private init; } = [];

    /// <summary>A running host's address, for a remote run.</summary>
    public string? ApiUrl { get; private init; }

    /// <summary>The bearer token for a remote run.</summary>
    public string? Token { get; private init; }

    /// <summary>The user to run as (in-process); null = the first enabled admin.</summary>
    public string? User { get; private init; }

    /// <summary>The time limit in seconds; null = the engine's longest.</summary>
    public int? TimeoutSeconds { get; private init; }

    /// <summary>Why the arguments cannot be used, or null.</summary>
    public string? Problem { get; private init; }

    /// <summary>Reads the arguments after <c>script</c>: options first, then the script path, then the script's arguments.</summary>
    public static HeadlessScript Parse(IReadOnlyList<string> args, TextWriter output)
    {
        var host = new List<string>();
        string? path = null, api = null, token = null, user = null, problem = null;
        int? timeout = null;
        var i = 0;
        for (; i < args.Count && path is null; i++)
        {
            var arg = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            try
            {
                switch (arg)
                {
                    case "--api":
                        api = Next();
                        break;
                    case "--token":
                        token = Next();
                        break;
                    case "--user":
                        user = Next();
                        break;
                    case "--timeout":
                        timeout = int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                            ? seconds
                            : throw new ArgumentException("--timeout needs a whole number of seconds above 0.");
                        break;
                    case "--":
                        path = i + 1 < args.Count ? args[++i] : null;
                        break;
                    case "--no-demo":
                        host.Add(arg);
                        break;
                    default:
                        if (arg.StartsWith('-'))
                        {
                            host.Add(arg);
                            if (!arg.Contains('=', StringComparison.Ordinal))
                            {
                                host.Add(Next());
                            }
                        }
                        else
                        {
                            path = arg;
                        }

                        break;
                }
            }
            catch (ArgumentException e)
            {
                problem = e.Message;
                break;
            }
        }

        if (problem is null && path is null)
        {
            problem = "Name the script to run, e.g. scripts/hello.csx.";
        }
        else if (problem is null && !File.Exists(path))
        {
            problem = $"No script at {Path.GetFullPath(path!)}.";
        }
        else if (problem is null && (api is null) != (token is null))
        {
            problem = "--api and --token go together: the running host's address and a bearer token from POST /api/auth/token.";
        }

        var (_, rewritten) = Startup.CommandLine.Parse(["script", .. host]);
        return new HeadlessScript(output)
        {
            ScriptPath = path ?? "",
            ScriptArgs = problem is null ? args.Skip(i).ToArray() : [],
            HostArgs = [.. rewritten, "--urls", "http://127.0.0.1:0"],
            ApiUrl = api,
            Token = token,
            User = user,
            TimeoutSeconds = timeout,
            Problem = problem,
        };
    }

    /// <summary>Makes the in-process host quiet on stdout (its logs go to stderr) and quick to stop.</summary>
    public static void ConfigureHost(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Configuration["Matih:Scripts:WarmAtStart"] = "false";
    }

    /// <summary>Runs the script against a running host through its <c>POST /api/scripts/run</c>.</summary>
    public async Task<int> RunRemoteAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(ApiUrl!.EndsWith('/') ? ApiUrl : ApiUrl + "/"), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var code = await File.ReadAllTextAsync(ScriptPath, cancellationToken);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync("api/scripts/run", new { code, args = ScriptArgs, timeoutSeconds = TimeoutSeconds, name = ScriptPath }, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"The host at {ApiUrl} cannot be reached: {e.Message}");
            return 3;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await Console.Error.WriteLineAsync($"The host refused the script ({(int)response.StatusCode}): {text}");
            return response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden ? 3 : 1;
        }

        var result = JsonSerializer.Deserialize<ScriptRunResult>(text, RunnerMessage.Json)!;
        await _out.WriteAsync(result.Output);
        foreach (var display in result.Displays)
        {
            Print(display);
        }

        return await ReportAsync(result);
    }

    /// <summary>Starts <paramref name="app"/> on a loopback port, runs the script through its engine, stops it.</summary>
    public async Task<int> RunAsync(WebApplication app, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"The host did not start: {e.Message}");
            return 3;
        }

        try
        {
            var engine = app.Services.GetRequiredService<ScriptEngine>();
            var user = User ?? await FirstAdminAsync(app.Services, cancellationToken);
            if (user is null)
            {
                await Console.Error.WriteLineAsync("No enabled admin exists in this data directory to run the script as; name a user with --user.");
                return 3;
            }

            var code = await File.ReadAllTextAsync(ScriptPath, cancellationToken);
            var timeout = TimeSpan.FromSeconds(TimeoutSeconds ?? engine.Options.MaxTimeoutSeconds);
            var run = new ScriptRunOptions(ScriptPath, ScriptArgs, timeout, "headless")
            {
                OnOutput = text =>
                {
                    lock (_out)
                    {
                        _out.Write(text);
                        _out.Flush();
                    }
                },
                OnDisplay = Print,
            };
            ScriptRunResult result;
            try
            {
                result = await engine.RunAsync(code, user, run, cancellationToken);
            }
            catch (ScriptAccessException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 3;
            }

            return await ReportAsync(result);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<string?> FirstAdminAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<MetadataDbContext>>().CreateDbContextAsync(cancellationToken);
        return await db.Users.Where(u => u.Role == Role.Admin && !u.Disabled).OrderBy(u => u.UserName).Select(u => u.UserName).FirstOrDefaultAsync(cancellationToken);
    }

    private void Print(ScriptValue value)
    {
        var text = value.Title is null ? value.Text : $"{value.Title}:{(value.Text.Contains('\n', StringComparison.Ordinal) ? "\n" : " ")}{value.Text}";
        lock (_out)
        {
            _out.WriteLine(text);
            _out.Flush();
        }
    }

    private async Task<int> ReportAsync(ScriptRunResult result)
    {
        if (result.Result is { } value)
        {
            Print(value);
        }

        await _out.FlushAsync();
        if (result.Succeeded)
        {
            return 0;
        }

        foreach (var d in result.Diagnostics.Where(d => d.Severity == "error" && d.Id != "runtime"))
        {
            await Console.Error.WriteLineAsync($"{ScriptPath}({d.Line},{d.Column}): error {d.Id}: {d.Message}");
        }

        await Console.Error.WriteLineAsync(result.Message);
        if (result.Error?.StackTrace is { Length: > 0 } stack)
        {
            await Console.Error.WriteLineAsync(stack);
        }

        return result.State == "cancelled" ? 130 : 1;
    }
}
