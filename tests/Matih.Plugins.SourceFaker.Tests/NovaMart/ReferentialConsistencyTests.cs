using Matih.Plugins.SourceFaker.Tests.Support;

namespace Matih.Plugins.SourceFaker.Tests.NovaMart;

/// <summary>The streams agree with each other, as tables of one database do.</summary>
[Collection(NovaMartSampleCollection.Name)]
public sealed class ReferentialConsistencyTests(NovaMartSample sample)
{
    [Theory]
    [InlineData("customers", "customer_id")]
    [InlineData("orders", "order_id")]
    [InlineData("order_items", "order_item_id")]
    [InlineData("products", "product_id")]
    [InlineData("returns", "return_id")]
    [InlineData("clickstream", "event_id")]
    public void Primary_keys_are_unique(string stream, string key)
    {
        var ids = sample.Sink[stream].Column<long>(key).Values;

        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Orders_belong_to_existing_customers()
    {
        var customers = sample.Customers.Column<long>("customer_id").Values.ToHashSet();

        Assert.All(sample.Orders.Column<long>("customer_id").Values, id => Assert.Contains(id, customers));
    }

    [Fact]
    public void Order_items_reference_existing_orders_and_products()
    {
        var orders = sample.Orders.Column<long>("order_id").Values.ToHashSet();
        var products = sample.Products.Column<long>("product_id").Values.ToHashSet();
        var items = sample.OrderItems;

        Assert.All(items.Column<long>("order_id").Values, id => Assert.Contains(id, orders));
        Assert.All(items.Column<long>("product_id").Values, id => Assert.Contains(id, products));
        Assert.Equal(orders.Count, items.Column<long>("order_id").Values.Distinct().Count());
    }

    [Fact]
    public void Returns_follow_existing_orders()
    {
        var orders = sample.Orders;
        var orderIds = orders.Column<long>("order_id").Values;
        var orderDates = orders.Column<DateOnly>("order_date").Values;
        var totals = orders.Column<decimal>("total_amount").Values;
        var statuses = orders.Column<string>("status").Values;
        var index = Enumerable.Range(0, orders.Count).ToDictionary(i => orderIds[i]);
        var returns = sample.Returns;

        for (var r = 0; r < returns.Count; r++)
        {
            var order = index[returns.Column<long>("order_id")[r]];
            Assert.True(returns.Column<DateOnly>("return_date")[r] > orderDates[order]);
            Assert.InRange(returns.Column<decimal>("refund_amount")[r], 0.01m, totals[order]);
            Assert.Equal("returned", statuses[order]);
        }

        Assert.Equal(returns.Count, statuses.Count(s => s == "returned"));
    }

    [Fact]
    public void Clickstream_references_existing_customers_and_products()
    {
        var customers = sample.Customers.Column<long>("customer_id").Values.ToHashSet();
        var products = sample.Products.Column<long>("product_id").Values.ToHashSet();
        var clicks = sample.Clickstream;
        var product = clicks.Column<long>("product_id");
        var type = clicks.Column<string>("event_type");

        Assert.All(clicks.Column<long>("customer_id").Values, id => Assert.Contains(id, customers));
        for (var i = 0; i < clicks.Count; i++)
        {
            Assert.Equal(type[i] is "product_view" or "add_to_cart", !product.IsNull(i));
            Assert.True(product.IsNull(i) || products.Contains(product[i]));
        }
    }

    [Fact]
    public void Last_order_date_is_the_customers_latest_order_date()
    {
        var latest = new Dictionary<long, DateOnly>();
        var orders = sample.Orders;
        var customerIds = orders.Column<long>("customer_id").Values;
        var dates = orders.Column<DateOnly>("order_date").Values;
        for (var i = 0; i < orders.Count; i++)
        {
            latest[customerIds[i]] = latest.TryGetValue(customerIds[i], out var d) && d > dates[i] ? d : dates[i];
        }

        var customers = sample.Customers;
        var lastOrder = customers.Column<DateOnly>("last_order_date");
        var ids = customers.Column<long>("customer_id").Values;
        for (var i = 0; i < customers.Count; i++)
        {
            Assert.Equal(latest.TryGetValue(ids[i], out var d) ? d : (DateOnly?)null, lastOrder.IsNull(i) ? null : lastOrder[i]);
        }
    }

    [Fact]
    public void Order_totals_are_the_sum_of_their_items()
    {
        var sums = new Dictionary<long, decimal>();
        var items = sample.OrderItems;
        var orderIds = items.Column<long>("order_id").Values;
        for (var i = 0; i < items.Count; i++)
        {
            sums[orderIds[i]] = sums.GetValueOrDefault(orderIds[i]) + (items.Column<int>("quantity")[i] * items.Column<decimal>("unit_price")[i]);
        }

        var orders = sample.Orders;
        for (var i = 0; i < orders.Count; i++)
        {
            Assert.Equal(orders.Column<decimal>("total_amount")[i], sums[orders.Column<long>("order_id")[i]]);
        }
    }

    [Fact]
    public void Lifetime_value_is_order_revenue_less_refunds()
    {
        var orders = sample.Orders;
        var owner = new Dictionary<long, long>();
        var value = new Dictionary<long, decimal>();
        for (var i = 0; i < orders.Count; i++)
        {
            var customer = orders.Column<long>("customer_id")[i];
            owner[orders.Column<long>("order_id")[i]] = customer;
            if (orders.Column<string>("status")[i] != "cancelled")
            {
                value[customer] = value.GetValueOrDefault(customer) + orders.Column<decimal>("total_amount")[i];
            }
        }

        var returns = sample.Returns;
        for (var r = 0; r < returns.Count; r++)
        {
            var customer = owner[returns.Column<long>("order_id")[r]];
            value[customer] -= returns.Column<decimal>("refund_amount")[r];
        }

        var customers = sample.Customers;
        for (var i = 0; i < customers.Count; i++)
        {
            Assert.Equal(value.GetValueOrDefault(customers.Column<long>("customer_id")[i]), customers.Column<decimal>("lifetime_value")[i]);
        }
    }

    [Fact]
    public void Nothing_happens_after_as_of_or_before_it_was_created()
    {
        var end = Faker.AsOf.ToDateTime(TimeOnly.MaxValue);
        var customers = sample.Customers;
        var orders = sample.Orders;

        for (var i = 0; i < customers.Count; i++)
        {
            var created = customers.Column<DateTime>("created_at")[i];
            Assert.InRange(customers.Column<DateTime>("updated_at")[i], created, end);
            Assert.Equal(customers.Column<DateOnly>("signup_date")[i], DateOnly.FromDateTime(created));
        }

        for (var i = 0; i < orders.Count; i++)
        {
            var created = orders.Column<DateTime>("created_at")[i];
            Assert.InRange(orders.Column<DateTime>("updated_at")[i], created, end);
            Assert.Equal(orders.Column<DateOnly>("order_date")[i], DateOnly.FromDateTime(created));
        }

        Assert.All(sample.Products.Column<DateTime>("updated_at").Values, t => Assert.True(t <= end));
        Assert.All(sample.Returns.Column<DateOnly>("return_date").Values, d => Assert.True(d <= Faker.AsOf));
    }
}
