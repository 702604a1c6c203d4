using Matih.Core.Connections;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Matih.Core.Secrets;

/// <summary>Registers the one <see cref="ISecretStore"/> connections and notifier channels resolve <c>${NAME}</c> through.</summary>
public static class SecretServices
{
    /// <summary>
    /// Adds the store (environment by default, the encrypted file store with <c>Matih:Secrets:Store=file</c>), shows
    /// its secrets to configuration as <c>Secrets:NAME</c>, and registers <see cref="SecretValues"/> over it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The store setting names no known store.</exception>
    public static IServiceCollection AddMatihSecrets(this IServiceCollection services, IConfigurationManager configuration, string dataPath)
    {
        var mode = configuration[SecretStore.ModeSetting] ?? "environment";
        var writable = mode.ToLowerInvariant() switch
        {
            "environment" => false,
            "file" => true,
            _ => throw new InvalidOperationException($"{SecretStore.ModeSetting} is '{mode}'; use 'environment' (the default) or 'file'."),
        };

        // Its own provider over the host's key ring (same folder and application name), because configuration is
        // built before the service provider that holds the host's.
        var protection = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(dataPath, "keys", "data-protection")), b => b.SetApplicationName("Matih"));
        var store = new SecretStore(protection, configuration, Path.Combine(dataPath, "secrets", "secrets.json"), writable);
        configuration.Sources.Add(new SecretStoreConfigurationSource(store));
        services.AddSingleton<ISecretStore>(store);
        services.AddSingleton(sp => new SecretValues(sp.GetRequiredService<IDataProtectionProvider>(), store));
        return services;
    }
}
