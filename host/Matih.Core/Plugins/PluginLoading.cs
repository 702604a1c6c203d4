using System.Reflection;
using System.Text;
using Matih.Sdk.Plugins;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Matih.Core.Plugins;

/// <summary>
/// Loads the plugins listed in plugins.json, each in its own load context, and commits each plugin's service
/// registrations only when all of them succeed. A plugin that fails in any way is marked faulted with the reason;
/// the host keeps going with the others.
/// </summary>
public static class PluginLoading
{
    // Types whose assemblies cross the plugin boundary: the SDK contracts and the abstractions they mention.
    private static readonly Type[] s_sharedTypes =
    [
        typeof(IMatihPlugin),
        typeof(IServiceCollection),
        typeof(IConfiguration),
        typeof(IChangeToken),
        typeof(ILogger),
    ];

    /// <summary>Loads every entry of <paramref name="file"/> and registers loaded plugins into <paramref name="services"/>.</summary>
    /// <param name="file">plugins.json, already read.</param>
    /// <param name="builtInDirectory">Where built-in plugins live (the host's <c>plugins/</c> folder).</param>
    /// <param name="services">The host's services.</param>
    /// <param name="log">Where to say what happened.</param>
    public static InstalledPlugins LoadAll(PluginsFile file, string builtInDirectory, IServiceCollection services, ILogger log)
    {
        var statuses = new List<PluginStatus>(file.Problems);
        foreach (var problem in file.Problems)
        {
            log.LogError("Plugin configuration problem: {Error}", problem.Error);
        }

        var loaders = new List<PluginLoader>();
        var plugins = new Dictionary<string, IMatihPlugin>(StringComparer.Ordinal);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var entry in file.Entries)
        {
            var status = entry.Enabled
                ? LoadOne(entry, file.FilePath, builtInDirectory, services, loaders, plugins)
                : new PluginStatus(entry.Id, null, null, null, null, PluginState.Disabled, null, entry.Path, []);
            statuses.Add(status);
            if (status.State == PluginState.Faulted)
            {
                log.LogError("Plugin {PluginId} is faulted: {Error}", status.Id, status.Error);
            }
            else
            {
                log.LogInformation("Plugin {PluginId} {Version} is {State}", status.Id, status.Version, status.State);
            }
        }

        log.LogInformation("Loaded {Count} plugin(s) in {Milliseconds} ms", loaders.Count, clock.ElapsedMilliseconds);

