using System.Reflection;
using System.Text;
using System.Text.Json;
using Matih.Sdk.Plugins;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Matih.Sdk.Testing;

/// <summary>
/// Loads a built plugin the way the Matih host does: its own <see cref="System.Runtime.Loader.AssemblyLoadContext"/>
/// (McMaster.NETCore.Plugins, <c>PreferSharedTypes = false</c>) sharing only the SDK and the Microsoft.Extensions
/// abstractions, the same SDK-major check, exactly one public <see cref="IMatihPlugin"/> class, and
/// <see cref="IMatihPlugin.Register"/> called once with the settings object as plugins.json would give it.
/// </summary>
/// <example>
/// <code>
/// using var plugin = PluginHarness.LoadBuilt("Acme.Rules", settingsJson: """{ "strict": true }""");
/// var rule = plugin.GetServices&lt;IQualityRule&gt;().Single();
/// </code>
/// </example>
public static class PluginHarness
{
    /// <summary>
    /// The types whose assemblies cross the plugin boundary; the host shares exactly these
    /// (host/Matih.Core/Plugins/PluginLoading.cs). Everything else a plugin uses comes from its own folder.
    /// </summary>
    public static IReadOnlyList<Type> SharedTypes { get; } =
    [
        typeof(IMatihPlugin),
        typeof(IServiceCollection),
        typeof(IConfiguration),
        typeof(IChangeToken),
        typeof(ILogger),
    ];

    /// <summary>
    /// Where the kit's build targets put plugins referenced with <c>MatihPlugin="true"</c>: <c>plugins/</c> beside
    /// the test assembly.
    /// </summary>
    public static string BuiltPluginsDirectory => Path.Combine(AppContext.BaseDirectory, "plugins");

    /// <summary>Loads <c>plugins/&lt;projectName&gt;/</c> beside the tests; throws when the host would fault it.</summary>
    /// <param name="projectName">The plugin project's name, as referenced with <c>MatihPlugin="true"</c>.</param>
    /// <param name="settingsJson">The entry's <c>settings</c> object as JSON; null means none (<c>{}</c>).</param>
    /// <param name="platform">Registers platform services the plugin's classes take (an <c>IWarehouse</c> fake, ...).</param>
    /// <exception cref="PluginLoadException">The host would mark the plugin faulted; the message is the reason.</exception>
    public static LoadedPlugin LoadBuilt(string projectName, string? settingsJson = null, Action<IServiceCollection>? platform = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(projectName);
        var folder = Path.Combine(BuiltPluginsDirectory, projectName);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException(
                $"{folder} does not exist. Reference the plugin project from the test project with ReferenceOutputAssembly=\"false\" MatihPlugin=\"true\" and build.");
        }

