using Matih.Core.Scripting;

namespace Matih.Host.Scripting;

/// <summary>The script engine's registrations: options, the process pool, runs, sessions, completion, the audit trail.</summary>
public static class ScriptServices
{
    /// <summary>Registers scripting; <c>Matih:Scripts</c> configures its limits (<see cref="ScriptEngineOptions"/>).</summary>
    public static IServiceCollection AddMatihScripting(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Matih:Scripts").Get<ScriptEngineOptions>() ?? new ScriptEngineOptions();
        services.AddSingleton(options);
        services.AddSingleton<ScriptAudit>();
        services.AddSingleton<ScriptApiAccess>();
        services.AddSingleton<ScriptProcessPool>();
        services.AddSingleton<ScriptEngine>();
        services.AddSingleton<IScriptRunner>(sp => sp.GetRequiredService<ScriptEngine>());
        services.AddSingleton<ScriptSessions>();
        services.AddSingleton<ScriptLanguageService>();
        services.AddHostedService<ScriptWarmUp>();
        return services;
    }
}

/// <summary>
/// Starts the warm script processes once the host listens (so the first run in the console is fast), and stops every
/// script process when the host stops.
/// </summary>
internal sealed class ScriptWarmUp(ScriptEngineOptions options, ScriptProcessPool pool, ScriptSessions sessions, ScriptLanguageService language,
    IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.WarmAtStart && options.WarmProcesses > 0)
        {
            // After the host has started, so warming Roslyn does not compete with startup.
            lifetime.ApplicationStarted.Register(pool.Replenish);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await sessions.DisposeAsync();
        await language.DisposeAsync();
        await pool.DisposeAsync();
    }
}
