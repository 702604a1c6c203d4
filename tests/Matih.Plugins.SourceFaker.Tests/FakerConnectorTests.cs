using System.Text.Json;
using Matih.Plugins.SourceFaker.Tests.Support;
using Matih.Sdk.Connectors;
using Matih.Sdk.Data;
using Matih.Sdk.Plugins;

namespace Matih.Plugins.SourceFaker.Tests;

public sealed class FakerConnectorTests
{
    private readonly FakerConnector _connector = new(new FakerSettings());

    [Fact]
    public void Spec_lists_scale_seed_and_as_of_with_the_plugin_defaults()
    {
        var connector = new FakerConnector(new FakerSettings { DefaultScale = 0.05, DefaultSeed = 7 });

        Assert.Equal("source-faker", connector.Id);
        Assert.True(connector.Spec.SupportsIncremental);
        var fields = connector.Spec.Config.ToDictionary(p => p.Name);
        Assert.Equal(["scale", "seed", "as_of"], connector.Spec.Config.Select(p => p.Name));
        Assert.Equal(ParameterType.Number, fields["scale"].Type);
        Assert.Equal(0.05, fields["scale"].Default!.GetValue<double>());
        Assert.Equal(ParameterType.Integer, fields["seed"].Type);
        Assert.Equal(7, fields["seed"].Default!.GetValue<long>());
        Assert.Equal(ParameterType.String, fields["as_of"].Type);
    }

