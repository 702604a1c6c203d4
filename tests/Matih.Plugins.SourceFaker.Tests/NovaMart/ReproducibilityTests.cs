using Matih.Plugins.SourceFaker.Tests.Support;

namespace Matih.Plugins.SourceFaker.Tests.NovaMart;

[Collection(NovaMartSampleCollection.Name)]
public sealed class ReproducibilityTests(NovaMartSample sample)
{
    [Fact]
    public async Task Same_seed_gives_identical_rows_whatever_the_batch_size_or_thread_count()
    {
        var oneThreadSmallBatches = await Faker.ReadAsync(Faker.Config(scale: 0.01), Faker.FullRefresh(), parallelism: 1, batchRows: 1_000);
        var threeThreadsOddBatches = await Faker.ReadAsync(Faker.Config(scale: 0.01), Faker.FullRefresh(), parallelism: 3, batchRows: 5_003);

        var expected = sample.Sink.ContentHash();
        Assert.Equal(expected, oneThreadSmallBatches.ContentHash());
        Assert.Equal(expected, threeThreadsOddBatches.ContentHash());
    }

    [Fact]
    public async Task Different_seed_gives_different_rows()
    {
        var other = await Faker.ReadAsync(Faker.Config(scale: 0.01, seed: 43), Faker.FullRefresh("customers"));

        var same = await Faker.ReadAsync(Faker.Config(scale: 0.01), Faker.FullRefresh("customers"));
        Assert.Equal(sample.Customers.Count, other["customers"].Count);
        Assert.NotEqual(same.ContentHash(), other.ContentHash());
        var emails = sample.Customers.Column<string>("email").Values;
        var otherEmails = other["customers"].Column<string>("email").Values;
        Assert.True(emails.Zip(otherEmails).Count(p => p.First == p.Second) < emails.Count / 10);
    }

    [Fact]
    public async Task Dates_move_with_as_of()
    {
        var later = await Faker.ReadAsync(Faker.Config(scale: 0.01, asOf: Faker.AsOf.AddDays(10)), Faker.FullRefresh("customers"));

        var before = sample.Customers;
        var after = later["customers"];
        Assert.Equal(before.Column<long>("customer_id").Values, after.Column<long>("customer_id").Values);
        Assert.Equal(before.Column<decimal>("lifetime_value").Values, after.Column<decimal>("lifetime_value").Values);
        Assert.Equal(
            before.Column<DateOnly>("signup_date").Values.Select(d => d.AddDays(10)),
            after.Column<DateOnly>("signup_date").Values);
    }
}