        return new InstalledPlugins(statuses, loaders) { File = file, Plugins = plugins };
    }

    /// <summary>Where <paramref name="entry"/>'s assembly is, or an error naming the entry.</summary>
    public static (string? AssemblyPath, string? Error) Locate(PluginEntry entry, string pluginsFilePath, string builtInDirectory)
    {
        var raw = entry.Path;
        var isBuiltInName = !raw.Contains('/') && !raw.Contains('\\') && !raw.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(pluginsFilePath))!;
        var candidate = isBuiltInName ? Path.Combine(builtInDirectory, raw) : Path.GetFullPath(Path.Combine(baseDirectory, raw));
        var fileName = Path.GetFileName(pluginsFilePath);

        if (File.Exists(candidate))
        {
            return (candidate, null);
        }

        if (!Directory.Exists(candidate))
        {
            var where = isBuiltInName ? $"built-in plugin folder {candidate}" : candidate;
            return (null, $"{fileName} {entry.Label}: path \"{raw}\" was not found (looked for {where}).");
        }

        var named = Path.Combine(candidate, Path.GetFileName(candidate.TrimEnd(Path.DirectorySeparatorChar)) + ".dll");
        if (File.Exists(named))
        {
            return (named, null);
        }

        // A folder whose name differs from its assembly: the one assembly with a .deps.json beside it is the plugin.
        var deps = Directory.GetFiles(candidate, "*.deps.json");
        if (deps.Length == 1)
        {
            var dll = deps[0][..^".deps.json".Length] + ".dll";
            if (File.Exists(dll))
            {
                return (dll, null);
            }
        }

        return (null, $"{fileName} {entry.Label}: folder {candidate} holds no plugin assembly (expected {Path.GetFileName(named)}).");
    }

    private static PluginStatus LoadOne(PluginEntry entry, string pluginsFilePath, string builtInDirectory, IServiceCollection services,
        List<PluginLoader> loaders, Dictionary<string, IMatihPlugin> plugins)
    {
        var (assemblyPath, locateError) = Locate(entry, pluginsFilePath, builtInDirectory);
        if (assemblyPath is null)
        {
            return Faulted(entry, locateError!, null);
        }

        var opened = Open(assemblyPath, entry.Label, unloadable: false);
        if (opened.Error is { } openError)
        {
            return Faulted(entry, openError, assemblyPath);
        }

        var loader = opened.Loader!;
        var plugin = opened.Plugin!;
        var manifest = opened.Manifest!;
        if (!string.Equals(manifest.Id, entry.Id, StringComparison.Ordinal))
        {
            return Faulted(entry, $"{entry.Label}: the assembly at this path is plugin \"{manifest.Id}\", not \"{entry.Id}\".", assemblyPath);
        }

        if (manifest.SdkMajor != SdkInfo.Major)
        {
            return Faulted(entry,
                $"{entry.Label}: declares Matih SDK {manifest.SdkMajor}.x, but this host runs SDK {SdkInfo.Major}.x. Rebuild the plugin against Matih.Sdk {SdkInfo.Major}.x.",
                assemblyPath);
        }

        // All-or-nothing: register into a scratch collection and commit only if Register returns.
        var scratch = new ServiceCollection();
        try
        {
            plugin.Register(scratch, SettingsOf(entry));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Faulted(entry, $"{entry.Label}: registration failed: {Unwrap(e).Message}", assemblyPath) with
            {
                Name = manifest.Name,
                Kind = KindName(manifest.Kind),
                Version = manifest.Version,
                SdkMajor = manifest.SdkMajor,
                Description = manifest.Description,
                Settings = manifest.Settings,
            };
        }

        foreach (var descriptor in scratch)
        {
            services.Add(descriptor);
        }

        loaders.Add(loader);
        plugins[entry.Id] = plugin;
        return new PluginStatus(entry.Id, manifest.Name, KindName(manifest.Kind), manifest.Version, manifest.SdkMajor, PluginState.Loaded, null,
            assemblyPath, scratch.Select(Describe).ToArray())
        {
            Description = manifest.Description,
            Settings = manifest.Settings,
        };
    }

    /// <summary>
    /// Loads the assembly at <paramref name="assemblyPath"/> in a load context of its own and creates its one
    /// <see cref="IMatihPlugin"/>: refuses another SDK major, a type that fails to load, none or several entry
    /// points. Errors start with <paramref name="label"/>. An unloadable context is for a look before installing.
    /// </summary>
    public static OpenedPlugin Open(string assemblyPath, string label, bool unloadable)
    {
        PluginLoader loader;
        Assembly assembly;
        try
        {
            loader = PluginLoader.CreateFromAssemblyFile(assemblyPath, s_sharedTypes, config =>
            {
                config.PreferSharedTypes = false;
                config.IsUnloadable = unloadable;
            });
            assembly = loader.LoadDefaultAssembly();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new OpenedPlugin(null, null, null, $"{label}: {Path.GetFileName(assemblyPath)} could not be loaded: {e.Message}");
        }

        var error = Inspect(assembly, assemblyPath, label, out var plugin, out var manifest);
        if (error is not null)
        {
            loader.Dispose();
            return new OpenedPlugin(null, null, null, error);
        }

        return new OpenedPlugin(loader, plugin, manifest, null);
    }

    private static string? Inspect(Assembly assembly, string assemblyPath, string label, out IMatihPlugin? plugin, out PluginManifest? manifest)
    {
        plugin = null;
        manifest = null;

        // Refuse another SDK major before touching any type: its contracts would fail at call time.
        var sdkReference = assembly.GetReferencedAssemblies().FirstOrDefault(a => a.Name == typeof(IMatihPlugin).Assembly.GetName().Name);
        if (sdkReference is null)
        {
            return $"{label}: {Path.GetFileName(assemblyPath)} does not reference Matih.Sdk, so it is not a Matih plugin.";
        }

        if (sdkReference.Version is { } built && built.Major != SdkInfo.Major)
        {
            return $"{label}: built for Matih SDK {built.Major}.x, but this host runs SDK {SdkInfo.Major}.x. Rebuild the plugin against Matih.Sdk {SdkInfo.Major}.x.";
        }

        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            var reasons = e.LoaderExceptions.Where(x => x is not null).Select(x => x!.Message).Distinct().Take(3);
            return $"{label}: a type in {assembly.GetName().Name} failed to load: {string.Join(" ", reasons)}";
        }

        var entryPoints = types.Where(t => typeof(IMatihPlugin).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false, IsPublic: true }).ToArray();
        if (entryPoints.Length != 1)
        {
            var found = entryPoints.Length == 0 ? "none" : string.Join(", ", entryPoints.Select(t => t.FullName));
            return $"{label}: expected exactly one public class implementing IMatihPlugin in {assembly.GetName().Name}, found {found}.";
        }

        try
        {
            plugin = (IMatihPlugin)Activator.CreateInstance(entryPoints[0])!;
            manifest = plugin.Manifest;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"{label}: {entryPoints[0].Name} threw while loading: {Unwrap(e).Message}";
        }

        return null;
    }

    /// <summary>The plugin's settings object as the <see cref="IConfiguration"/> its <see cref="IMatihPlugin.Register"/> receives.</summary>
    public static IConfiguration SettingsConfiguration(string? settingsJson)
    {
        var json = string.IsNullOrWhiteSpace(settingsJson) ? "{}" : settingsJson;
        return new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
    }

    private static IConfiguration SettingsOf(PluginEntry entry) => SettingsConfiguration(entry.Settings?.GetRawText());

    private static string Describe(ServiceDescriptor descriptor)
    {
        var implementation = descriptor.IsKeyedService
            ? descriptor.KeyedImplementationType?.Name
            : descriptor.ImplementationType?.Name ?? descriptor.ImplementationInstance?.GetType().Name;
        return $"{descriptor.ServiceType.Name} -> {implementation ?? "factory"}";
    }

    /// <summary>The kind as written in the API: <c>catalog_provider</c>.</summary>
    public static string KindName(PluginKind kind) => kind switch
    {
        PluginKind.Connector => "connector",
        PluginKind.CatalogProvider => "catalog_provider",
        PluginKind.QualityRule => "quality_rule",
        PluginKind.Trainer => "trainer",
        PluginKind.ServingRuntime => "serving_runtime",
        PluginKind.DriftDetector => "drift_detector",
        PluginKind.PipelineTaskType => "pipeline_task_type",
        PluginKind.Notifier => "notifier",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static Exception Unwrap(Exception e) => e is TargetInvocationException { InnerException: { } inner } ? inner : e;

    private static PluginStatus Faulted(PluginEntry entry, string error, string? path) =>
        new(entry.Id, null, null, null, null, PluginState.Faulted, error, path, []);
}

