using Matih.Plugins.SourceFaker.Tests.Support;

namespace Matih.Plugins.SourceFaker.Tests.NovaMart;

/// <summary>The generated data looks like the seed walkthrough's profile, at scale 0.01.</summary>
[Collection(NovaMartSampleCollection.Name)]
public sealed class ProfileTests(NovaMartSample sample)
{
    private static readonly int AsOfDay = Faker.AsOf.DayNumber;

    [Fact]
    public void Sizes_follow_the_scale()
    {
        var customers = sample.Customers.Count;
        var orders = sample.Orders.Count;

        Assert.Equal(21_038, customers);
        Assert.Equal(500, sample.Products.Count);
        Assert.InRange((double)orders / customers, 8.5, 10.5);
        Assert.InRange((double)sample.OrderItems.Count / orders, 1.5, 1.7);
        Assert.InRange((double)sample.Returns.Count / orders, 0.035, 0.065);
        Assert.InRange((double)sample.Clickstream.Count / customers, 12.0, 17.0);
    }

    [Fact]
    public void Segments_are_exactly_the_seed_values()
    {
        var segments = sample.Customers.Column<string>("segment").Values.ToHashSet();

        Assert.Equal(["Bronze", "Gold", "Inactive", "New", "Silver"], segments.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Channels_split_like_the_seed()
    {
        var channel = sample.Customers.Column<string>("channel");

        Assert.InRange(Share(channel, v => v == "web"), 0.59, 0.63);
        Assert.InRange(Share(channel, v => v == "mobile"), 0.26, 0.30);
        Assert.InRange(Share(channel, v => v == "store"), 0.095, 0.125);
        Assert.InRange(NullShare(channel), 0.0, 0.004);
    }

    [Fact]
    public void Email_is_missing_for_one_customer_in_eight_and_unique_otherwise()
    {
        var email = sample.Customers.Column<string>("email");
        var present = Enumerable.Range(0, email.Values.Count).Where(i => !email.IsNull(i)).Select(i => email[i]).ToList();

        Assert.InRange(NullShare(email), 0.109, 0.133);
        Assert.Equal(present.Count, present.Distinct(StringComparer.Ordinal).Count());
        Assert.All(present.Take(100), e => Assert.Matches("^[a-z0-9.]+@[a-z.]+$", e));
    }

    [Fact]
    public void Names_and_places_have_the_seed_null_rates()
    {
        var customers = sample.Customers;

        Assert.InRange(NullShare(customers.Column<string>("first_name")), 0.0, 0.006);
        Assert.InRange(NullShare(customers.Column<string>("last_name")), 0.0, 0.007);
        Assert.InRange(NullShare(customers.Column<string>("city")), 0.017, 0.029);
        Assert.InRange(NullShare(customers.Column<string>("state")), 0.013, 0.023);
        Assert.Equal(51, customers.Column<string>("state").Values.Where(s => s is not null).Distinct().Count());
    }

    [Fact]
    public void Most_customers_are_active_as_in_the_seed()
    {
        var active = sample.Customers.Column<bool>("is_active").Values;

        Assert.InRange(active.Count(a => a) / (double)active.Count, 0.797, 0.837);
    }

    [Fact]
    public void About_one_customer_in_twenty_never_ordered()
    {
        Assert.InRange(NullShare(sample.Customers.Column<DateOnly>("last_order_date")), 0.037, 0.057);
    }

    [Fact]
    public void Days_since_last_order_are_bimodal_like_the_seed()
    {
        var days = DaysSinceLastOrderOfChurnPopulation();

        Assert.InRange(Share(days, d => d <= 30), 0.392, 0.432);
        Assert.InRange(Share(days, d => d is > 30 and <= 60), 0.143, 0.183);
        Assert.InRange(Share(days, d => d is > 60 and <= 90), 0.101, 0.141);
        Assert.InRange(Share(days, d => d is > 90 and <= 180), 0.167, 0.207);
        Assert.InRange(Share(days, d => d > 180), 0.097, 0.137);
        Assert.Equal(0, days.Min());
    }

    [Fact]
    public void Three_customers_in_ten_have_churned()
    {
        var days = DaysSinceLastOrderOfChurnPopulation();

        Assert.InRange(Share(days, d => d > 90), 0.284, 0.324);
    }

    [Fact]
    public void Lifetime_values_have_the_seed_median()
    {
        var values = sample.Customers.Column<decimal>("lifetime_value").Values.Order().ToList();

        Assert.Equal(0m, values[0]);
        Assert.InRange(values[values.Count / 2], 255m, 320m);
        Assert.All(values, v => Assert.Equal(v, decimal.Round(v, 2)));
    }

    [Fact]
    public void Signups_span_seven_years_up_to_a_month_before_as_of()
    {
        var signups = sample.Customers.Column<DateOnly>("signup_date").Values;

        Assert.InRange(signups.Min(), Faker.AsOf.AddDays(-2_540), Faker.AsOf.AddDays(-2_400));
        Assert.InRange(signups.Max(), Faker.AsOf.AddDays(-60), Faker.AsOf.AddDays(-30));
    }

    [Fact]
    public void Order_values_stay_within_the_seed_range()
    {
        var totals = sample.Orders.Column<decimal>("total_amount").Values;
        var average = totals.Average();

        Assert.True(totals.Min() >= 4.99m);
        Assert.True(totals.Max() <= 14_329m);
        Assert.InRange(average, 35m, 90m);
    }

    [Fact]
    public void Clickstream_covers_at_least_the_last_120_days()
    {
        var timestamps = sample.Clickstream.Column<DateTime>("event_timestamp").Values;
        var asOf = Faker.AsOf.ToDateTime(TimeOnly.MinValue);

        Assert.True(timestamps.Min() <= asOf.AddDays(-120));
        Assert.True(timestamps.Max() < asOf.AddDays(1));
        Assert.Equal(["add_to_cart", "checkout", "page_view", "product_view", "search"],
            sample.Clickstream.Column<string>("event_type").Values.Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>As the seed's churn SQL sees it: customers who signed up over 90 days ago and ordered.</summary>
    private List<int> DaysSinceLastOrderOfChurnPopulation()
    {
        var customers = sample.Customers;
        var signup = customers.Column<DateOnly>("signup_date");
        var lastOrder = customers.Column<DateOnly>("last_order_date");
        return Enumerable.Range(0, customers.Count)
            .Where(i => !lastOrder.IsNull(i) && signup[i].DayNumber < AsOfDay - 90)
            .Select(i => AsOfDay - lastOrder[i].DayNumber)
            .ToList();
    }

    private static double Share<T>(CollectedColumn<T> column, Func<T, bool> predicate) =>
        Enumerable.Range(0, column.Values.Count).Count(i => !column.IsNull(i) && predicate(column[i])) / (double)column.Values.Count;

    private static double Share(List<int> values, Func<int, bool> predicate) => values.Count(predicate) / (double)values.Count;

    private static double NullShare(CollectedColumn column) => column.Nulls.Count(n => n) / (double)column.Nulls.Count;
}
