using Matih.Plugins.SourceFaker.Tests.Support;

namespace Matih.Plugins.SourceFaker.Tests.NovaMart;

/// <summary>
/// Churn (no order in the last 90 days) shows in what the seed's churn SQL computes without looking at order
/// dates: clicks in the last 90 days, returns, segment. Enough for a model to learn, not a giveaway.
/// </summary>
[Collection(NovaMartSampleCollection.Name)]
public sealed class ChurnSignalTests(NovaMartSample sample)
{
    [Fact]
    public void Churned_customers_browse_far_less_in_the_last_90_days()
    {
        var (churned, active) = Split(RecentEvents());

        Assert.True(churned.Average() < 0.4 * active.Average(), $"churned {churned.Average():F2} vs active {active.Average():F2} events");
    }

    [Fact]
    public void Recent_browsing_predicts_churn_well_but_not_perfectly()
    {
        var (churned, active) = Split(RecentEvents());

        // Mann-Whitney AUC of "fewer recent events means churn".
        var auc = Auc(churned.Select(e => (double)-e).ToList(), active.Select(e => (double)-e).ToList());

        Assert.InRange(auc, 0.65, 0.9);
    }

    [Fact]
    public void Churned_customers_return_more_of_what_they_buy()
    {
        var orders = sample.Orders;
        var ordersPerCustomer = new Dictionary<long, int>();
        var owner = new Dictionary<long, long>();
        for (var i = 0; i < orders.Count; i++)
        {
            var customer = orders.Column<long>("customer_id")[i];
            owner[orders.Column<long>("order_id")[i]] = customer;
            ordersPerCustomer[customer] = ordersPerCustomer.GetValueOrDefault(customer) + 1;
        }

        var returnsPerCustomer = new Dictionary<long, int>();
        foreach (var orderId in sample.Returns.Column<long>("order_id").Values)
        {
            returnsPerCustomer[owner[orderId]] = returnsPerCustomer.GetValueOrDefault(owner[orderId]) + 1;
        }

        var (churned, active) = Split(id =>
            ordersPerCustomer.TryGetValue(id, out var n) ? returnsPerCustomer.GetValueOrDefault(id) / (double)n : 0);

        Assert.True(churned.Average() > 1.2 * active.Average(), $"return rate churned {churned.Average():F3} vs active {active.Average():F3}");
    }

    [Fact]
    public void Inactive_customers_churn_far_more_often_than_gold_ones()
    {
        var customers = sample.Customers;
        var segment = customers.Column<string>("segment");
        var churnBySegment = ChurnPopulation()
            .GroupBy(c => segment[c.Row])
            .ToDictionary(g => g.Key, g => g.Average(c => c.Churned ? 1.0 : 0.0));

        Assert.True(churnBySegment["Inactive"] > 2 * churnBySegment["Gold"]);
    }

    private Func<long, double> RecentEvents()
    {
        var since = Faker.AsOf.AddDays(-90).ToDateTime(TimeOnly.MinValue);
        var clicks = sample.Clickstream;
        var timestamps = clicks.Column<DateTime>("event_timestamp").Values;
        var customers = clicks.Column<long>("customer_id").Values;
        var counts = new Dictionary<long, int>();
        for (var i = 0; i < clicks.Count; i++)
        {
            if (timestamps[i] >= since)
            {
                counts[customers[i]] = counts.GetValueOrDefault(customers[i]) + 1;
            }
        }

        return id => counts.GetValueOrDefault(id);
    }

    private (List<double> Churned, List<double> Active) Split(Func<long, double> measure)
    {
        var ids = sample.Customers.Column<long>("customer_id").Values;
        var population = ChurnPopulation().ToList();
        return (
            population.Where(c => c.Churned).Select(c => measure(ids[c.Row])).ToList(),
            population.Where(c => !c.Churned).Select(c => measure(ids[c.Row])).ToList());
    }

    /// <summary>Customers the churn SQL labels: signed up over 90 days ago and ordered at least once.</summary>
    private IEnumerable<(int Row, bool Churned)> ChurnPopulation()
    {
        var customers = sample.Customers;
        var signup = customers.Column<DateOnly>("signup_date");
        var lastOrder = customers.Column<DateOnly>("last_order_date");
        var asOf = Faker.AsOf.DayNumber;
        return Enumerable.Range(0, customers.Count)
            .Where(i => !lastOrder.IsNull(i) && signup[i].DayNumber < asOf - 90)
            .Select(i => (i, asOf - lastOrder[i].DayNumber > 90));
    }

    private static double Auc(List<double> positives, List<double> negatives)
    {
        var all = positives.Select(v => (Value: v, Positive: true)).Concat(negatives.Select(v => (Value: v, Positive: false)))
            .OrderBy(x => x.Value).ToList();
        double rankSum = 0;
        for (var i = 0; i < all.Count;)
        {
            var j = i;
            while (j < all.Count && all[j].Value == all[i].Value)
            {
                j++;
            }

            var averageRank = (i + j + 1) / 2.0;
            rankSum += all.Skip(i).Take(j - i).Count(x => x.Positive) * averageRank;
            i = j;
        }

        return (rankSum - (positives.Count * (positives.Count + 1) / 2.0)) / ((double)positives.Count * negatives.Count);
    }
}
