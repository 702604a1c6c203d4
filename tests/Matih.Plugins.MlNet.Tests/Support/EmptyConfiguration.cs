using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Matih.Plugins.MlNet.Tests.Support;

/// <summary>A plugin settings section with nothing in it.</summary>
internal sealed class EmptyConfiguration : IConfiguration
{
    public string? this[string key]
    {
        get => null;
        set { }
    }

    public IEnumerable<IConfigurationSection> GetChildren() => [];

    public IChangeToken GetReloadToken() => throw new NotSupportedException();

    public IConfigurationSection GetSection(string key) => throw new NotSupportedException();
}
