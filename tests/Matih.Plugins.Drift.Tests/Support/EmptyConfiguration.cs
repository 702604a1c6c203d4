using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Matih.Plugins.Drift.Tests.Support;

/// <summary>An empty plugin settings section, as the host binds <c>"settings": {}</c> from plugins.json.</summary>
internal sealed class EmptyConfiguration : IConfiguration
{
    public static EmptyConfiguration Instance { get; } = new();

    public string? this[string key]
    {
        get => null;
        set => throw new NotSupportedException();
    }

    public IEnumerable<IConfigurationSection> GetChildren() => [];

    public IChangeToken GetReloadToken() => throw new NotSupportedException();

    public IConfigurationSection GetSection(string key) => throw new NotSupportedException();
}
