using System.Globalization;
using Matih.Core.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Matih.Core.Audit;

/// <summary>One thing someone did: who, what, to what, when.</summary>
public sealed class AuditEntry
{
    /// <summary>Increasing sequence number; also the paging cursor.</summary>
    public long Id { get; set; }

    /// <summary>When it happened.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>Who did it: a user name, <c>anonymous</c>, or <c>system</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>What was done, as <c>area.verb</c>: <c>auth.login</c>, <c>user.disabled</c>, <c>connection.created</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What it was done to: a user name, a connection id, a deployment name.</summary>
    public required string Target { get; set; }

    /// <summary>More in words (never a secret value).</summary>
    public string? Detail { get; set; }
}

/// <summary>Maps <see cref="AuditEntry"/> to <c>audit_log</c>.</summary>
internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> entry)
    {
        entry.ToTable("audit_log");
        entry.HasKey(e => e.Id);
        entry.Property(e => e.Id).ValueGeneratedOnAdd();
        entry.Property(e => e.Actor).HasMaxLength(100);
        entry.Property(e => e.Action).HasMaxLength(60);
        entry.Property(e => e.Target).HasMaxLength(300);
        entry.Property(e => e.Detail).HasMaxLength(2000);
        entry.HasIndex(e => e.At);
        entry.HasIndex(e => new { e.Actor, e.Id });
        entry.HasIndex(e => new { e.Action, e.Id });
    }
}

/// <summary>Which entries to show: every filter is optional and they combine.</summary>
/// <param name="Actor">Exactly this actor.</param>
/// <param name="Action">This action, or every action of an area when it ends with <c>.</c> or <c>.*</c> (e.g. <c>user.*</c>).</param>
/// <param name="From">At or after.</param>
/// <param name="To">Before.</param>
/// <param name="Before">Only entries older than this id (the cursor of the previous page).</param>
/// <param name="Limit">Page size, 1 to 1000.</param>
/// <param name="Text">Text found (case-insensitively) in the actor, the action or the target.</param>
public sealed record AuditQuery(string? Actor = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null, long? Before = null, int Limit = 50,
    string? Text = null);

/// <summary>One page of entries, newest first.</summary>
/// <param name="Items">The entries.</param>
/// <param name="NextCursor">Pass as <see cref="AuditQuery.Before"/> for the next page; null on the last page.</param>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, long? NextCursor);

/// <summary>
/// The audit log: who did what when. The engine services record connection and pipeline changes, deployments, model
/// stage changes, A/B tests, script runs and plugin changes by the ambient <see cref="AuditActor"/> (so the API and the
/// workbench are covered alike); the auth, user, token and secret endpoints record theirs. Admins read, filter and
/// export it.
/// </summary>
public sealed class AuditLog(IDbContextFactory<MetadataDbContext> contexts, TimeProvider clock)
{
    /// <summary>The largest page.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Records one entry now. Never pass a secret value in <paramref name="detail"/>.</summary>
    public async Task RecordAsync(string actor, string action, string target, string? detail = null, CancellationToken cancellationToken = default)
    {
        var entry = new AuditEntry
        {
            At = clock.GetUtcNow(),
            Actor = Clip(string.IsNullOrEmpty(actor) ? "anonymous" : actor, 100),
            Action = Clip(action, 60),
            Target = Clip(target, 300),
            Detail = detail is null ? null : Clip(detail, 2000),
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        db.Set<AuditEntry>().Add(entry);
        // The action happened even if the caller has gone: do not let a closed connection lose the record.
        await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Records a change by the ambient actor (<see cref="AuditActor.Current"/>): the engine services call this after a
    /// change is stored, whichever surface asked for it. Never pass a secret value in <paramref name="detail"/>.
    /// </summary>
    public Task RecordChangeAsync(string action, string target, string? detail = null) =>
        RecordAsync(AuditActor.Current, action, target, detail, CancellationToken.None);

    /// <summary>One page of entries matching <paramref name="query"/>, newest first.</summary>
    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(query.Limit, 1, MaxLimit);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var items = await Filter(db, query).OrderByDescending(e => e.Id).Take(limit + 1).ToListAsync(cancellationToken).ConfigureAwait(false);
        var next = items.Count > limit ? items[limit - 1].Id : (long?)null;
        return new AuditPage(items.Take(limit).ToList(), next);
    }

    /// <summary>Every entry matching <paramref name="query"/> (paging ignored), newest first, streamed for export.</summary>
    public async IAsyncEnumerable<AuditEntry> ExportAsync(AuditQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var entry in Filter(db, query with { Before = null }).OrderByDescending(e => e.Id).AsAsyncEnumerable().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    /// <summary>The CSV header line of <see cref="CsvLine"/>.</summary>
    public const string CsvHeader = "id,at,actor,action,target,detail";

    /// <summary>One entry as an RFC 4180 CSV line (no line break), time in ISO 8601 UTC.</summary>
    public static string CsvLine(AuditEntry entry) => string.Join(',',
        entry.Id.ToString(CultureInfo.InvariantCulture),
        entry.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        CsvField(entry.Actor), CsvField(entry.Action), CsvField(entry.Target), CsvField(entry.Detail ?? ""));

    /// <summary>
    /// The entries matching <paramref name="query"/>'s filters (not its paging), unordered, for callers that page in
    /// the database themselves (the list route and Settings &gt; Audit).
    /// </summary>
    public static IQueryable<AuditEntry> Filter(MetadataDbContext db, AuditQuery query)
    {
        var entries = db.Set<AuditEntry>().AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Actor))
        {
            entries = entries.Where(e => e.Actor == query.Actor);
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            var area = query.Action.EndsWith(".*", StringComparison.Ordinal) ? query.Action[..^1]
                : query.Action.EndsWith('.') ? query.Action : null;
            entries = area is null ? entries.Where(e => e.Action == query.Action) : entries.Where(e => e.Action.StartsWith(area));
        }

        if (query.From is { } from)
        {
            entries = entries.Where(e => e.At >= from);
        }

        if (query.To is { } to)
        {
            entries = entries.Where(e => e.At < to);
        }

        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var text = query.Text.Trim().ToLowerInvariant();
            entries = entries.Where(e => e.Actor.ToLower().Contains(text) || e.Action.ToLower().Contains(text) || e.Target.ToLower().Contains(text));
        }

        if (query.Before is { } before)
        {
            entries = entries.Where(e => e.Id < before);
        }

        return entries;
    }

    // A leading =, +, - or @ would make a spreadsheet run the cell as a formula: prefix it with a quote.
    private static string CsvField(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0], StringComparison.Ordinal))
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static string Clip(string value, int length) => value.Length <= length ? value : value[..(length - 1)] + "…";
}
