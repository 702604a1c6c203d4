namespace Matih.Core.Tests.Deployments;

/// <summary>One <see cref="ServingStores"/> (two trained runs) shared by a test class; tests use their own model and deployment names.</summary>
public sealed class ServingFixture : IAsyncLifetime
{
    public ServingStores Stores { get; private set; } = null!;

    public async Task InitializeAsync() => Stores = await ServingStores.StartAsync();

    public async Task DisposeAsync() => await Stores.DisposeAsync();
}