        return Load(folder, settingsJson, expectedId: null, platform);
    }

    /// <summary>Loads a plugin folder (or its <c>.dll</c>); throws when the host would fault it.</summary>
    /// <param name="path">The plugin's folder, as a plugins.json <c>path</c> would name it, or its assembly.</param>
    /// <param name="settingsJson">The entry's <c>settings</c> object as JSON; null means none (<c>{}</c>).</param>
    /// <param name="expectedId">The id the plugins.json entry would carry; null skips that check.</param>
    /// <param name="platform">Registers platform services the plugin's classes take.</param>
    /// <exception cref="PluginLoadException">The host would mark the plugin faulted; the message is the reason.</exception>
    public static LoadedPlugin Load(string path, string? settingsJson = null, string? expectedId = null, Action<IServiceCollection>? platform = null)
    {
        var attempt = TryLoad(path, settingsJson, expectedId, platform);
        return attempt.Plugin ?? throw new PluginLoadException(attempt.Error!);
    }

    /// <summary>
    /// Loads a plugin folder (or its <c>.dll</c>) and says whether the host would load it, with the host's reason
    /// when not. Use it to assert that bad settings are refused with a message naming the setting.
    /// </summary>
    /// <param name="path">The plugin's folder, or its assembly.</param>
    /// <param name="settingsJson">The entry's <c>settings</c> object as JSON; null means none (<c>{}</c>).</param>
    /// <param name="expectedId">The id the plugins.json entry would carry; null skips that check.</param>
    /// <param name="platform">Registers platform services the plugin's classes take.</param>
    public static PluginLoadAttempt TryLoad(string path, string? settingsJson = null, string? expectedId = null, Action<IServiceCollection>? platform = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var label = expectedId ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        IConfiguration settings;
        try
        {
            settings = Settings(settingsJson);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidDataException)
        {
            // A test bug, not a plugin fault: say so plainly.
            throw new ArgumentException($"settingsJson is not a JSON object: {e.Message}", nameof(settingsJson), e);
        }

        var (assemblyPath, locateError) = Locate(path);
        if (assemblyPath is null)
        {
            return PluginLoadAttempt.Faulted($"{label}: {locateError}");
        }

        PluginLoader loader;
        Assembly assembly;
        try
        {
            loader = PluginLoader.CreateFromAssemblyFile(assemblyPath, SharedTypes.ToArray(), config => config.PreferSharedTypes = false);
            assembly = loader.LoadDefaultAssembly();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return PluginLoadAttempt.Faulted($"{label}: {Path.GetFileName(assemblyPath)} could not be loaded: {e.Message}");
        }

        var fault = Inspect(assembly, assemblyPath, label, expectedId, out var plugin, out var manifest);
        if (fault is not null)
        {
            loader.Dispose();
            return PluginLoadAttempt.Faulted(fault);
        }

        // All-or-nothing, as in the host: a scratch collection that is only used if Register returns.
        var registrations = new ServiceCollection();
        try
        {
            plugin!.Register(registrations, settings);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            loader.Dispose();
            return PluginLoadAttempt.Faulted($"{label}: registration failed: {Unwrap(e).Message}", Unwrap(e));
        }

        return PluginLoadAttempt.Loaded(new LoadedPlugin(loader, assembly, assemblyPath, manifest!, registrations.ToArray(), platform));
    }

    /// <summary>Where a plugin folder's assembly is, by the host's rules, or why it is not there.</summary>
    /// <param name="path">A folder (its assembly is <c>&lt;folder name&gt;.dll</c>, else the one with a .deps.json) or a .dll.</param>
    public static (string? AssemblyPath, string? Error) Locate(string path)
    {
        var candidate = Path.GetFullPath(path);
        if (File.Exists(candidate))
        {
            return (candidate, null);
        }

        if (!Directory.Exists(candidate))
        {
            return (null, $"path \"{path}\" was not found (looked for {candidate}).");
        }

        var named = Path.Combine(candidate, Path.GetFileName(Path.TrimEndingDirectorySeparator(candidate)) + ".dll");
        if (File.Exists(named))
        {
            return (named, null);
        }

        var deps = Directory.GetFiles(candidate, "*.deps.json");
        if (deps.Length == 1)
        {
            var dll = deps[0][..^".deps.json".Length] + ".dll";
            if (File.Exists(dll))
            {
                return (dll, null);
            }
        }

        return (null, $"folder {candidate} holds no plugin assembly (expected {Path.GetFileName(named)}).");
    }

    private static string? Inspect(Assembly assembly, string assemblyPath, string label, string? expectedId, out IMatihPlugin? plugin, out PluginManifest? manifest)
    {
        plugin = null;
        manifest = null;
        var sdkName = typeof(IMatihPlugin).Assembly.GetName().Name;
        var sdkReference = assembly.GetReferencedAssemblies().FirstOrDefault(a => a.Name == sdkName);
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

        if (expectedId is not null && !string.Equals(manifest.Id, expectedId, StringComparison.Ordinal))
        {
            return $"{label}: the assembly at this path is plugin \"{manifest.Id}\", not \"{expectedId}\".";
        }

        if (manifest.SdkMajor != SdkInfo.Major)
        {
            return $"{label}: declares Matih SDK {manifest.SdkMajor}.x, but this host runs SDK {SdkInfo.Major}.x. Rebuild the plugin against Matih.Sdk {SdkInfo.Major}.x.";
        }

        return null;
    }

    // The host builds the settings the same way: the entry's settings object as a JSON configuration source.
    private static IConfiguration Settings(string? json)
    {
        json = string.IsNullOrWhiteSpace(json) ? "{}" : json;
        using (var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"expected an object, got {document.RootElement.ValueKind}.");
            }

            json = document.RootElement.GetRawText();
        }

        return new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
    }

    private static Exception Unwrap(Exception e) => e is TargetInvocationException { InnerException: { } inner } ? inner : e;
}