    [Fact]
    public async Task Check_accepts_a_valid_config_and_says_what_it_will_generate()
    {
        var result = await _connector.CheckAsync(Faker.Config(scale: 1.0), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("2,103,847 customers", result.Message, StringComparison.Ordinal);
        Assert.Contains("2025-12-15", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_accepts_an_empty_config_using_the_defaults()
    {
        var result = await _connector.CheckAsync(Faker.Json("{}"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Message);
        Assert.Contains("seed 42", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"scale": 0}""", "scale")]
    [InlineData("""{"scale": -1}""", "scale")]
    [InlineData("""{"scale": 1000}""", "scale")]
    [InlineData("""{"scale": "big"}""", "scale")]
    [InlineData("""{"seed": 1.5}""", "seed")]
    [InlineData("""{"seed": "42"}""", "seed")]
    [InlineData("""{"as_of": "2025-13-01"}""", "as_of")]
    [InlineData("""{"as_of": "15/12/2025"}""", "as_of")]
    [InlineData("""{"as_of": 20251215}""", "as_of")]
    [InlineData("""[1, 2]""", "config")]
    public async Task Check_rejects_a_bad_config_naming_the_field(string config, string field)
    {
        var result = await _connector.CheckAsync(Faker.Json(config), CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.StartsWith(field + ":", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_returns_the_six_streams_with_keys_cursors_and_types()
    {
        var streams = await _connector.DiscoverAsync(Faker.Config(scale: 1.0), CancellationToken.None);

        Assert.Equal(Faker.AllStreams, streams.Select(s => s.Name));
        Assert.All(streams, s =>
        {
            Assert.Equal([SyncMode.FullRefresh, SyncMode.Incremental], s.SupportedSyncModes);
            Assert.Single(s.Schema.PrimaryKey);
            Assert.NotNull(s.Schema.Find(s.Schema.PrimaryKey[0]));
            Assert.NotNull(s.Schema.Find(Assert.Single(s.CursorCandidates)));
        });
        var customers = streams[0];
        Assert.Equal(14, customers.Schema.Columns.Count);
        Assert.Equal(2_103_847, customers.EstimatedRows);
        Assert.Equal(ColumnType.Decimal, customers.Schema.Find("lifetime_value")!.Type);
        Assert.Equal(12, customers.Schema.Find("lifetime_value")!.Precision);
        Assert.Equal(ColumnType.Date, customers.Schema.Find("last_order_date")!.Type);
        Assert.True(customers.Schema.Find("last_order_date")!.Nullable);
        Assert.Equal(ColumnType.Timestamp, streams[5].Schema.Find("event_timestamp")!.Type);
        Assert.Equal("analytics", streams[5].Namespace);
        Assert.Equal("return_date", streams[4].CursorCandidates[0]);
    }

    [Fact]
    public async Task Read_rejects_an_unknown_stream_before_writing_anything()
    {
        var sink = new CollectingSink();

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            _connector.ReadAsync(Faker.Config(), Faker.FullRefresh("customers", "invoices"), sink, CancellationToken.None));

        Assert.Contains("invoices", error.Message, StringComparison.Ordinal);
        Assert.Empty(sink.BegunStreams);
    }

    [Fact]
    public async Task Read_rejects_a_bad_config_naming_the_field()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            _connector.ReadAsync(Faker.Json("""{"scale": -2}"""), Faker.FullRefresh(), new CollectingSink(), CancellationToken.None));

        Assert.StartsWith("scale:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_checkpoints_each_stream_with_its_state()
    {
        var sink = await Faker.ReadAsync(Faker.Config(), Faker.FullRefresh("products", "returns"));

        Assert.Equal(["products", "returns"], sink.BegunStreams);
        Assert.Equal(2, sink.Checkpoints.Count);
        Assert.Equal(["products"], sink.Checkpoints[0].Streams.Keys);
        var state = sink.Checkpoints[1].Streams["returns"];
        Assert.Equal("return_date", state.GetProperty("cursor_field").GetString());
        Assert.Equal("2025-12-15", state.GetProperty("generated_at").GetString());
        Assert.Equal(42, state.GetProperty("seed").GetInt64());
        Assert.Equal(0.01, state.GetProperty("scale").GetDouble());
        Assert.True(DateOnly.Parse(state.GetProperty("cursor").GetString()!, System.Globalization.CultureInfo.InvariantCulture) <= Faker.AsOf);
        Assert.True(sink.ProgressReports > 0);
    }

    [Fact]
    public async Task Incremental_read_after_a_full_read_delivers_nothing_new()
    {
        var first = await Faker.ReadAsync(Faker.Config(), Faker.FullRefresh("orders"));
        var incremental = new ReadRequest(
            [new ConfiguredStream("orders", SyncMode.Incremental, "updated_at", ["order_id"])],
            first.Checkpoints[^1]);

        var second = await Faker.ReadAsync(Faker.Config(), incremental);

        Assert.True(first["orders"].RowCount > 100_000);
        Assert.Equal(0, second["orders"].RowCount);
        Assert.Equal(
            first.Checkpoints[^1].Streams["orders"].GetProperty("cursor").GetString(),
            second.Checkpoints[^1].Streams["orders"].GetProperty("cursor").GetString());
    }

    [Fact]
    public async Task Incremental_read_a_day_later_delivers_only_the_newer_rows()
    {
        var first = await Faker.ReadAsync(Faker.Config(), Faker.FullRefresh("clickstream"));
        var cursor = DateTime.Parse(
            first.Checkpoints[^1].Streams["clickstream"].GetProperty("cursor").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var incremental = new ReadRequest(
            [new ConfiguredStream("clickstream", SyncMode.Incremental, null, ["event_id"])],
            first.Checkpoints[^1]);

        var nextDay = await Faker.ReadAsync(Faker.Config(asOf: Faker.AsOf.AddDays(1)), incremental);

        var events = nextDay["clickstream"];
        Assert.InRange(events.RowCount, 1, first["clickstream"].RowCount / 20);
        Assert.All(events.Column<DateTime>("event_timestamp").Values, t => Assert.True(t > cursor));
    }

    [Fact]
    public async Task Incremental_read_with_another_seed_delivers_everything()
    {
        var first = await Faker.ReadAsync(Faker.Config(), Faker.FullRefresh("products"));
        var incremental = new ReadRequest(
            [new ConfiguredStream("products", SyncMode.Incremental, "updated_at", ["product_id"])],
            first.Checkpoints[^1]);

        var other = await Faker.ReadAsync(Faker.Config(seed: 7), incremental);

        Assert.Equal(first["products"].RowCount, other["products"].RowCount);
    }

    [Fact]
    public async Task Incremental_read_rejects_a_cursor_the_stream_does_not_have()
    {
        var request = new ReadRequest([new ConfiguredStream("orders", SyncMode.Incremental, "order_date", ["order_id"])], null);

        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            _connector.ReadAsync(Faker.Config(), request, new CollectingSink(), CancellationToken.None));

        Assert.Contains("cursor_field", error.Message, StringComparison.Ordinal);
        Assert.Contains("updated_at", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_stops_the_read_part_way()
    {
        using var cancel = new CancellationTokenSource();
        var sink = new CollectingSink { AfterWrite = (_, rows) => cancel.Cancel() };
        var connector = new FakerConnector(new FakerSettings { MaxParallelism = 2, BatchRows = 1_000 });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            connector.ReadAsync(Faker.Config(scale: 0.05), Faker.FullRefresh(), sink, cancel.Token));

        Assert.Equal(["customers"], sink.BegunStreams);
        Assert.InRange(sink["customers"].RowCount, 1, 1_000);
        Assert.Empty(sink.Checkpoints);
    }

    [Fact]
    public async Task A_cancelled_token_stops_the_read_before_any_row()
    {
        var sink = new CollectingSink();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _connector.ReadAsync(Faker.Config(), Faker.FullRefresh(), sink, new CancellationToken(canceled: true)));

        Assert.DoesNotContain(sink.Tables.Values, t => t.RowCount > 0);
    }

    [Fact]
    public async Task As_of_defaults_to_today_in_utc()
    {
        var connector = new FakerConnector(new FakerSettings(), new FixedClock(new DateTimeOffset(2026, 3, 1, 23, 30, 0, TimeSpan.FromHours(-5))));

        var result = await connector.CheckAsync(Faker.Json("""{"scale": 0.01}"""), CancellationToken.None);

        Assert.Contains("as of 2026-03-02", result.Message, StringComparison.Ordinal);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}
