using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Matih.Plugins.SourceFaker.Tests.Support;

/// <summary>A flat plugin settings section, as the host binds it from plugins.json.</summary>
internal sealed class TestConfiguration(IReadOnlyDictionary<string, string?> values) : IConfiguration
{
    public static TestConfiguration Empty { get; } = new(new Dictionary<string, string?>());

    public string? this[string key]
    {
        get => values.TryGetValue(key, out var value) ? value : null;
        set => throw new NotSupportedException();
    }

    public IEnumerable<IConfigurationSection> GetChildren() => [];

    public IChangeToken GetReloadToken() => NullChangeToken.Singleton;

    public IConfigurationSection GetSection(string key) => throw new NotSupportedException();

    private sealed class NullChangeToken : IChangeToken
    {
        public static NullChangeToken Singleton { get; } = new();

        public bool HasChanged => false;

        public bool ActiveChangeCallbacks => false;

        public IDisposable RegisterChangeCallback(Action<object?> callback, object? state) => EmptyDisposable.Instance;
    }

    private sealed class EmptyDisposable : IDisposable
    {
        public static EmptyDisposable Instance { get; } = new();

        public void Dispose()
        {
        }
    }
}
