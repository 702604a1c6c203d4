namespace Matih.Plugins.SourceFaker.Tests.Support;

/// <summary>
/// One full read at scale 0.01 (21k customers, ~850k rows), shared by the tests that inspect the data so the
/// suite generates it once.
/// </summary>
public sealed class NovaMartSample
{
    public NovaMartSample()
    {
        Sink = Faker.ReadAsync(Faker.Config(scale: 0.01), Faker.FullRefresh()).GetAwaiter().GetResult();
    }

    internal CollectingSink Sink { get; }

    internal CollectedTable Customers => Sink["customers"];

    internal CollectedTable Orders => Sink["orders"];

    internal CollectedTable OrderItems => Sink["order_items"];

    internal CollectedTable Products => Sink["products"];

    internal CollectedTable Returns => Sink["returns"];

    internal CollectedTable Clickstream => Sink["clickstream"];
}

[CollectionDefinition(Name)]
public sealed class NovaMartSampleCollection : ICollectionFixture<NovaMartSample>
{
    public const string Name = "NovaMart sample";
}
