using Matih.Testing;

namespace Matih.Host.Tests.Api;

/// <summary>
/// One empty host (no demo) for the API-product tests: the OpenAPI document, problem details and paging. The fault
/// route is switched on so the 500 answer can be seen on a real host.
/// </summary>
public sealed class OpenApiHostFixture : IAsyncLifetime
{
    public MatihHost Host { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Host = await MatihHost.StartAsync(environment: new Dictionary<string, string> { ["Matih__Api__FaultRoute"] = "true" });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class OpenApiHostCollection : ICollectionFixture<OpenApiHostFixture>
{
    public const string Name = "API product host";
}