/// <summary>The outcome of plugin loading: every plugin's status. Keeps the load contexts alive.</summary>
public sealed class InstalledPlugins
{
    private readonly IReadOnlyList<PluginLoader> _loaders;

    /// <summary>Creates the list.</summary>
    public InstalledPlugins(IReadOnlyList<PluginStatus> statuses, IReadOnlyList<PluginLoader> loaders)
    {
        Statuses = statuses;
        _loaders = loaders;
    }

    /// <summary>Every plugin listed, and every problem with plugins.json, in file order.</summary>
    public IReadOnlyList<PluginStatus> Statuses { get; }

    /// <summary>Number of plugins whose load contexts are alive.</summary>
    public int LoadedCount => _loaders.Count;

    /// <summary>plugins.json as it was read at start: what is in force until the host restarts.</summary>
    public PluginsFile? File { get; init; }

    /// <summary>The entry point of each loaded plugin, by id: for trial registrations of changed settings.</summary>
    public IReadOnlyDictionary<string, IMatihPlugin> Plugins { get; init; } = new Dictionary<string, IMatihPlugin>();
}

/// <summary>A plugin assembly opened in its own load context, or why it could not be.</summary>
/// <param name="Loader">Its load context; dispose it to unload an unloadable one.</param>
/// <param name="Plugin">Its entry point.</param>
/// <param name="Manifest">Who it says it is.</param>
/// <param name="Error">Why it cannot be used, naming the entry or file.</param>
public sealed record OpenedPlugin(PluginLoader? Loader, IMatihPlugin? Plugin, PluginManifest? Manifest, string? Error);
