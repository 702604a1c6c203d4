using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;

namespace Matih.Core.Secrets;

/// <summary>A secret's name and where its value comes from; never the value.</summary>
/// <param name="Name">The name connections and notifier channels use as <c>${NAME}</c>.</param>
/// <param name="Source"><c>file</c> (the encrypted store) or <c>settings</c> (<c>Secrets:NAME</c> in appsettings or <c>Secrets__NAME</c>).</param>
/// <param name="UpdatedAt">When it was last set in the encrypted store.</param>
public sealed record SecretInfo(string Name, string Source, DateTimeOffset? UpdatedAt);

/// <summary>
/// Where <c>${NAME}</c> references in connections and notifier channels get their values. Values go in (write-only)
/// and are resolved for connectors at run time; no member returns a value to show.
/// </summary>
public interface ISecretStore
{
    /// <summary>True when <see cref="SetAsync"/> and <see cref="DeleteAsync"/> work (the encrypted file store is on).</summary>
    bool Writable { get; }

    /// <summary>The value of <paramref name="name"/>, for a connector or notifier only; null when it is not set anywhere.</summary>
    string? Resolve(string name);

    /// <summary>The secrets this host knows by name (environment variables are not listed: there are too many).</summary>
    IReadOnlyList<SecretInfo> List();

    /// <summary>Stores <paramref name="value"/> encrypted under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is not a valid secret name, or the value is empty.</exception>
    /// <exception cref="InvalidOperationException">The store is read-only (secrets come from the environment).</exception>
    Task SetAsync(string name, string value, CancellationToken cancellationToken);

    /// <summary>Removes <paramref name="name"/> from the encrypted store; false when it was not there.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}

/// <summary>
/// Secrets from, in order: the encrypted file store (<c>secrets/secrets.json</c> under the data directory, values
/// protected with ASP.NET Core Data Protection, when <c>Matih:Secrets:Store</c> is <c>file</c>), the setting
/// <c>Secrets:NAME</c>, and the environment variable <c>NAME</c> (the default source).
/// </summary>
public sealed partial class SecretStore : ISecretStore
{
    /// <summary>The setting choosing the store: <c>environment</c> (default) or <c>file</c>.</summary>
    public const string ModeSetting = "Matih:Secrets:Store";

    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };
    private readonly IDataProtector _protector;
    private readonly IConfiguration _configuration;
    private readonly string _file;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _cacheLock = new();
    private Dictionary<string, StoredSecret> _cache = [];
    private DateTime _cacheStamp = DateTime.MinValue;

    /// <summary>Creates the store over <paramref name="file"/>; <paramref name="writable"/> turns the encrypted file store on.</summary>
    public SecretStore(IDataProtectionProvider protection, IConfiguration configuration, string file, bool writable)
    {
        _protector = protection.CreateProtector("Matih.Secrets.v1");
        _configuration = configuration;
        _file = file;
        Writable = writable;
    }

    /// <inheritdoc />
    public bool Writable { get; }

    /// <summary>Why a read-only store refuses to store a secret, and how to switch.</summary>
    public static string ReadOnlyMessage =>
        $"This host reads secrets from environment variables (NAME) and settings (Secrets__NAME); set {ModeSetting.Replace(":", "__", StringComparison.Ordinal)}=file to keep them in the encrypted store instead.";

    /// <summary>True for a name usable as <c>${NAME}</c>: a letter or underscore, then letters, digits, underscores.</summary>
    public static bool IsValidName(string name) => name.Length <= 100 && Name().IsMatch(name);

    /// <inheritdoc />
    public string? Resolve(string name)
    {
        if (Writable && Stored().TryGetValue(name, out var stored))
        {
            return _protector.Unprotect(stored.Value);
        }

        return _configuration[$"Secrets:{name}"] ?? Environment.GetEnvironmentVariable(name);
    }

    /// <inheritdoc />
    public IReadOnlyList<SecretInfo> List()
    {
        var list = new Dictionary<string, SecretInfo>(StringComparer.Ordinal);
        foreach (var setting in _configuration.GetSection("Secrets").GetChildren())
        {
            list[setting.Key] = new SecretInfo(setting.Key, "settings", null);
        }

        if (Writable)
        {
            foreach (var (name, stored) in Stored())
            {
                list[name] = new SecretInfo(name, "file", stored.UpdatedAt);
            }
        }

        return list.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    /// <inheritdoc />
    public async Task SetAsync(string name, string value, CancellationToken cancellationToken)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException("A secret name starts with a letter or underscore and has only letters, digits and underscores (at most 100).", nameof(name));
        }

        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException("value is required.", nameof(value));
        }

        EnsureWritable();
        await ChangeAsync(secrets => secrets[name] = new StoredSecret(_protector.Protect(value), DateTimeOffset.UtcNow), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        EnsureWritable();
        var removed = false;
        await ChangeAsync(secrets => removed = secrets.Remove(name), cancellationToken).ConfigureAwait(false);
        return removed;
    }

    private void EnsureWritable()
    {
        if (!Writable)
        {
            throw new InvalidOperationException(ReadOnlyMessage);
        }
    }

    private async Task ChangeAsync(Action<Dictionary<string, StoredSecret>> change, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var secrets = new Dictionary<string, StoredSecret>(Read(), StringComparer.Ordinal);
            change(secrets);
            Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
            var temporary = _file + ".tmp";
            await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(secrets, s_json), cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            // Replace in one step, so a host sharing the data directory never reads half a file.
            File.Move(temporary, _file, overwrite: true);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    // Re-read when the file changed: every host sharing the data directory sees a new secret on its next use.
    private Dictionary<string, StoredSecret> Stored()
    {
        var stamp = File.Exists(_file) ? File.GetLastWriteTimeUtc(_file) : DateTime.MinValue;
        lock (_cacheLock)
        {
            if (stamp != _cacheStamp)
            {
                _cache = Read();
                _cacheStamp = stamp;
            }

            return _cache;
        }
    }

    private Dictionary<string, StoredSecret> Read()
    {
        if (!File.Exists(_file))
        {
            return [];
        }

        return JsonSerializer.Deserialize<Dictionary<string, StoredSecret>>(File.ReadAllText(_file)) ?? [];
    }

    /// <summary>A protected value as the file keeps it.</summary>
    private sealed record StoredSecret(string Value, DateTimeOffset UpdatedAt);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Name();
}

/// <summary>
/// Shows the encrypted store's secrets to configuration as <c>Secrets:NAME</c>, so plugins that resolve
/// <c>${NAME}</c> from the host's configuration (the notifier channels) read the same store as connections.
/// </summary>
public sealed class SecretStoreConfigurationSource(ISecretStore store) : IConfigurationSource
{
    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(store);

    private sealed class Provider(ISecretStore store) : ConfigurationProvider
    {
        public override bool TryGet(string key, out string? value)
        {
            value = null;
            if (!store.Writable || !key.StartsWith("Secrets:", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            var name = key["Secrets:".Length..];
            if (!store.List().Any(s => s.Source == "file" && s.Name == name))
            {
                return false;
            }

            value = store.Resolve(name);
            return value is not null;
        }
    }
}
