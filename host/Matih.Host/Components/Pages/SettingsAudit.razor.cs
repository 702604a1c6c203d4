using System.Text;
using Matih.Core.Audit;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Matih.Host.Components.Pages;

/// <summary>Settings &gt; Audit: the audit log for admins, filtered by actor, action and days, paged, exportable as CSV.</summary>
public partial class SettingsAudit
{
    private const int PageSize = 100;
    private static readonly List<BreadcrumbItem> Crumbs = [new("Settings", "/settings"), new("Audit", null, disabled: true)];

    private readonly List<AuditEntry> _entries = [];
    private string? _actor;
    private string? _action;
    private DateTime? _from;
    private DateTime? _to;
    private long? _next;

    [Inject]
    private AuditLog Log { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    /// <inheritdoc />
    protected override Task OnInitializedAsync() => SearchAsync();

    private AuditQuery Query(long? before) => new(
        Actor: _actor,
        Action: _action,
        From: _from is { } from ? new DateTimeOffset(from.Date, TimeSpan.Zero) : null,
        To: _to is { } to ? new DateTimeOffset(to.Date.AddDays(1), TimeSpan.Zero) : null,
        Before: before,
        Limit: PageSize);

    private async Task SearchAsync()
    {
        _entries.Clear();
        var page = await Log.QueryAsync(Query(null), CancellationToken.None);
        _entries.AddRange(page.Items);
        _next = page.NextCursor;
    }

    private async Task MoreAsync()
    {
        var page = await Log.QueryAsync(Query(_next), CancellationToken.None);
        _entries.AddRange(page.Items);
        _next = page.NextCursor;
    }

    private async Task ExportAsync()
    {
        var csv = new StringBuilder(AuditLog.CsvHeader).Append("\r\n");
        await foreach (var entry in Log.ExportAsync(Query(null), CancellationToken.None))
        {
            csv.Append(AuditLog.CsvLine(entry)).Append("\r\n");
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString()));
        using var reference = new DotNetStreamReference(stream);
        await JS.InvokeVoidAsync("matih.download", $"matih-audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv", reference);
    }
}
