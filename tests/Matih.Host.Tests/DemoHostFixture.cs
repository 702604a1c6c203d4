using Matih.Testing;

namespace Matih.Host.Tests;

/// <summary>One host with the NovaMart demo loaded, shared by a test class.</summary>
public sealed class DemoHostFixture : IAsyncLifetime
{
    public MatihHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await MatihHost.StartAsync(demo: true);
        await Host.WaitForDemoAsync(TimeSpan.FromMinutes(2));
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
