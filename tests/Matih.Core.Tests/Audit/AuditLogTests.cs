using Matih.Core.Audit;
using Matih.Core.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Matih.Core.Tests.Audit;

public sealed class AuditLogTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("matih-audit-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly AuditLog _audit;

    public AuditLogTests()
    {
        var options = SqliteTuning.Use(new DbContextOptionsBuilder<MetadataDbContext>(), $"Data Source={Path.Combine(_folder, "m.db")};Pooling=false").Options;
        using (var db = new MetadataDbContext(options))
        {
            MetadataSchema.EnsureAsync(db, default).GetAwaiter().GetResult();
        }

        _audit = new AuditLog(new Factory(options), _clock);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Entries_filter_by_actor_action_area_and_time_newest_first()
    {
        await _audit.RecordAsync("admin", "auth.login", "admin");
        _clock.Advance(TimeSpan.FromHours(1));
        await _audit.RecordAsync("admin", "user.created", "priya", "role analyst");
        _clock.Advance(TimeSpan.FromHours(1));
        await _audit.RecordAsync("priya", "connection.created", "shop-db");

        Assert.Equal(["connection.created", "user.created", "auth.login"], (await _audit.QueryAsync(new AuditQuery(), default)).Items.Select(e => e.Action));
        Assert.Equal(["user.created", "auth.login"], (await _audit.QueryAsync(new AuditQuery(Actor: "admin"), default)).Items.Select(e => e.Action));
        Assert.Equal(["user.created"], (await _audit.QueryAsync(new AuditQuery(Action: "user.*"), default)).Items.Select(e => e.Action));
        var start = new DateTimeOffset(2026, 11, 24, 12, 30, 0, TimeSpan.Zero);
        Assert.Equal(["user.created"], (await _audit.QueryAsync(new AuditQuery(From: start, To: start.AddHours(1)), default)).Items.Select(e => e.Action));
    }

    [Fact]
    public async Task Pages_follow_the_cursor_to_the_end()
    {
        for (var i = 0; i < 5; i++)
        {
            await _audit.RecordAsync("admin", "pipeline.updated", $"p{i}");
        }

        var first = await _audit.QueryAsync(new AuditQuery(Limit: 2), default);
        var second = await _audit.QueryAsync(new AuditQuery(Limit: 2, Before: first.NextCursor), default);
        var third = await _audit.QueryAsync(new AuditQuery(Limit: 2, Before: second.NextCursor), default);

        Assert.Equal(["p4", "p3", "p2", "p1", "p0"], first.Items.Concat(second.Items).Concat(third.Items).Select(e => e.Target));
        Assert.Null(third.NextCursor);
    }

    [Fact]
    public async Task Csv_lines_quote_commas_and_defuse_formulas()
    {
        await _audit.RecordAsync("admin", "connection.updated", "shop, eu", "=HYPERLINK(\"x\")");

        var entry = (await _audit.QueryAsync(new AuditQuery(), default)).Items.Single();

        Assert.Equal($"{entry.Id},2026-11-24T12:00:00.000Z,admin,connection.updated,\"shop, eu\",\"'=HYPERLINK(\"\"x\"\")\"", AuditLog.CsvLine(entry));
    }

    private sealed class Factory(DbContextOptions<MetadataDbContext> options) : IDbContextFactory<MetadataDbContext>
    {
        public MetadataDbContext CreateDbContext() => new(options);
    }
}
