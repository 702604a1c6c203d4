using System.Text.Json;
using Matih.Core.Metadata;
using Matih.Core.Scripting;
using Matih.Core.Users;
using Matih.Sdk.Pipelines;
using Matih.Sdk.Plugins;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Matih.Core.Pipelines.Tasks;

/// <summary>
/// <c>run_script</c>: a C# script as a pipeline step, run by the same engine as the Script Console (a child process
/// with a time and memory limit) as the pipeline's owner. The script is a file under <c>scripts/</c> (<c>script</c>) or
/// inline code (<c>code</c>); its output goes to the task log and its result to the task's outputs. Because a script
/// runs arbitrary code on the host machine, the owner must be an admin, as for the console.
/// </summary>
public sealed class RunScriptTask(IDbContextFactory<MetadataDbContext> contexts) : IPipelineTaskType
{
    /// <summary>The folder scripts are read from, under the working directory.</summary>
    public const string ScriptsFolder = "scripts";

    /// <summary>The time limit when the config gives none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <inheritdoc />
    public string Type => "run_script";

    /// <inheritdoc />
    public string Description => "Run a C# script (scripts/NAME.csx or inline code) as the pipeline's owner, an admin, with the platform as globals.";

    /// <inheritdoc />
    public IReadOnlyList<ParameterSpec> Config { get; } =
    [
        new("script", ParameterType.String, "Path of the script under scripts/, e.g. scripts/refresh.csx (or give code)."),
        new("code", ParameterType.String, "C# code to run when no script is given."),
        new("args", ParameterType.Array, "Arguments passed to the script (its Args global)."),
        new("timeout_seconds", ParameterType.Integer, "The script's time limit; it is stopped past it. Default 600."),
    ];

    /// <inheritdoc />
    public Task<IReadOnlyList<ConfigProblem>> ValidateAsync(JsonElement config, IServiceProvider platform, CancellationToken cancellationToken)
    {
        var problems = new List<ConfigProblem>();
        var script = config.Text("script");
        var code = config.Text("code");
        if ((script is null) == (code is null))
        {
            problems.Add(new ConfigProblem(script is null ? "script" : "code", "Give exactly one of script (a file under scripts/) or code (inline C#)."));
        }
        else if (script is not null && ScriptProblem(script) is { } problem)
        {
            problems.Add(new ConfigProblem("script", problem));
        }

        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("args", out var args)
            && (args.ValueKind != JsonValueKind.Array || args.EnumerateArray().Any(a => a.ValueKind is JsonValueKind.Object or JsonValueKind.Array)))
        {
            problems.Add(new ConfigProblem("args", "args must be an array of strings, numbers or booleans, e.g. [\"2025-12-15\", 3]."));
        }

        if (config.ValueKind == JsonValueKind.Object && config.TryGetProperty("timeout_seconds", out var timeout)
            && (!timeout.TryGetInt32(out var seconds) || seconds < 1 || seconds > 24 * 3600))
        {
            problems.Add(new ConfigProblem("timeout_seconds", "timeout_seconds must be a whole number of seconds from 1 to 86400."));
        }

        return Task.FromResult<IReadOnlyList<ConfigProblem>>(problems);
    }

    /// <inheritdoc />
    public async Task<TaskOutcome> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var config = context.Config;
        var owner = await OwnerAsync(context.PipelineId, cancellationToken).ConfigureAwait(false);
        if (owner.Role != Role.Admin)
        {
            return TaskOutcome.Failure($"run_script runs C# on the host machine, so only admins may run it; the pipeline's owner '{owner.UserName}' is {owner.Role.ToString().ToLowerInvariant()}. Save the pipeline as an admin.");
        }

        string code, name;
        if (config.Text("script") is { } script)
        {
            if (ScriptProblem(script) is { } problem)
            {
                return TaskOutcome.Failure(problem);
            }

            name = script;
            code = await File.ReadAllTextAsync(Path.GetFullPath(script), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            name = $"{context.PipelineId}/{context.TaskId}.csx";
            code = config.Text("code") ?? "";
        }

        var args = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("args", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(a => a.ValueKind == JsonValueKind.String ? a.GetString()! : a.GetRawText()).ToArray()
            : [];
        var timeout = config.ValueKind == JsonValueKind.Object && config.TryGetProperty("timeout_seconds", out var t) && t.TryGetInt32(out var s)
            ? TimeSpan.FromSeconds(s)
            : DefaultTimeout;

        var runner = context.Platform.GetRequiredService<IScriptRunner>();
        var job = new ScriptJob(code, name, args, owner.UserName, $"pipeline:{context.PipelineId}/{context.TaskId}", timeout)
        {
            Output = text =>
            {
                foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    context.Log.LogInformation("{Line}", line.TrimEnd('\r'));
                }
            },
        };
        context.Log.LogInformation("Running {Script} as {User} (limit {Seconds:0} s).", name, owner.UserName, timeout.TotalSeconds);
        var result = await runner.RunAsync(job, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var outputs = new Dictionary<string, object?> { ["script_run_id"] = result.RunId, ["elapsed_ms"] = result.ElapsedMs, ["result"] = result.Result };
        if (result.Succeeded)
        {
            var summary = result.Result is { Length: > 0 } value ? $"{result.Message} Result: {Shorten(value)}" : result.Message;
            return new TaskOutcome(true, summary) { Outputs = outputs };
        }

        // A script that does not compile or overran its limit fails the same way on a retry; an exception or a crash
        // (a source briefly down, a 503) may not, so those go through the task's retry policy.
        if (result.Failure is "compile_error" or "timed_out" or "out_of_memory" or "stack_overflow")
        {
            return new TaskOutcome(false, result.Message) { Outputs = outputs };
        }

        throw new InvalidOperationException(result.Message);
    }

    /// <summary>Why <paramref name="script"/> cannot be run (outside scripts/, not .csx, missing), or null.</summary>
    public static string? ScriptProblem(string script)
    {
        var folder = Path.GetFullPath(ScriptsFolder) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(script);
        if (!full.StartsWith(folder, StringComparison.Ordinal))
        {
            return $"'{script}' is not under scripts/; pipelines run scripts kept there, e.g. scripts/refresh.csx.";
        }

        if (!full.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{script}' is not a C# script; name it NAME.csx.";
        }

        return File.Exists(full) ? null : $"No script at {script} (looked in {Path.GetFullPath(ScriptsFolder)}).";
    }

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length > 200 ? line[..199] + "…" : line;
    }

    private async Task<(string UserName, Role Role)> OwnerAsync(string pipelineId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var owner = await db.Set<PipelineRecord>().Where(p => p.Id == pipelineId).Select(p => p.Owner).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Pipeline '{pipelineId}' no longer exists.");
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.UserName == owner, cancellationToken).ConfigureAwait(false);
        if (user is null || user.Disabled)
        {
            throw new InvalidOperationException($"The pipeline's owner '{owner}' {(user is null ? "no longer exists" : "is disabled")}; save the pipeline as another user.");
        }

        return (user.UserName, user.Role);
    }
}
