namespace Matih.Host.Startup;

/// <summary>
/// Turns Matih's friendly flags into .NET configuration keys, so <c>--data-dir x</c>, <c>--no-demo</c>,
/// <c>--plugins f</c>, <c>--metadata-postgres cs</c>, <c>--jobs embedded|postgres</c>, <c>--job-workers n</c> and
/// <c>--warehouse-dir d</c> work alongside every standard <c>--Section:Key=value</c> and <c>MATIH__...</c> variable.
/// </summary>
public static class CommandLine
{
    /// <summary>The verb (<c>serve</c> when none) and the arguments rewritten for configuration.</summary>
    public static (string Verb, string[] Args) Parse(string[] args)
    {
        var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        var rest = verb == "serve" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..];
        var rewritten = new List<string>();
        for (var i = 0; i < rest.Length; i++)
        {
            switch (rest[i])
            {
                case "--no-demo":
                    rewritten.Add("--Matih:Demo=false");
                    break;
                case "--data-dir" when i + 1 < rest.Length:
                    rewritten.Add($"--Matih:DataDirectory={rest[++i]}");
                    break;
                case "--plugins" when i + 1 < rest.Length:
                    rewritten.Add($"--Matih:PluginsFile={rest[++i]}");
                    break;
                case "--metadata-postgres" when i + 1 < rest.Length:
                    // Server mode in one flag: PostgreSQL metadata; Hangfire follows it unless --jobs says otherwise.
                    rewritten.Add("--Matih:MetadataStore=PostgreSql");
                    rewritten.Add($"--Matih:MetadataConnectionString={rest[++i]}");
                    break;
                case "--jobs" when i + 1 < rest.Length:
                    rewritten.Add($"--Matih:JobStorage={(rest[++i] is "postgres" or "postgresql" ? "PostgreSql" : rest[i])}");
                    break;
                case "--job-workers" when i + 1 < rest.Length:
                    rewritten.Add($"--Matih:JobWorkers={rest[++i]}");
                    break;
                case "--warehouse-dir" when i + 1 < rest.Length:
                    rewritten.Add($"--Matih:WarehouseDirectory={rest[++i]}");
                    break;
                case "--warehouse-sharing" when i + 1 < rest.Length:
                    rewritten.Add($"--Matih:WarehouseSharing={rest[++i]}");
                    break;
                case "--demo-scale" when i + 1 < rest.Length:
                    rewritten.Add($"--Matih:DemoScale={rest[++i]}");
                    break;
                default:
                    rewritten.Add(rest[i]);
                    break;
            }
        }

        return (verb, rewritten.ToArray());
    }
}
