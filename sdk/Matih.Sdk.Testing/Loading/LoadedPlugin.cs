using System.Reflection;
using Matih.Sdk.Plugins;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Matih.Sdk.Testing;

/// <summary>
/// A plugin loaded and registered as the host would: its manifest, what it registered, and a service provider to
/// resolve its contributions from. Dispose it at the end of the test.
/// </summary>
public sealed class LoadedPlugin : IDisposable
{
    private readonly PluginLoader _loader;
    private readonly Lazy<ServiceProvider> _services;

    internal LoadedPlugin(PluginLoader loader, Assembly assembly, string assemblyPath, PluginManifest manifest,
        IReadOnlyList<ServiceDescriptor> registrations, Action<IServiceCollection>? platform)
    {
        _loader = loader;
        Assembly = assembly;
        AssemblyPath = assemblyPath;
        Manifest = manifest;
        Registrations = registrations;
        _services = new Lazy<ServiceProvider>(() => Build(registrations, platform));
    }

    /// <summary>What the plugin says about itself.</summary>
    public PluginManifest Manifest { get; }

    /// <summary>The plugin's assembly, loaded in its own load context.</summary>
    public Assembly Assembly { get; }

    /// <summary>The file it was loaded from.</summary>
    public string AssemblyPath { get; }

    /// <summary>Exactly what <see cref="IMatihPlugin.Register"/> added.</summary>
    public IReadOnlyList<ServiceDescriptor> Registrations { get; }

    /// <summary>What the plugin contributed, written as <c>GET /api/plugins</c> shows it (<c>IConnector -> MyConnector</c>).</summary>
    public IReadOnlyList<string> Contributions => Registrations.Select(Describe).ToArray();

    /// <summary>
    /// Things in the plugin folder the host tolerates but a packaged plugin should not have, e.g. its own copy of
    /// Matih.Sdk.dll (the host's shared copy is used anyway, so it is dead weight and a source of confusion).
    /// </summary>
    public IReadOnlyList<string> PackagingWarnings
    {
        get
        {
            var folder = Path.GetDirectoryName(AssemblyPath)!;
            var sdk = typeof(IMatihPlugin).Assembly.GetName().Name + ".dll";
            return File.Exists(Path.Combine(folder, sdk))
                ? [$"{folder} carries its own {sdk}; reference Matih.Sdk with ExcludeAssets=\"runtime\" so the folder holds only the plugin and its own dependencies."]
                : [];
        }
    }

    /// <summary>
    /// The plugin's registrations plus what the host also offers plugin classes: <see cref="ILogger{T}"/> (discarding),
    /// <see cref="TimeProvider"/> (the system clock) and whatever the test's <c>platform</c> callback added.
    /// </summary>
    public IServiceProvider Services => _services.Value;

    /// <summary>Every registration of <typeparamref name="T"/>, in registration order.</summary>
    public IReadOnlyList<T> GetServices<T>()
        where T : notnull => Services.GetServices<T>().ToArray();

    /// <summary>The single registration of <typeparamref name="T"/>; fails when there are none or several.</summary>
    public T GetSingle<T>()
        where T : notnull
    {
        var all = GetServices<T>();
        return all.Count == 1
            ? all[0]
            : throw new InvalidOperationException($"Plugin {Manifest.Id} registered {all.Count} {typeof(T).Name} services, expected exactly one.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_services.IsValueCreated)
        {
            _services.Value.Dispose();
        }

        _loader.Dispose();
    }

    private static ServiceProvider Build(IReadOnlyList<ServiceDescriptor> registrations, Action<IServiceCollection>? platform)
    {
        IServiceCollection services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        platform?.Invoke(services);
        foreach (var descriptor in registrations)
        {
            services.Add(descriptor);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static string Describe(ServiceDescriptor descriptor)
    {
        var implementation = descriptor.IsKeyedService
            ? descriptor.KeyedImplementationType?.Name
            : descriptor.ImplementationType?.Name ?? descriptor.ImplementationInstance?.GetType().Name;
        return $"{descriptor.ServiceType.Name} -> {implementation ?? "factory"}";
    }
}
