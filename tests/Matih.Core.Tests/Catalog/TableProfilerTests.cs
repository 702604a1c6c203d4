using System.Globalization;
using Matih.Core.Catalog;
using Matih.Sdk.Data;

namespace Matih.Core.Tests.Catalog;

public sealed class TableProfilerTests : IDisposable
{
    private readonly TestStores _stores = new();
    private readonly TableProfiler _profiler;

    public TableProfilerTests() => _profiler = new TableProfiler(_stores.Warehouse, _stores.Contexts, _stores.Clock);

    public void Dispose() => _stores.Dispose();

    [Fact]
    public async Task Profile_figures_match_values_computed_independently()
    {
        // 1,000 customers built in C#, so every expected figure is computed here without the engine.
        var random = new Random(7);
        var channels = new[] { "web", "web", "web", "web", "web", "web", "mobile", "mobile", "mobile", "store" };
        var customers = Enumerable.Range(1, 1000).Select(i => new
        {
            Id = (long)i,
            Email = i % 8 == 0 ? null : $"c{i}@example.com",
            Channel = channels[random.Next(channels.Length)],
            Value = Math.Round(random.NextDouble() * 1000, 2),
            Signup = new DateOnly(2019, 1, 1).AddDays(random.Next(0, 2500)),
        }).ToArray();
        await _stores.Warehouse.ExecuteAsync("CREATE SCHEMA postgresql.novamart; CREATE TABLE postgresql.novamart.customers (customer_id BIGINT, email VARCHAR, channel VARCHAR, lifetime_value DECIMAL(12,2), signup_date DATE)", default);
        var values = string.Join(",", customers.Select(c =>
            $"({c.Id}, {(c.Email is null ? "NULL" : $"'{c.Email}'")}, '{c.Channel}', {c.Value.ToString(CultureInfo.InvariantCulture)}, DATE '{c.Signup:yyyy-MM-dd}')"));
        await _stores.Warehouse.ExecuteAsync($"INSERT INTO postgresql.novamart.customers VALUES {values}", default);

        var profile = await _profiler.ProfileAsync(TableRef.Parse("postgresql.novamart.customers"), approximate: null, default);

        Assert.NotNull(profile);
        Assert.False(profile.Approximate);
        Assert.Equal(1000, profile.RowCount);
        var byName = profile.Columns.ToDictionary(c => c.Column);
        Assert.Equal("Uniform", byName["customer_id"].Distribution);
        Assert.Equal(12.5, byName["email"].NullPercent);
        Assert.Equal(customers.Count(c => c.Email is not null), byName["email"].Distinct);
        var shares = customers.GroupBy(c => c.Channel).ToDictionary(g => g.Key, g => g.Count() / 1000.0);
        Assert.Equal(3, byName["channel"].Distinct);
        Assert.All(byName["channel"].TopValues, t => Assert.Equal(shares[t.Value], t.Share, 6));
        Assert.StartsWith("[web: ", byName["channel"].Distribution, StringComparison.Ordinal);
        var sorted = customers.Select(c => c.Value).Order().ToArray();
        var median = (sorted[499] + sorted[500]) / 2;
        Assert.Equal(sorted[0], byName["lifetime_value"].Min!.Value, 6);
        Assert.Equal(sorted[^1], byName["lifetime_value"].Max!.Value, 6);
        Assert.Equal(median, byName["lifetime_value"].Median!.Value, 6);
        Assert.Equal(customers.Average(c => c.Value), byName["lifetime_value"].Mean!.Value, 6);
        Assert.Equal(1000, byName["lifetime_value"].Histogram.Sum(b => b.Count));
        var first = customers.Min(c => c.Signup);
        var last = customers.Max(c => c.Signup);
        Assert.Equal($"{first:yyyy-MM} to {last:yyyy-MM}", byName["signup_date"].Distribution);
        Assert.Equal(1000, byName["signup_date"].Histogram.Sum(b => b.Count));
    }

    [Fact]
    public async Task Profiles_are_kept_with_their_time_and_approximate_ones_say_so()
    {
        await _stores.Warehouse.ExecuteAsync("CREATE TABLE analytics.main.t AS SELECT range AS id, range % 3 AS g FROM range(5000)", default);

        await _profiler.ProfileAsync(TableRef.Parse("analytics.main.t"), approximate: false, default);
        var approximate = await _profiler.ProfileAsync(TableRef.Parse("analytics.main.t"), approximate: true, default);
        var history = await _profiler.HistoryAsync(TableRef.Parse("analytics.main.t"), 10, default);

        Assert.True(approximate!.Approximate);
        Assert.Equal([true, false], history.Select(h => h.Approximate));
        Assert.InRange(approximate.Columns[0].Distinct!.Value, 4000, 6000);
        Assert.Null(await _profiler.ProfileAsync(TableRef.Parse("analytics.main.absent"), null, default));
    }
}
